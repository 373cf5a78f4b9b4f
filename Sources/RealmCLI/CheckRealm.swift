import ArgumentParser
import RealmCore

extension CheckCommand {
    /// `--mode=realm`: who wrote each realm commit, judged from history alone (docs/trust.md):
    /// every commit after --base (default: the whole history) against its parent's policy.
    func runRealmCheck() throws {
        try refuseOptions(["--from": from != nil, "--to": to != nil, "--from-file": fromFile != nil,
                           "--to-file": toFile != nil, "--transitive": transitive, "--lenient": lenient,
                           "--strict": strict, "--contract": contract != nil], mode: "realm")
        let location = try RealmLocation.find()
        if fetch, case .participant(let participant) = location { try participant.fetch() }
        let tip = try location.tip()
        let base = try base.map { try location.resolve($0) }
        let report = try RealmVerification.check(repository: location.repository, base: base, tip: tip)
        var findings = Findings()
        let range = "\(base.map { String($0.hex.prefix(12)) + ".." } ?? "")\(tip.hex.prefix(12))"
        if let violation = report.violation {
            findings.error(String(violation.commit.hex.prefix(12)), "\(violation)", file: violation.path,
                           hint: "the realm's history must be repaired by its approvers (revert, or re-sign with a registered key)")
        } else if let at = report.partialAt {
            findings.error("", "verified the first \(report.verified) realm commit(s) only (up to \(at.hex.prefix(12))): more than one run verifies",
                           hint: "go on with: git realm check --mode=realm --base \(at.hex)")
        } else {
            findings.ok("", "\(report.verified) realm commit(s) verified (\(range)): every change written by someone allowed to")
        }
        try findings.emit(format: format, json: output.json,
                          extra: ["mode": "realm", "base": base.map { .string($0.hex) } ?? .null, "tip": .string(tip.hex),
                                  "verified": .integer(report.verified)],
                          fallbackPath: "realm.yaml")
    }
}
