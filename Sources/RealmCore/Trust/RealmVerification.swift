import RealmGit
import RealmModel

/// The two places history is verified besides a member's fetch: `check --mode=realm` in the
/// realm's CI, and the `pre-receive` hook on a realm server that allows hooks.
public enum RealmVerification {
    public struct Report: Sendable {
        public var base: OID?
        public var tip: OID
        public var verified: Int
        public var violation: TrustViolation?
        /// More commits than one run verifies: verified up to `last`; run again with --base.
        public var partialAt: OID? = nil
        public var ok: Bool { violation == nil && partialAt == nil }
    }

    /// Verifies `base..tip` (the whole history when `base` is nil) in `repository`.
    public static func check(repository: Repository, base: OID?, tip: OID, serverClock: Int64? = nil) throws -> Report {
        do {
            var verifier = HistoryVerifier(repository: repository)
            verifier.serverClock = serverClock
            let progress = try verifier.verify(from: base, to: tip)
            return Report(base: base, tip: tip, verified: progress.count, violation: nil,
                          partialAt: progress.partial ? progress.last : nil)
        } catch let violation as TrustViolation {
            return Report(base: base, tip: tip, verified: 0, violation: violation)
        }
    }

    /// One line of a pre-receive hook's standard input: `<old> <new> <ref>`.
    public struct RefUpdate: Sendable {
        public var old: OID?
        public var new: OID?
        public var ref: String
    }

    public static func parsePreReceive(_ text: String) throws -> [RefUpdate] {
        try text.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let old = OID(hex: String(fields[0])), let new = OID(hex: String(fields[1])) else {
                throw RealmError(.usage, "pre-receive: expected '<old> <new> <ref>', got '\(line.prefix(200))'")
            }
            return RefUpdate(old: old.isZero ? nil : old, new: new.isZero ? nil : new, ref: String(fields[2]))
        }
    }

    /// The server-side verdict on a push to the realm: main may not be deleted or rewound, and
    /// every new commit on it must pass the verifier. Other refs (sync proposals, notes) are not
    /// judged here yet. Returns the refusals, one line each (empty: accept).
    public static func preReceive(repository: Repository, updates: [RefUpdate]) throws -> [String] {
        var refusals: [String] = []
        for update in updates where update.ref == RefLayout.realmMainBranch {
            guard let new = update.new else {
                refusals.append("deleting \(update.ref) is refused: realm history is the members' proof of who wrote what")
                continue
            }
            if let old = update.old, old != new, !(try repository.isAncestor(old, of: new)) {
                refusals.append("rewinding \(update.ref) (\(old.hex.prefix(12)) is not in \(new.hex.prefix(12))) is refused: members would lose verified history")
                continue
            }
            let report = try check(repository: repository, base: update.old, tip: new, serverClock: Timestamp.nowSeconds())
            if let violation = report.violation { refusals.append("\(violation)") }
            if let at = report.partialAt {
                refusals.append("more than \(report.verified) new commits in one push: push them in parts (verified up to \(at.hex.prefix(12)))")
            }
        }
        return refusals
    }
}
