import RealmGit
import RealmLimits
import RealmJSON
import RealmModel
import RealmSupport

/// What `git realm status` shows: read from the last fetched realm (no network unless asked).
public struct StatusReport: Sendable {
    public struct ContractInfo: Sendable {
        public var name: String
        public var version: String
        public var owner: String
    }
    public struct ImportInfo: Sendable {
        public var contract: String
        public var from: String?
        public var range: String
        /// As computed against the realm's published versions: current, stale or broken.
        public var status: String
        /// As the binding file records it.
        public var recordedStatus: String
        public var resolvedVersion: String?
        public var binding: String?
        public var newestVersion: String?
        public var reason: String?
        public var changes: [String] = []
    }
    /// A consumer of one of this repo's exports, with the range it imports.
    public struct Consumer: Sendable {
        public var repo: String
        public var range: String
        /// What it acknowledged (its binding's resolved_version).
        public var resolved: String? = nil
    }
    /// A `sync/<repo>/<stamp>` branch in the realm: a change waiting for approval.
    public struct SyncBranch: Sendable {
        public var ref: String
        public var repo: String
        public var stamp: String
        public var commit: String
        public var subject: String
        /// Opened by this repo.
        public var yours: Bool
        /// Changes a domain this repo is in.
        public var concernsYou: Bool
        /// Where its record on main stands (nil: no record, an older git-realm's proposal).
        public var ready: Bool? = nil
        /// What it still needs (approval, the grace period's countdown), one phrase each.
        public var needs: [String] = []
        public var graceEndsAt: Int64? = nil
        /// `20260101-000000` as `2026-01-01T00:00:00Z` when it has that shape.
        public var createdAt: String? {
            let d = Array(stamp)
            guard d.count == 15, d[8] == "-", d.enumerated().allSatisfy({ $0.offset == 8 || $0.element.isNumber }) else { return nil }
            let s = String(d)
            func part(_ a: Int, _ b: Int) -> Substring { s.dropFirst(a).prefix(b - a) }
            return "\(part(0, 4))-\(part(4, 6))-\(part(6, 8))T\(part(9, 11)):\(part(11, 13)):\(part(13, 15))Z"
        }
        public var json: JSONValue {
            ["ref": .string(ref), "repo": .string(repo), "stamp": .string(stamp), "commit": .string(commit),
             "subject": .string(subject), "created_at": createdAt.map { .string($0) } ?? .null,
             "yours": .bool(yours), "concerns_you": .bool(concernsYou),
             "ready": ready.map { .bool($0) } ?? .null, "needs": .array(needs.map { .string($0) }),
             "grace_ends_at": graceEndsAt.map { .string(Timestamp.format($0)) } ?? .null]
        }
    }
    /// An export whose working-tree value differs from the realm (or cannot be read).
    public struct Drift: Sendable {
        public var state: ExportState
        public var consumers: [Consumer]
    }
    public struct ExportInfo: Sendable {
        public var contract: String
        public var sourceFiles: [String]
        public var consumers: [String]
        public var consumerRanges: [Consumer] = []
    }
    public struct DomainInfo: Sendable {
        public var name: String
        public var role: String
        public var members: [String]
        public var contracts: [ContractInfo]
        public var exports: [ExportInfo]
        public var imports: [ImportInfo]
    }

    public var realm: String
    public var url: String
    public var repo: String
    public var realmCommit: String
    public var fetchedAt: Int64?
    public var fetchError: String?
    /// The newest realm commit whose history this repository verified (docs/trust.md); nil when
    /// none was (a realm fetched before verification existed).
    public var verifiedCommit: String?
    public var domains: [DomainInfo]
    public var warnings: [String]
    /// Pending notifications addressed to this repo, oldest first.
    public var notifications: [IncomingNotification] = []
    /// For this repo's exports: who acknowledged each version, who has not.
    public var acknowledgements: [VersionAcknowledgements] = []
    /// Sync branches waiting in the realm (all of them; `concernsYou` marks this repo's).
    public var syncBranches: [SyncBranch] = []
    /// This repo's exports as extracted from the working tree, compared with the realm.
    public var exportStates: [ExportState] = []
    public var drifts: [Drift] = []
    public var importStates: [ImportState] = []
    /// Sessions in this repo and the repos sharing a domain with it, as last fetched (docs/awareness.md).
    public var sessions: [SessionView] = []

    /// The last fetch is older than this (seconds): status says so.
    public static let oldFetch: Int64 = 86_400

    public var fetchAgeSeconds: Int64? { fetchedAt.map { max(0, Timestamp.nowSeconds() - $0) } }
    public var fetchIsOld: Bool { (fetchAgeSeconds ?? Self.oldFetch + 1) > Self.oldFetch }

    public var json: JSONValue {
        var realmObject: JSONObject = ["name": .string(realm), "url": .string(url), "commit": .string(realmCommit)]
        realmObject["fetched_at"] = fetchedAt.map { .string(Timestamp.format($0)) } ?? .null
        if let fetchError { realmObject["fetch_error"] = .string(fetchError) }
        realmObject["verified_commit"] = verifiedCommit.map { .string($0) } ?? .null
        realmObject["verified"] = .bool(verifiedCommit == realmCommit)
        realmObject["fetched_age_seconds"] = fetchAgeSeconds.map { .integer(Int($0)) } ?? .null
        realmObject["fetch_is_old"] = .bool(fetchIsOld)
        return [
            "realm": .object(realmObject),
            "repo": .string(repo),
            "domains": .array(domains.map { d in
                [
                    "name": .string(d.name),
                    "role": .string(d.role),
                    "members": .array(d.members.map { .string($0) }),
                    "contracts": .array(d.contracts.map { ["name": .string($0.name), "version": .string($0.version), "owner": .string($0.owner)] }),
                    "exports": .array(d.exports.map {
                        ["contract": .string($0.contract), "source_files": .array($0.sourceFiles.map { .string($0) }),
                         "consumers": .array($0.consumers.map { .string($0) }),
                         "consumer_ranges": .array($0.consumerRanges.map { ["repo": .string($0.repo), "version": .string($0.range)] })]
                    }),
                    "imports": .array(d.imports.map { i in
                        var o: JSONObject = ["contract": .string(i.contract), "version": .string(i.range), "status": .string(i.status)]
                        o["from"] = i.from.map { .string($0) } ?? .null
                        o["resolved_version"] = i.resolvedVersion.map { .string($0) } ?? .null
                        o["binding"] = i.binding.map { .string($0) } ?? .null
                        o["recorded_status"] = .string(i.recordedStatus)
                        o["newest_version"] = i.newestVersion.map { .string($0) } ?? .null
                        o["reason"] = i.reason.map { .string($0) } ?? .null
                        o["changes"] = .array(i.changes.map { .string($0) })
                        return .object(o)
                    }),
                ]
            }),
            "warnings": .array(warnings.map { .string($0) }),
            "notifications": .array(notifications.map(\.json)),
            "acknowledgements": .array(acknowledgements.map(\.json)),
            "sync_branches": .array(syncBranches.map(\.json)),
            "export_drift": .array(drifts.map { d in
                var o = d.state.json.objectValue ?? [:]
                o["affected"] = .array(d.consumers.map { ["repo": .string($0.repo), "version": .string($0.range)] })
                return .object(o)
            }),
            "import_status": .array(importStates.map(\.json)),
            "sessions": .array(sessions.map(\.json)),
        ]
    }

    /// Reads only what concerns `participant`: its domains, their contracts and bindings.
    public static func build(for participant: Participant, fetch: Bool) throws -> StatusReport {
        var fetchError: String?
        if fetch {
            do { try participant.fetch() } catch let error as RealmError where [.network, .conflict, .refused].contains(error.kind) {
                // Unreachable, busy, or refused by history verification: the last usable state stands, said why.
                fetchError = error.message
            }
        }
        guard let tip = try participant.fetchedTip() else {
            throw RealmError(.notInRealm, fetchError ?? "realm '\(participant.realm)' has not been fetched here",
                             hint: "run 'git realm status --fetch'")
        }
        let realm = participant.snapshot(at: tip)
        let me = participant.name
        var warnings: [String] = []
        if try realm.repo(me) == nil {
            warnings.append("repo '\(me)' is not registered in the realm (left, or not yet pushed); run 'git realm admin join' again")
        }
        let repository = participant.repository
        let notesTip = try Notifications.notesTip(participant)
        var domains: [DomainInfo] = []
        var notifications: [IncomingNotification] = []
        var acknowledgements: [VersionAcknowledgements] = []
        var importStates: [ImportState] = []
        var hasExports = false
        for domainName in try realm.domains(of: me) {
            guard let binding = try realm.binding(domain: domainName, repo: me) else { continue }
            let domain = try realm.domain(domainName)
            var contracts: [ContractInfo] = []
            // The files read whole, by file name: the `name:` inside a file is the realm's word.
            var readFiles: Set<String> = []
            for name in try realm.contractNames(in: domainName) {
                // From the head of the contract's history index when it is at this tip (no
                // blob read: an imported contract's file grows with its evolution list), else
                // by blob id from the cache (docs/cache.md), else decoded.
                if let c = ContractHistory.summary(repository: repository, realmTip: tip, domain: domainName, contract: name) {
                    contracts.append(ContractInfo(name: c.name, version: c.version, owner: c.owner))
                    readFiles.insert(name)
                } else if let c = try ContractReads.summary(realm, domain: domainName, name: name, cache: participant.cache) {
                    contracts.append(ContractInfo(name: c.name, version: c.version, owner: c.owner))
                    readFiles.insert(name)
                }
            }
            var consumersByContract: [String: [Consumer]] = [:]
            if !binding.exports.isEmpty {
                for repo in try realm.bindingRepos(in: domainName) where repo != me {
                    for entry in try realm.binding(domain: domainName, repo: repo)?.imports ?? [] {
                        consumersByContract[entry.contract, default: []].append(
                            Consumer(repo: repo, range: entry.version, resolved: entry.resolvedVersion))
                    }
                }
            }
            // Imports: classified against the realm's history, and their notifications, reading
            // each contract's history once.
            var imports: [ImportInfo] = []
            for entry in binding.imports {
                let history = try ContractHistory.load(for: entry, repository: repository, realmTip: tip, domain: domainName)
                let state = try ImportCheck.classify(entry, domain: domainName, repository: repository,
                                                     snapshot: realm, tip: tip, history: history, cache: participant.cache,
                                                     contractRead: readFiles.contains(entry.contract))
                importStates.append(state)
                let (found, forged) = try Notifications.incoming(repository: repository, notesTip: notesTip, repo: me,
                                                                 entry: entry, history: history)
                notifications += found.filter(\.pending)
                if forged > 0 {
                    warnings.append("\(forged) notification line(s) about \(entry.contract) ignored: they do not match the realm commit they are on (forged, or written by hand)")
                }
                imports.append(ImportInfo(contract: entry.contract, from: entry.from, range: entry.version,
                                          status: state.status.rawValue, recordedStatus: entry.status,
                                          resolvedVersion: entry.resolvedVersion, binding: entry.binding,
                                          newestVersion: state.newest.map { $0.version.description },
                                          reason: state.reason, changes: state.changes))
            }
            // Exports: who acknowledged what (only when the realm has notes at all).
            for export in binding.exports {
                hasExports = true
                guard notesTip != nil else { continue }
                let history = try ContractHistory.load(acknowledgedBy: (consumersByContract[export.contract] ?? []).map(\.resolved),
                                                       repository: repository, realmTip: tip, domain: domainName,
                                                       contract: export.contract)
                acknowledgements += try Notifications.outgoing(
                    repository: repository, notesTip: notesTip, domain: domainName, contract: export.contract,
                    importers: (consumersByContract[export.contract] ?? []).map(\.repo),
                    resolved: Dictionary((consumersByContract[export.contract] ?? []).compactMap { c in c.resolved.map { (c.repo, $0) } },
                                         uniquingKeysWith: { first, _ in first }),
                    history: history)
            }
            domains.append(DomainInfo(
                name: domainName, role: binding.role, members: domain?.members ?? [], contracts: contracts,
                exports: binding.exports.map { ExportInfo(contract: $0.contract, sourceFiles: $0.sourceFiles,
                                                          consumers: (consumersByContract[$0.contract] ?? []).map(\.repo),
                                                          consumerRanges: consumersByContract[$0.contract] ?? []) },
                imports: imports))
        }

        // Local export drift: the working tree against the realm, computed as this repo's own
        // .gitrealm declares (an export it does not declare is only a warning).
        var exportStates: [ExportState] = []
        var drifts: [Drift] = []
        if hasExports {
            exportStates = try ExportDrift.compute(participant: participant, snapshot: realm, values: false)
            for state in exportStates where state.contract == nil || state.export.extraction == nil {
                if let problem = state.problem { warnings.append("export \(state.contractName): not checked: \(problem)") }
            }
            exportStates = exportStates.filter { $0.export.extraction != nil && $0.contract != nil }
            for state in exportStates where state.drifted || state.problem != nil {
                let consumers = domains.first { $0.name == state.domain }?.exports
                    .first { $0.contract == state.contractName }?.consumerRanges ?? []
                drifts.append(Drift(state: state, consumers: consumers))
            }
        }

        let syncBranches = try pendingSyncBranches(participant: participant, domains: domains.map(\.name))
        let (shown, omitted) = Notifications.newest(notifications)
        notifications = shown
        if omitted > 0 { warnings.append("\(omitted) older pending notifications not shown") }
        let verified = try participant.repository.resolve(ref: RefLayout.verified(realm: participant.realm))
        // Sessions: as last fetched (a fetch brings them; status never pushes or fetches for them).
        let (sessions, ignoredSessions) = try Sessions.shown(participant)
        if ignoredSessions > 0 {
            warnings.append("\(ignoredSessions) session ref(s) ignored: not valid sessions of their repo (forged, oversized or malformed; docs/trust.md)")
        }
        var report = StatusReport(realm: participant.realm, url: GitURL.redacted(participant.membership.url), repo: me,
                            realmCommit: tip.hex, fetchedAt: try participant.lastFetched(), fetchError: fetchError,
                            verifiedCommit: verified?.hex,
                            domains: domains, warnings: warnings,
                            notifications: notifications,
                            acknowledgements: acknowledgements, syncBranches: syncBranches,
                            exportStates: exportStates, drifts: drifts, importStates: importStates)
        report.sessions = sessions
        return report
    }

    /// The realm's pending `sync/<repo>/<stamp>` branches as last fetched. Whether one concerns
    /// this repo is read from one tree diff limited to this repo's domains (no file is parsed).
    static func pendingSyncBranches(participant: Participant, domains: [String]) throws -> [SyncBranch] {
        let repository = participant.repository
        func snapshot(_ commit: OID) -> RealmSnapshot { participant.snapshot(at: commit) }
        let main = try repository.resolve(ref: RefLayout.fetchedMain(realm: participant.realm))
        var result: [SyncBranch] = []
        for branch in try PendingSyncBranch.pending(in: repository, realm: participant.realm, main: main) {
            guard let info = try? repository.commit(branch.commit) else { continue }
            var concerns = branch.repo == participant.name
            if !concerns, let parent = info.parents.first {
                // Whether it changes one of this repo's domains: one tree id per domain, never a
                // diff (a proposal's tree may be arbitrarily large).
                for domain in domains where !concerns {
                    let path = "domains/\(domain)"
                    concerns = try repository.entry(at: path, in: parent)?.oid != repository.entry(at: path, in: branch.commit)?.oid
                }
            }
            let subject = String(info.message.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
            var entry = SyncBranch(ref: RefLayout.shortBranchName(RefLayout.realmSyncBranch(repo: branch.repo, stamp: branch.stamp)), repo: branch.repo, stamp: branch.stamp,
                                   commit: branch.commit.hex, subject: subject, yours: branch.repo == participant.name,
                                   concernsYou: concerns)
            // What it waits for, from its record on main: approval, or the grace period's countdown.
            if concerns, let main, let proposal = (try? snapshot(main).proposal(repo: branch.repo, stamp: branch.stamp)) ?? nil {
                let contracts = Proposals.proposedContracts(proposal, in: repository)
                if contracts.count == proposal.files.count,
                   let standing = try? ProposalStanding.evaluate(proposal, in: snapshot(main), proposed: contracts, excluding: [],
                                                                 startedAt: Proposals.started(proposal, repository: repository, snapshot: snapshot(main))) {
                    let now = Timestamp.nowSeconds()
                    entry.ready = standing.ready(at: now)
                    entry.needs = standing.needs(at: now)
                    entry.graceEndsAt = standing.waitingFor.isEmpty ? nil : standing.graceEndsAt
                }
            }
            result.append(entry)
        }
        return result
    }
}
