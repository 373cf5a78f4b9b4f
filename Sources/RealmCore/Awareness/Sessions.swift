import RealmGit
import RealmJSON
import RealmLimits
import RealmModel
import RealmSupport

/// A session as a member shows it.
public struct SessionView: Sendable {
    public var record: SessionRecord
    /// No activity for longer than its TTL.
    public var idle: Bool
    /// This user's session in this repo.
    public var you: Bool

    public init(record: SessionRecord, idle: Bool, you: Bool) {
        self.record = record
        self.idle = idle
        self.you = you
    }

    public var json: JSONValue {
        var o = record.json.objectValue ?? [:]
        o["idle"] = .bool(idle)
        o["you"] = .bool(you)
        return .object(o)
    }
}

/// Sessions in git (docs/awareness.md): start, refresh, stop, read, prune. A session lives on
/// the realm remote as `refs/realm/sessions/<repo>/<user>`; members mirror them into
/// `refs/realm/<realm>/sessions/` with every realm fetch. Each is judged by `SessionRule`
/// when read: an invalid one is counted and ignored.
public enum Sessions {
    /// What a push does to this user's session.
    public enum Mode: Sendable, Equatable {
        /// Refresh an active session's last activity; nothing when there is none.
        case refresh
        /// Start a session, or refresh it; `change` (when given) names the change worked on.
        case start(change: String?)
        /// End it (a stopped record, which anyone may prune).
        case stop
    }

    struct Entry {
        var repo: String
        var user: String
        var oid: OID
        var record: SessionRecord?
    }

    /// The sessions as last fetched, judged against the fetched main (at most `Limits.sessionsRead`).
    static func read(_ participant: Participant, now: Int64) throws -> [Entry] {
        let realm = participant.realm
        let refs = try participant.repository.references(glob: RefLayout.fetchedSessions(realm: realm))
        guard !refs.isEmpty else { return [] }
        let rule = SessionRule(repository: participant.repository, main: try participant.fetchedTip(), now: now)
        var result: [Entry] = []
        for (name, oid) in refs.prefix(Limits.sessionsRead) {
            guard let (repo, user) = RefLayout.parseFetchedSession(name, realm: realm) else { continue }
            result.append(Entry(repo: repo, user: user, oid: oid, record: try? rule.judge(oid, repo: repo, user: user)))
        }
        return result
    }

    /// The sessions to show to this repo: valid, not stopped, in this repo or a repo sharing a
    /// domain with it (all of them with `everyRepo`), this user's first; and how many session
    /// refs were ignored as invalid (forged, oversized, malformed).
    public static func shown(_ participant: Participant, now: Int64 = Timestamp.nowSeconds(),
                             everyRepo: Bool = false) throws -> (sessions: [SessionView], ignored: Int) {
        let entries = try read(participant, now: now)
        guard !entries.isEmpty else { return ([], 0) }
        let myID = try? identity(participant).user
        var neighbours: Set<String> = [participant.name]
        if !everyRepo, let tip = try participant.fetchedTip() {
            let snapshot = participant.snapshot(at: tip)
            for domain in (try? snapshot.domains(of: participant.name)) ?? [] {
                for member in ((try? snapshot.domain(domain)) ?? nil)?.members ?? [] { neighbours.insert(member) }
            }
        }
        var views: [SessionView] = []
        for entry in entries {
            guard let record = entry.record, !record.stopped, everyRepo || neighbours.contains(record.repo) else { continue }
            views.append(SessionView(record: record, idle: record.isIdle(at: now),
                                     you: record.repo == participant.name && record.user == myID))
        }
        views.sort { ($0.you ? 0 : 1, $0.record.repo, $0.record.user) < ($1.you ? 0 : 1, $1.record.repo, $1.record.user) }
        return (views, entries.filter { $0.record == nil }.count)
    }

    /// This user's email and id, as the session commit will be authored.
    static func identity(_ participant: Participant) throws -> (email: String, user: String) {
        let email = try participant.repository.authorIdentity().email
        guard let user = SessionRecord.userID(email: email) else {
            throw RealmError(.usage, "the email '\(email)' cannot name a session (at most \(Names.maxLength) characters, a valid ref name)",
                             hint: "set user.email (git config user.email you@example.com)")
        }
        return (email, user)
    }

    /// The TTL this user's sessions carry: `realm.sessionTTL` (seconds), default 2 h.
    static func ttl(_ repository: Repository) throws -> Int64 {
        guard let text = (try? repository.configString(ConfigKey.sessionTTL)) ?? nil else { return Limits.sessionTTLDefault }
        var t = Substring(text.trimmingWhitespace())
        if t.hasSuffix("s") { t.removeLast() }
        guard let seconds = Int64(t), SessionRecord.validTTL(seconds) else {
            throw RealmError(.usage, "\(ConfigKey.sessionTTL): '\(text)' is not a number of seconds from \(Limits.sessionTTLMinimum) to \(Limits.sessionTTLMaximum)",
                             hint: "fix it with 'git config' (docs/awareness.md)")
        }
        return seconds
    }

    /// Refs a realm push carries for sessions: this user's session as `mode` makes it, and the
    /// deletion of sessions prunable at `now` (with `Limits.clockSkewSeconds` to spare), each
    /// leased on the value last fetched. nil when there is nothing to push.
    public static func updates(_ participant: Participant, mode: Mode, now: Int64 = Timestamp.nowSeconds()) throws -> RealmWriter.AlongsideRefs? {
        let repository = participant.repository
        let realm = participant.realm
        let entries = try read(participant, now: now)
        var result = RealmWriter.AlongsideRefs()
        let me = try? identity(participant)
        let mine = me.flatMap { me in entries.first { $0.repo == participant.name && $0.user == me.user } }
        var active = mine?.record.flatMap { $0.stopped ? nil : $0 }
        // Idle past its TTL: a new session starts (a refresh does not revive it).
        if let record = active, record.isPrunable(at: now) { active = nil }
        var written: SessionRecord?
        switch mode {
        case .refresh:
            written = active
        case .start(let change):
            let me = try identity(participant)
            written = active ?? SessionRecord(repo: participant.name, user: me.user, email: me.email, change: nil,
                                              domains: [], exports: [], startedAt: 0, lastActivity: 0, ttl: 0)
            if active == nil { written?.startedAt = Repository.commitTime() }
            if let change { written?.change = change }
        case .stop:
            if let record = active {
                written = record
                written?.stopped = true
            }
        }
        if var record = written, let me {
            record.lastActivity = max(Repository.commitTime(), record.startedAt)
            record.ttl = try ttl(repository)
            if let tip = try participant.fetchedTip() {
                let snapshot = participant.snapshot(at: tip)
                let domains = ((try? snapshot.domains(of: participant.name)) ?? []).prefix(Limits.sessionListItems)
                record.domains = Array(domains)
                var exports: [String] = []
                for domain in domains {
                    for export in ((try? snapshot.binding(domain: domain, repo: participant.name)) ?? nil)?.exports ?? [] {
                        if !exports.contains(export.contract) { exports.append(export.contract) }
                    }
                }
                record.exports = Array(exports.prefix(Limits.sessionListItems))
            }
            let requireSigned = try participant.fetchedTip().map { (try? participant.snapshot(at: $0).config())?.trust.requireSignedCommits == true } ?? false
            let commit = try makeCommit(record, in: repository, requireSigned: requireSigned)
            let ref = RefLayout.realmSession(repo: participant.name, user: me.user)
            result.refspecs.append("\(commit.hex):\(ref)")
            result.leases.append((ref: ref, expected: mine?.oid))
            result.mirrors.append((ref: RefLayout.fetchedSession(realm: realm, repo: participant.name, user: me.user), value: commit))
        }
        // Prune what anyone may delete: stopped, or idle past its TTL (with margin for clocks).
        var pruned = 0
        for entry in entries where pruned < Limits.sessionListItems {
            guard let record = entry.record, record.isPrunable(at: now, margin: Limits.clockSkewSeconds),
                  !(entry.repo == participant.name && entry.user == me?.user && written != nil) else { continue }
            let ref = RefLayout.realmSession(repo: entry.repo, user: entry.user)
            result.refspecs.append(":\(ref)")
            result.leases.append((ref: ref, expected: entry.oid))
            result.mirrors.append((ref: RefLayout.fetchedSession(realm: realm, repo: entry.repo, user: entry.user), value: nil))
            pruned += 1
        }
        return result.refspecs.isEmpty ? nil : result
    }

    /// The session commit: no parent, git's empty tree, the record as its message; signed when
    /// git is set up to sign (git's own settings), as every realm write.
    static func makeCommit(_ record: SessionRecord, in repository: Repository, requireSigned: Bool) throws -> OID {
        let tree = try repository.buildTree(base: nil, changes: [:])
        let author = Signature(name: try repository.authorIdentity().name, email: record.email)
        if let signer = try CommitSigner.configured(in: repository) {
            return try repository.createSignedCommit(tree: tree, parents: [], message: record.message, author: author, signer: signer)
        }
        if requireSigned {
            throw RealmError(.refused, "the realm requires signed commits, and git is not set up to sign here; no session was written",
                             hint: "git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub (docs/trust.md)")
        }
        return try repository.createCommit(tree: tree, parents: [], message: record.message, author: author)
    }

    /// Fetches the realm's sessions alone (one exchange the size of an ls-remote and the session
    /// commits; no history), pruning the ones gone.
    public static func fetch(_ participant: Participant) throws {
        let policy = try RealmRemote.policy(for: participant.repository)
        let url = participant.membership.url
        do {
            try GitRemote.fetch(repoDir: participant.repository.workdir ?? participant.repository.gitDir, url: url,
                                refspecs: [RefLayout.sessionFetchRefspec(realm: participant.realm)], prune: true, policy: policy)
        } catch {
            throw RealmRemote.unreachable(realm: participant.realm, url: url, error, verb: "fetch sessions from", preposition: "at")
        }
    }

    /// `session start` / `session stop`: one push (leased); when someone moved a session meanwhile,
    /// fetch the sessions and push again. Returns this user's session as pushed (nil: none to stop).
    @discardableResult
    public static func push(_ participant: Participant, mode: Mode) throws -> SessionRecord? {
        let policy = try RealmRemote.policy(for: participant.repository)
        let url = participant.membership.url
        for attempt in 1...4 {
            guard let updates = try updates(participant, mode: mode) else { return nil }
            do {
                try GitRemote.push(repoDir: participant.repository.workdir ?? participant.repository.gitDir, url: url,
                                   refspecs: updates.refspecs, atomic: true, leases: updates.leases, policy: policy)
            } catch where error.isRejected && attempt < 4 {
                try fetch(participant)
                continue
            } catch {
                // The realm's server refused it (its pre-receive hook says why, docs/trust.md).
                let said = error.stderr.split(separator: "\n").map { $0.trimmingWhitespace() }
                    .first { $0.hasPrefix("remote:") && $0.contains("refused") }
                if let said {
                    throw RealmError(.refused, "realm '\(participant.realm)' refused the session: \(said.dropFirst("remote:".count).trimmingWhitespace())",
                                     hint: "a session is written by a maintainer of its repo, signed where the realm requires it (docs/trust.md, \"Sessions\")")
                }
                throw RealmRemote.unreachable(realm: participant.realm, url: url, error, verb: "push the session to", preposition: "at")
            }
            try updates.recordPushed(in: participant.repository)
            let me = try identity(participant)
            let ref = RefLayout.fetchedSession(realm: participant.realm, repo: participant.name, user: me.user)
            return updates.mirrors.first { $0.ref == ref }?.value.flatMap { oid in
                (try? participant.repository.commit(oid)).flatMap { try? SessionRecord.decode(message: $0.message) }
            }
        }
        return nil
    }
}

extension RealmWriter.AlongsideRefs {
    /// Moves the local mirrors to what was pushed (a ref another command moved meanwhile is
    /// left to the next fetch).
    func recordPushed(in repository: Repository) throws {
        for (ref, value) in mirrors {
            if let value { try? repository.setRef(ref, to: value, message: "git-realm: session pushed") } else { try? repository.deleteRef(ref, expected: nil) }
        }
    }
}
