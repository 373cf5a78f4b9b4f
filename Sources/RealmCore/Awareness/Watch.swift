import RealmGit
import RealmJSON
import RealmLimits
import RealmModel
import RealmSupport

/// Something `git realm watch` reports (docs/awareness.md). Every text field came from the realm:
/// printed escaped, handed to `--exec` only as environment values.
public struct WatchEvent: Sendable {
    /// `notification`, `acknowledgement`, `proposal` or `session`.
    public var kind: String
    /// What happened: `published`, `acknowledged`, `opened`, `started`, `changed`, `ended`.
    public var action: String
    /// The repo it comes from.
    public var repo: String
    public var contract: String? = nil
    public var version: String? = nil
    /// A proposal's branch, or a session's change.
    public var detail: String? = nil
    /// One line for people.
    public var message: String
    /// Identity: an event is reported once.
    var key: String

    public var json: JSONValue {
        ["kind": .string(kind), "action": .string(action), "repo": .string(repo),
         "contract": contract.map { .string($0) } ?? .null, "version": version.map { .string($0) } ?? .null,
         "detail": detail.map { .string($0) } ?? .null, "message": .string(message)]
    }

    /// The environment `--exec` gets: GIT_REALM_EVENT_KIND, _ACTION, _REPO, _CONTRACT, _VERSION,
    /// _DETAIL, _MESSAGE and _JSON (the event as one JSON line); each value escaped (no control
    /// characters) and at most `Limits.watchEventValueBytes`.
    public func environment(realm: String) -> [String: String] {
        func bounded(_ s: String) -> String {
            var out = ""
            for ch in Printable.line(s) {
                if out.utf8.count + String(ch).utf8.count > Limits.watchEventValueBytes { break }
                out.append(ch)
            }
            return out
        }
        var env = ["GIT_REALM_EVENT_KIND": kind, "GIT_REALM_EVENT_ACTION": action, "GIT_REALM_EVENT_REPO": repo,
                   "GIT_REALM_EVENT_REALM": realm, "GIT_REALM_EVENT_MESSAGE": message,
                   "GIT_REALM_EVENT_JSON": JSONSerializer.string(json)]
        env["GIT_REALM_EVENT_CONTRACT"] = contract ?? ""
        env["GIT_REALM_EVENT_VERSION"] = version ?? ""
        env["GIT_REALM_EVENT_DETAIL"] = detail ?? ""
        return env.mapValues(bounded)
    }
}

/// `git realm watch`: polls the realm cheaply (the advertised refs, one `ls-remote`), fetches
/// only when main, the notes, a proposal or a session moved, and reports what is new for this
/// repo since the last poll. What was there when watching started is not reported (`status`
/// shows it).
public struct Watcher {
    public let participant: Participant
    private var advertised: [String: OID]?
    private var seen: Set<String> = []
    /// Sessions last seen, by repo/user: their event key.
    private var sessions: [String: String] = [:]
    /// Fetches made (the tests and the trace count them).
    public private(set) var fetches = 0
    /// Longest wait between polls after errors (seconds).
    public static let backoffMaximum = Limits.watchBackoffMaximum

    public init(participant: Participant) {
        self.participant = participant
    }

    /// The realm's refs that matter, as advertised now.
    private func advertisedRefs() throws -> [String: OID] {
        let url = participant.membership.url
        let policy = try RealmRemote.policy(for: participant.repository)
        let refs: [(name: String, oid: OID)]
        do { refs = try GitRemote.lsRemote(url: url, policy: policy) } catch {
            throw RealmRemote.unreachable(realm: participant.realm, url: url, error, verb: "reach", preposition: "at")
        }
        var result: [String: OID] = [:]
        for (name, oid) in refs where name == RefLayout.realmMainBranch || name.hasPrefix(RefLayout.realmNotesPrefix)
            || RefLayout.parseRealmSession(name) != nil || name.hasPrefix(RefLayout.realmSyncBranchPrefix) {
            result[name] = oid
        }
        return result
    }

    /// Fetches the realm and remembers what is there, without reporting it.
    public mutating func start() throws {
        advertised = try advertisedRefs()
        try participant.fetch()
        fetches += 1
        _ = try newEvents()
    }

    /// One poll: the new events since the last one (none when nothing moved: no fetch then).
    public mutating func poll() throws -> [WatchEvent] {
        let now = try advertisedRefs()
        guard now != advertised else { return [] }
        try participant.fetch()
        fetches += 1
        advertised = now
        return try newEvents()
    }

    /// Events in the fetched realm not reported yet.
    private mutating func newEvents() throws -> [WatchEvent] {
        var events: [WatchEvent] = []
        for event in try currentEvents() where seen.insert(event.key).inserted { events.append(event) }
        // Sessions: started or changed (a new key), ended (gone or stopped).
        let (shown, _) = try Sessions.shown(participant)
        var current: [String: String] = [:]
        for s in shown where !s.you {
            let r = s.record
            let id = "\(r.repo)/\(r.user)"
            let key = "session:\(id):\(r.startedAt):\(r.change ?? "")"
            current[id] = key
            guard sessions[id] != key, !s.idle else { continue }
            let action = sessions[id] == nil ? "started" : "changed"
            let what = r.change.map { "working on \($0)" } ?? "active"
            events.append(WatchEvent(kind: "session", action: action, repo: r.repo, detail: r.change,
                                     message: "👤 \(r.repo) session \(action) (\(r.email)): \(what)", key: key))
        }
        for (id, _) in sessions where current[id] == nil {
            let repo = String(id.split(separator: "/").first ?? "")
            events.append(WatchEvent(kind: "session", action: "ended", repo: repo,
                                     message: "👤 \(repo) session ended", key: "ended:\(id)"))
        }
        sessions = current
        return events
    }

    /// Notifications to this repo, acknowledgements of its exports and proposals that concern
    /// it, as fetched (each with a stable key).
    private func currentEvents() throws -> [WatchEvent] {
        guard let tip = try participant.fetchedTip() else { return [] }
        let repository = participant.repository
        let realm = participant.snapshot(at: tip)
        let me = participant.name
        let notesTip = try Notifications.notesTip(participant)
        var events: [WatchEvent] = []
        let domains = try realm.domains(of: me)
        for domain in domains {
            guard let binding = try realm.binding(domain: domain, repo: me) else { continue }
            for entry in binding.imports {
                let history = try ContractHistory.load(repository: repository, realmTip: tip, domain: domain, contract: entry.contract)
                let found: [IncomingNotification] = try Notifications.incoming(repository: repository, notesTip: notesTip, repo: me, entry: entry, history: history)
                for n in found where n.pending {
                    let r = n.record
                    let changes = r.changes.isEmpty ? "" : ": " + r.changes.prefix(5).joined(separator: "; ")
                    events.append(WatchEvent(kind: "notification", action: "published", repo: r.from, contract: r.contract,
                                             version: r.version, message: "🔔 \(r.from): \(n.headline)\(changes)",
                                             key: "notification:\(r.contract):\(r.version)"))
                }
            }
            guard notesTip != nil, !binding.exports.isEmpty else { continue }
            var importers: [String: [String]] = [:]
            var resolved: [String: String] = [:]
            for repo in try realm.bindingRepos(in: domain) where repo != me {
                for entry in try realm.binding(domain: domain, repo: repo)?.imports ?? [] {
                    importers[entry.contract, default: []].append(repo)
                    if let v = entry.resolvedVersion { resolved[repo] = v }
                }
            }
            for export in binding.exports {
                let history = try ContractHistory.load(repository: repository, realmTip: tip, domain: domain, contract: export.contract)
                let versions = try Notifications.outgoing(repository: repository, notesTip: notesTip, domain: domain,
                                                          contract: export.contract, importers: importers[export.contract] ?? [],
                                                          resolved: resolved, history: history)
                for v in versions {
                    for c in v.acknowledged {
                        events.append(WatchEvent(kind: "acknowledgement", action: "acknowledged", repo: c.repo, contract: v.contract,
                                                 version: v.version, message: "✓ \(c.repo) acknowledged \(v.contract) \(v.version)",
                                                 key: "ack:\(v.contract):\(v.version):\(c.repo)"))
                    }
                }
            }
        }
        for branch in try StatusReport.pendingSyncBranches(participant: participant, domains: domains) where branch.concernsYou {
            events.append(WatchEvent(kind: "proposal", action: "opened", repo: branch.repo, detail: branch.ref,
                                     message: "⏳ \(branch.ref) (from \(branch.repo)): \(branch.subject)",
                                     key: "proposal:\(branch.ref):\(branch.commit)"))
        }
        return events
    }
}

/// A command the user named on the command line (`watch --exec`), run directly: never through
/// a shell, the realm's text only in `environment`, bounded by `Limits.watchExecTimeout`.
public enum LocalCommand {
    public static func run(_ command: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        guard let program = command.first else { throw RealmError(.usage, "--exec needs a command") }
        do {
            let result = try ProcessRunner.run(program, Array(command.dropFirst()), environment: environment,
                                               timeout: Limits.watchExecTimeout, passthroughStderr: true)
            return (result.status, result.stdoutText)
        } catch {
            throw RealmError(.usage, "cannot run \(program): \(error.message)")
        }
    }
}
