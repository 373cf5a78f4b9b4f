import Foundation
import Testing

/// The RFC's s3-permissions contract at 1.4.0, laid out so that tests can name lines:
/// line 2 is the version, 13 the `read` items, 22 `value`, 24-25 the read paths, 33 the last
/// evolution version.
let s3ContractYAML = """
name: s3-permissions
version: "1.4.0"
owner: aperture
compatibility:
  backwards: true
  forwards: false
schema:
  type: object
  required: [read]
  properties:
    read:
      type: array
      items: {type: string}
    write:
      type: array
      items: {type: string}
      default: []
    delete:
      type: array
      items: {type: string}
      default: []
value:
  read:
    - "jobs/*/masks/*"
    - "training-runs/*"
  write:
    - "training-metrics/*"
  delete: []
evolution:
  - version: "1.0.0"
    changes: [Initial contract]
    compatible: true
  - version: "1.4.0"
    changes: [Added delete array]
    compatible: true

"""

let s3ContractPath = "domains/s3-access/contracts/s3-permissions.yaml"
let fungalBindingPath = "domains/s3-access/bindings/fungal-image-analysis.yaml"

/// `text` with each (old, new) replacement applied; every old text must be there.
func replacing(_ text: String, _ replacements: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) -> String {
    var result = text
    for (old, new) in replacements {
        #expect(result.contains(old), "fixture lacks \(old)", sourceLocation: sourceLocation)
        result = result.replacingOccurrences(of: old, with: new)
    }
    return result
}

extension Sandbox {
    /// The scenario (realm, aperture, fungal, domain s3-access) with s3-permissions published
    /// at 1.4.0 by hand over the 1.0.0 skeleton.
    func makeS3Scenario() throws -> (realm: String, aperture: String, fungal: String) {
        let scenario = try makeScenario()
        try publish(scenario.realm, s3ContractYAML, message: "s3-permissions 1.4.0")
        return scenario
    }

    /// Writes realm files by hand in one commit.
    func publish(_ url: String, _ text: String, at file: String = s3ContractPath, message: String = "hand edit") throws {
        try editRealmByHand(url, message: message) { clone in
            try text.write(toFile: clone + "/" + file, atomically: true, encoding: .utf8)
        }
    }

    /// A fresh clone of the realm, as a reviewer or CI would have.
    func cloneRealm(_ url: String) throws -> String {
        let dir = path("check-\(UUID().uuidString.prefix(6))")
        try git(["clone", "--quiet", url, dir])
        return dir
    }

    /// `git realm check --mode=contract` in a fresh clone of the realm.
    func checkContracts(_ url: String, _ extra: [String] = []) throws -> Result {
        try realm(["check", "--mode=contract"] + extra, in: try cloneRealm(url))
    }
}

@Suite struct CheckContractTests {
    @Test func goodRealmPasses() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeScenario()
        // The skeleton domain create wrote: new since the previous commit.
        let fresh = try box.checkContracts(url)
        #expect(fresh.status == 0, "\(fresh)")
        #expect(fresh.stdout.contains("✓ s3-permissions: valid schema, new at 1.0.0"), "\(fresh)")

        try box.publish(url, s3ContractYAML)
        let good = try box.checkContracts(url)
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.hasPrefix("✓ s3-permissions: valid schema, version bump correct\n"), "\(good)")
        #expect(good.stdout.contains("7 files checked, 0 errors, 0 warnings"), "\(good)")

        // In a participant: the fetched realm, against the fetched tip's parent.
        let participant = try box.realm(["check", "--mode=contract", "--fetch"], in: fungal)
        #expect(participant.status == 0, "\(participant)")
        #expect(participant.stdout.contains("✓ s3-permissions: valid schema, version bump correct"), "\(participant)")
        #expect(participant.stdout.contains("realm 'letemcook' fetched at"))

        // Nothing changed in the last commit: unchanged since the base.
        try box.editRealmByHand(url) { clone in try "notes\n".write(toFile: clone + "/NOTES", atomically: true, encoding: .utf8) }
        let unchanged = try box.checkContracts(url)
        #expect(unchanged.status == 0, "\(unchanged)")
        #expect(unchanged.stdout.contains("✓ s3-permissions: valid schema, unchanged since base"), "\(unchanged)")
    }

    @Test func malformedYAMLNamesFileLineAndColumn() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        try box.publish(url, replacing(s3ContractYAML, [("items: {type: string}\n    write", "items: {type: string\n    write")]))
        let r = try box.checkContracts(url)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):14:10: did not find expected ',' or '}' (while parsing a flow mapping at 13:14)\n"), "\(r)")
        #expect(r.stdout.contains("✗ s3-permissions: 1 error"))
        // The binding that names the contract is not blamed for it.
        #expect(!r.stdout.contains(fungalBindingPath), "\(r)")
    }

    @Test func valueViolatingTheSchemaPointsAtTheValue() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        try box.publish(url, replacing(s3ContractYAML, [("version: \"1.4.0\"\nowner", "version: \"1.5.0\"\nowner"),
                                                        ("- \"training-runs/*\"", "- 42"),
                                                        ("  delete: []\nevolution", "  delete: {}\nevolution"),
                                                        ("changes: [Added delete array]", "changes: [Added delete array]\n    compatible: true\n  - version: \"1.5.0\"\n    changes: [Paths]")]))
        let r = try box.checkContracts(url)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):25:7: value does not match the schema at /read/1: expected string, got integer (schema #/properties/read/items/type)\n"), "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):28:3: value does not match the schema at /delete: expected array, got object (schema #/properties/delete/type)\n"), "\(r)")
        #expect(r.stdout.contains("2 errors, 0 warnings"), "\(r)")
    }

    @Test func insufficientBumpIsAnError() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        // Widening what old importers must read is breaking for a backwards contract.
        let widened = replacing(s3ContractYAML, [("version: \"1.4.0\"\nowner", "version: \"1.4.1\"\nowner"),
                                                 ("read:\n      type: array\n      items: {type: string}", "read:\n      type: array\n      items: {type: [string, \"null\"]}"),
                                                 ("changes: [Added delete array]\n    compatible: true\n", "changes: [Added delete array]\n    compatible: true\n  - version: \"1.4.1\"\n    changes: [Null paths]\n    compatible: false\n")])
        try box.publish(url, widened)
        let r = try box.checkContracts(url)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):2:10: version bump too small: 1.4.0 → 1.4.1 is a patch bump, but the changes require a major bump: use 2.0.0 or later (/properties/read/items/type: type-widened breaks backwards (old importers read new versions) compatibility"), "\(r)")
        #expect(r.stdout.contains("✗ s3-permissions: 1 error"))

        // 2.0.0 is enough.
        try box.publish(url, replacing(widened, [("\"1.4.1\"", "\"2.0.0\"")]))
        let major = try box.checkContracts(url)
        #expect(major.status == 0, "\(major)")
        // Against an explicit base two commits back (1.4.0), 2.0.0 is still enough; against the
        // 1.0.0 skeleton too.
        #expect(try box.checkContracts(url, ["--base", "HEAD~2"]).status == 0)
        let skeleton = try box.checkContracts(url, ["--base", "HEAD~3", "--json"])
        #expect(skeleton.status == 0, "\(skeleton)")
        #expect(try box.realm(["check", "--mode=contract", "--base", "no-such-rev"], in: try box.cloneRealm(url)).status == 2)
    }

    @Test func uncommittedEditsAreCheckedAgainstHEAD() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        let clone = try box.cloneRealm(url)
        // A value change without a version bump, not yet committed.
        try box.write(clone + "/" + s3ContractPath, replacing(s3ContractYAML, [("- \"training-runs/*\"", "- \"training-runs/new/*\"")]))
        let r = try box.realm(["check", "--mode=contract"], in: clone)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):2:10: version bump too small: 1.4.0 was not bumped, but the changes require a minor bump (1.5.0 or later) (value changed)"), "\(r)")
    }

    @Test func evolutionMustEndAtTheVersionAndIncrease() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        let text = replacing(s3ContractYAML, [("version: \"1.4.0\"\nowner", "version: \"1.5.0\"\nowner"),
                                              ("- \"training-runs/*\"", "- \"training-runs/*\"\n    - \"experiments/*\""),
                                              ("version: \"1.0.0\"", "version: \"1.4.0\""),
                                              ("  - version: \"1.4.0\"\n    changes: [Added delete array]", "  - version: \"1.3.0\"\n    changes: [Added delete array]")])
        try box.publish(url, text)
        let r = try box.checkContracts(url)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):34:14: evolution versions must increase: 1.3.0 follows 1.4.0\n"), "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):34:14: the last evolution entry is 1.3.0 but the contract is at 1.5.0: add an entry for 1.5.0\n"), "\(r)")
        #expect(!r.stdout.contains("version bump too small"), "the bump itself is fine: \(r)")
    }

    @Test func ownerMustBeARegisteredRepo() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        try box.publish(url, replacing(s3ContractYAML, [("owner: aperture", "owner: nobody"), ("\"1.4.0\"\nowner", "\"1.4.1\"\nowner"),
                                                        ("changes: [Added delete array]\n    compatible: true\n", "changes: [Added delete array]\n    compatible: true\n  - version: \"1.4.1\"\n    changes: [New owner]\n")]))
        let r = try box.checkContracts(url)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("\(s3ContractPath):3:8: owner 'nobody' is not a registered repo (no repos/nobody.yaml)\n"), "\(r)")
        // aperture still exports it: a warning on the binding.
        #expect(r.stdout.contains("domains/s3-access/bindings/aperture.yaml:4:15: warning: exports contract 's3-permissions', which is owned by 'nobody'"), "\(r)")
    }

    @Test func bindingsNameExistingContractsAndParseableRanges() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        let binding = try #require(try box.realmFile(url, fungalBindingPath))
        try box.publish(url, replacing(binding, [("contract: s3-permissions", "contract: s3-permission"),
                                                 ("version: \">=1.0.0, <2.0.0\"", "version: \">=1.0.0 <<2\"")]),
                        at: fungalBindingPath)
        let r = try box.checkContracts(url)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("\(fungalBindingPath):4:15: imports contract 's3-permission', which domain 's3-access' does not have (no domains/s3-access/contracts/s3-permission.yaml)\n"), "\(r)")
        #expect(r.stdout.contains("\(fungalBindingPath):6:14: imports 's3-permission': invalid version range \">=1.0.0 <<2\": invalid operator in \"<<2\"\n"), "\(r)")
        #expect(r.stdout.contains("✓ s3-permissions: valid schema, unchanged since base"), "\(r)")
    }

    @Test func unknownFieldsAreWarningsAndOtherFilesAreChecked() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        try box.editRealmByHand(url) { clone in
            let repo = try String(contentsOfFile: clone + "/repos/aperture.yaml", encoding: .utf8)
            try (repo + "team: vision\n").write(toFile: clone + "/repos/aperture.yaml", atomically: true, encoding: .utf8)
            try "name: s3-access\nmembers: [aperture, fungal-image-analysis, ghost]\n"
                .write(toFile: clone + "/domains/s3-access/domain.yaml", atomically: true, encoding: .utf8)
            try "name: letemcook\nversion: \"1.0.0\"\ngovernance: [not, a, mapping]\n".write(toFile: clone + "/realm.yaml", atomically: true, encoding: .utf8)
        }
        let r = try box.checkContracts(url)
        #expect(r.status == 1, "\(r)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("realm.yaml:3:13: ") }, "\(r)")
        #expect(lines.contains { $0.hasPrefix("repos/aperture.yaml:") && $0.contains(": warning: unknown field 'team' (kept as is)") }, "\(r)")
        #expect(lines.contains("domains/s3-access/domain.yaml:2:44: member 'ghost' is not a registered repo (no repos/ghost.yaml)"), "\(r)")
        // Findings come in file order: realm.yaml, repos, domains.
        let order = ["realm.yaml:", "repos/aperture.yaml:", "domains/s3-access/domain.yaml:"].map { p in lines.firstIndex { $0.hasPrefix(p) } ?? -1 }
        #expect(order == order.sorted() && !order.contains(-1), "\(r)")

        // Warnings alone pass.
        try box.editRealmByHand(url) { clone in
            try "name: s3-access\nmembers: [aperture, fungal-image-analysis]\n"
                .write(toFile: clone + "/domains/s3-access/domain.yaml", atomically: true, encoding: .utf8)
            try "name: letemcook\nversion: \"1.0.0\"\n".write(toFile: clone + "/realm.yaml", atomically: true, encoding: .utf8)
        }
        let warned = try box.checkContracts(url)
        #expect(warned.status == 0, "\(warned)")
        #expect(warned.stdout.contains("0 errors, 1 warning"), "\(warned)")
    }

    @Test func githubAnnotationsAndJSON() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeS3Scenario()
        try box.publish(url, replacing(s3ContractYAML, [("- \"training-runs/*\"", "- 42"), ("\"1.4.0\"\nowner", "\"1.5.0\"\nowner"),
                                                        ("changes: [Added delete array]\n    compatible: true\n", "changes: [Added delete array]\n    compatible: true\n  - version: \"1.5.0\"\n    changes: [x]\n    unknown: 1\n")]))
        let clone = try box.cloneRealm(url)
        let github = try box.realm(["check", "--mode=contract", "--format", "github"], in: clone)
        #expect(github.status == 1, "\(github)")
        #expect(github.stdout.contains("::error file=\(s3ContractPath),line=25,col=7::value does not match the schema at /read/1: expected string, got integer (schema #/properties/read/items/type)\n"), "\(github)")
        #expect(github.stdout.contains("::warning file=\(s3ContractPath),line=38,col=5::unknown field 'evolution[].unknown' (kept as is)\n"), "\(github)")

        let json = try box.realm(["check", "--mode=contract", "--json"], in: clone)
        #expect(json.status == 1, "\(json)")
        let object = try box.json(json)
        #expect(object["ok"] as? Bool == false)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.count == 2)
        let error = try #require(findings.first { $0["severity"] as? String == "error" })
        #expect(error["file"] as? String == s3ContractPath)
        #expect(error["line"] as? Int == 25)
        #expect(error["column"] as? Int == 7)
        #expect((error["message"] as? String)?.hasPrefix("value does not match the schema at /read/1") == true)
        let contracts = try #require(object["contracts"] as? [[String: Any]])
        #expect(contracts.first?["name"] as? String == "s3-permissions")
        #expect(contracts.first?["ok"] as? Bool == false)

        // The JSON names the base it compared with.
        let ok = try box.realm(["check", "--mode=contract", "--json", "--base", "HEAD"], in: clone)
        #expect(try box.json(ok)["base"] as? String == (try box.git(["rev-parse", "HEAD"], in: clone)).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func contractOptionAndBadUsage() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeS3Scenario()
        let clone = try box.cloneRealm(url)
        let one = try box.realm(["check", "--mode=contract", "--contract", "s3-permissions"], in: clone)
        #expect(one.status == 0, "\(one)")
        let missing = try box.realm(["check", "--mode=contract", "--contract", "nope"], in: clone)
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderr.contains("no contract 'nope' in the realm"))
        let wrong = try box.realm(["check", "--mode=contract", "--from", "1.0.0"], in: clone)
        #expect(wrong.status == 2, "\(wrong)")
        #expect(wrong.stderr.contains("--from does not apply to --mode=contract"))
        // Outside any repository; in a repository that is neither realm nor participant.
        #expect(try box.realm(["check", "--mode=contract"]).status == 3)
        let lonely = try box.makeRepo("lonely")
        #expect(try box.realm(["check", "--mode=contract"], in: lonely).status == 3)
        // A participant that never fetched after the hand edit still checks what it has.
        let stale = try box.realm(["check", "--mode=contract"], in: aperture)
        #expect(stale.status == 0, "\(stale)")
    }
}
