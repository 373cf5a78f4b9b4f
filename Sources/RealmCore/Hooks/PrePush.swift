#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmModel
import RealmSupport

/// One line git gives the pre-push hook on standard input:
/// `<local ref> <local sha> <remote ref> <remote sha>`.
public struct RefUpdate: Sendable, Equatable {
    public var localRef: String
    public var localSha: OID
    public var remoteRef: String
    public var remoteSha: OID

    public init(localRef: String, localSha: OID, remoteRef: String, remoteSha: OID) {
        self.localRef = localRef
        self.localSha = localSha
        self.remoteRef = remoteRef
        self.remoteSha = remoteSha
    }

    /// The push deletes `remoteRef` (git sends `(delete)` and a zero local sha).
    public var isDeletion: Bool { localSha.isZero }
    /// The remote does not have `remoteRef` yet.
    public var isNewRef: Bool { remoteSha.isZero }
}

/// An export whose value at a pushed commit differs from the realm's contract, or cannot be
/// read there.
public struct PrePushFinding: Sendable {
    public var update: RefUpdate
    public var state: ExportState
    /// The changed paths of the push that touch the export's sources.
    public var touched: [String]
}

public struct PrePushResult: Sendable {
    public var realm: String
    /// The realm commit compared against, and when it was fetched.
    public var realmCommit: OID?
    public var fetchedAt: Int64?
    public var findings: [PrePushFinding] = []
    /// Said on standard error; never block (the realm not fetched yet, exports that cannot be checked).
    public var notices: [String] = []
    /// How many (update, export) pairs had their value extracted and compared.
    public var checked = 0
}

/// The pre-push hook's check: an export whose sources the push changes must still produce the
/// value the realm records, or the push would ship a contract change nobody was told about.
///
/// Fast path: when no pushed change touches an export's sources (or the repo exports nothing)
/// it reads only refs, the membership file and this repo's bindings; no value is extracted.
/// It compares against the realm as last fetched (no network unless `realm.prePushFetch`).
public enum PrePush {
    /// At most this much standard input (git sends one short line per pushed ref).
    static let maxInput = 16 << 20

    /// Reads standard input, at most `maxInput` + 1 bytes (more is refused by `parse`).
    public static func readStandardInput() -> [UInt8] {
        RealmSupport.readStandardInput(upTo: maxInput + 1)
    }

    /// Parses git's lines. Anything else is a usage error naming the line.
    public static func parse(_ bytes: [UInt8]) throws -> [RefUpdate] {
        guard bytes.count <= maxInput else {
            throw RealmError(.usage, "more than \(maxInput >> 20) MiB on standard input; expected git's ref lines",
                             hint: "git runs this hook with one line per pushed ref on standard input")
        }
        var updates: [RefUpdate] = []
        let text = String(decoding: bytes, as: UTF8.self)
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 4, !fields[0].isEmpty, !fields[2].isEmpty,
                  let local = parseSha(fields[1]), let remote = parseSha(fields[3]) else {
                throw RealmError(.usage, "line \(index + 1) of standard input is not '<local ref> <local sha> <remote ref> <remote sha>': \(quoted(line))",
                                 hint: "git gives this hook the refs being pushed on standard input; run it through 'git push'")
            }
            updates.append(RefUpdate(localRef: String(fields[0]), localSha: local, remoteRef: String(fields[2]), remoteSha: remote))
        }
        return updates
    }

    private static func parseSha(_ s: Substring) -> OID? {
        guard s.utf8.count == 40, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }) else {
            return nil
        }
        return OID(hex: String(s).lowercased())
    }

    /// The line as a short, printable quotation (control characters escaped, long lines cut).
    static func quoted(_ line: Substring) -> String {
        var out = ""
        for scalar in line.unicodeScalars.prefix(100) {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\x" + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        if line.unicodeScalars.count > 100 { out += "..." }
        return "'" + out + "'"
    }

    public static func check(participant: Participant, remote: String, updates: [RefUpdate],
                             settings: HookSettings) throws -> PrePushResult {
        var result = PrePushResult(realm: participant.realm)
        let repository = participant.repository
        let pushed = updates.filter { !$0.isDeletion }
        guard settings.prePush != .off, !pushed.isEmpty else { return result }

        for update in pushed where (try? repository.commit(update.localSha)) == nil {
            throw RealmError(.usage, "\(update.localRef) \(update.localSha.hex): no such commit in this repository")
        }
        // What each pushed commit changes, against how this repo computes its exports: its own
        // .gitrealm at that commit, never the realm. Nothing touched: no fetch, no realm read.
        var work: [(update: RefUpdate, declared: RepoDeclarations, paths: [String])] = []
        var seen = Set<String>()
        for update in pushed {
            let base = try baseCommit(for: update, remote: remote, repository: repository)
            guard seen.insert("\(base?.hex ?? "-")..\(update.localSha.hex)").inserted else { continue }
            let declared = try Trace.region("this repo's exports read") {
                try RepoDeclarations.load(in: repository, at: update.localSha)
            }
            guard !declared.exports.isEmpty else { continue }
            let paths = try repository.changedPaths(from: base, to: update.localSha)
            guard declared.exports.contains(where: { ExportDrift.touches($0.binding, paths) }) else { continue }
            work.append((update, declared, paths))
        }
        guard !work.isEmpty else { return result }

        if settings.prePushFetch, let problem = participant.hookFetch(timeout: settings.fetchTimeout) {
            result.notices.append(problem)
        }
        guard let tip = try participant.fetchedTip() else {
            result.notices.append("realm '\(participant.realm)' has not been fetched in this clone; exports not checked (run 'git realm status --fetch')")
            return result
        }
        result.realmCommit = tip
        result.fetchedAt = try participant.lastFetched()
        let snapshot = participant.snapshot(at: tip)

        for (update, declared, paths) in work {
            for state in try ExportDrift.compute(participant: participant, snapshot: snapshot, commit: update.localSha,
                                                 declarations: declared, onlyTouching: paths, values: false) {
                let touched = paths.filter { ExportDrift.touches(state.export, [$0]) }
                if state.contract == nil || state.export.extraction == nil {
                    if let problem = state.problem { result.notices.append("\(state.contractName): not checked: \(problem)") }
                    continue
                }
                result.checked += 1
                if state.problem != nil || state.drifted {
                    result.findings.append(PrePushFinding(update: update, state: state, touched: touched))
                }
            }
        }
        return result
    }

    /// What the remote already has of the pushed history: the remote's old value of the ref;
    /// for a new ref (or an old value not present here), the merge base of the pushed commit
    /// with the remote's tracking refs (any remote's, when that remote has none here). nil when
    /// there is none either: every file of the pushed commit counts as changed.
    static func baseCommit(for update: RefUpdate, remote: String, repository: Repository) throws -> OID? {
        if !update.isNewRef, (try? repository.commit(update.remoteSha)) != nil { return update.remoteSha }
        var tips = ((try? repository.references(glob: RefLayout.remoteTrackingRefs(remote: remote))) ?? []).map(\.oid)
        if tips.isEmpty {
            tips = ((try? repository.references(glob: RefLayout.allRemoteTrackingRefs)) ?? []).map(\.oid)
        }
        tips = tips.filter { (try? repository.commit($0)) != nil }
        return try repository.mergeBase(update.localSha, withAnyOf: tips)
    }
}
