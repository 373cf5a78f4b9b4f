import RealmForge
import RealmGit
import RealmModel
import RealmSupport

/// The pull request on the realm's own forge for a sync proposal (docs/forges.md, "Realm PRs
/// for sync proposals"): when realm.yaml names an HTTP forge (`forge:`), a `sync` that goes to
/// a sync branch opens one from `sync/<repo>/<stamp>` into main (or updates the one that is
/// open), titled as the seeds do ("aperture: s3-permissions 1.5.0"), asking the maintainers of
/// the importers it affects to review it. The proposal itself is the realm's record; the PR is
/// where people look, so failing to open it warns and changes nothing else.
public enum RealmProposalPR {
    public struct Outcome: Sendable {
        public var number: Int
        public var url: String
        public var created: Bool
        public var reviewers: [String]
        /// Reviewers the forge would not ask (a maintainer it does not know by that name).
        public var warning: String?
    }

    /// The realm's forge adapter, nil when realm.yaml names none over HTTP. The token goes only
    /// to the host of the realm's URL or a host in `realm.forge.trustedHost`.
    static func forge(participant: Participant, config: RealmConfig) throws -> (any Forge)? {
        guard let setting = config.forge, setting.isHTTP, let kind = ForgeKind(rawValue: setting.kind) else { return nil }
        let configured = (try? participant.repository.configMultivar(ConfigKey.forgeTrustedHost)) ?? []
        let hosts = ForgeTrust.trustedHosts(remoteURLs: [participant.membership.url], configured: configured)
        do {
            return try ForgeFactory.make(ForgeLocation(kind: kind, api: setting.api, repo: setting.repo),
                                         credentials: CredentialPolicy(trustedHosts: hosts, gitDirectory: participant.repository.workdir))
        } catch {
            throw RealmError(error.isAccess ? .refused : .usage, "realm.yaml: forge: \(ChangeForges.describe(error))")
        }
    }

    /// Opens or updates the PR for `report`'s sync branch; nil when there is no branch or no forge.
    public static func open(participant: Participant, report: SyncOperation.Report) throws -> Outcome? {
        guard !report.dryRun, let branch = report.branchName, !report.published.isEmpty else { return nil }
        let snapshot = try participant.snapshot()
        guard let forge = try forge(participant: participant, config: try snapshot.config()) else { return nil }
        let title = "\(report.repo): " + report.published.map { "\($0.contract) \($0.to)" }.joined(separator: ", ")
        var body = "Sync proposal of \(report.repo) (`git realm proposals` shows what it still needs).\n"
        for p in report.published {
            body += "\n\(p.contract): \(p.from) → \(p.to) (\(p.breaking ? "breaking" : "compatible"), \(p.bump) bump)\n"
            for line in p.changes { body += "  \(line)\n" }
        }
        let consumers = Array(Set(report.published.flatMap(\.consumers))).sorted()
        // Forges know their users by name: each importer's `forge_users` (its maintainers'
        // accounts there); an importer that names none is said, not guessed from emails.
        var reviewers: [String] = []
        var unnamed: [String] = []
        for consumer in consumers {
            let users = (try snapshot.repo(consumer))?.forgeUsers ?? []
            if users.isEmpty { unnamed.append(consumer) }
            for user in users where !reviewers.contains(user) { reviewers.append(user) }
        }
        let noReviewers = unnamed.isEmpty ? nil
            : "no reviewer asked for \(unnamed.joined(separator: ", ")): its repos/<repo>.yaml names no forge_users (its maintainers: git realm admin join --forge-user NAME)"
        if !consumers.isEmpty { body += "\nImporters: \(consumers.joined(separator: ", "))\n" }
        do {
            var created = false
            var pr: PullRequest
            if let open = try forge.findPullRequest(head: branch, base: "main") {
                pr = open
                if pr.title != title || pr.body != body { pr = try forge.updatePullRequest(number: pr.number, title: title, body: body) }
            } else {
                pr = try forge.createPullRequest(NewPullRequest(title: title, body: body, head: branch, base: "main", draft: false))
                created = true
            }
            var warning = noReviewers
            if !reviewers.isEmpty {
                do { try forge.requestReviewers(number: pr.number, reviewers: reviewers) } catch {
                    warning = [warning, "the forge did not ask \(reviewers.joined(separator: ", ")) to review: \(ChangeForges.describe(error))"]
                        .compactMap { $0 }.joined(separator: "; ")
                }
            }
            return Outcome(number: pr.number, url: pr.url, created: created, reviewers: reviewers, warning: warning)
        } catch {
            throw RealmError(error.isAccess ? .refused : .network, "the realm's PR for \(branch): \(ChangeForges.describe(error))")
        }
    }

    /// A proposal's PR as `proposals` shows it.
    public struct Found: Sendable {
        public var number: Int
        public var url: String
    }

    /// The open PR for a proposal's branch on the realm's forge; nil without a forge or a PR.
    public static func find(participant: Participant, branch: String) throws -> Found? {
        let snapshot = try participant.snapshot()
        guard let forge = try forge(participant: participant, config: try snapshot.config()) else { return nil }
        do { return try forge.findPullRequest(head: branch, base: "main").map { Found(number: $0.number, url: $0.url) } } catch {
            throw RealmError(error.isAccess ? .refused : .network, "the realm's PR for \(branch): \(ChangeForges.describe(error))")
        }
    }
}
