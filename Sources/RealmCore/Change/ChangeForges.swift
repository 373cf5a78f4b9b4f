import RealmForge
import RealmGit
import RealmModel
import RealmSupport

/// The forge of each repo of a change (docs/pr.md "Which forge"): `forge:` in
/// `repos/<repo>.yaml`, else the git-native forge on the repo's own remote. The one place forge
/// adapters are created (`make`). Adapters are kept for the command's life, so that a PR in one
/// repo can ask about a PR it depends on in another.
public final class ChangeForges: @unchecked Sendable {
    let participant: Participant
    let snapshot: RealmSnapshot
    let checkouts: Checkouts
    /// The remote the git-native forge uses in every repo (`--remote`, default origin).
    let remote: String
    private var made: [String: any Forge] = [:]

    init(participant: Participant, snapshot: RealmSnapshot, remote: String) {
        self.participant = participant
        self.snapshot = snapshot
        self.checkouts = Checkouts(participant: participant)
        self.remote = remote
    }

    /// Where `repo`'s pull requests live, as its realm entry says (checked when read).
    func location(of repo: String) throws -> ForgeLocation {
        guard let setting = try snapshot.repo(repo)?.forge else { return ForgeLocation(kind: .git, api: nil, repo: repo) }
        guard let kind = ForgeKind(rawValue: setting.kind) else {
            throw RealmError(.usage, "\(RepoEntry.path(repo)): field 'forge.kind' is '\(setting.kind)', not one of \(ForgeSetting.kinds.joined(separator: ", "))")
        }
        return ForgeLocation(kind: kind, api: setting.api, repo: kind == .git ? repo : setting.repo)
    }

    /// The forge adapter of `repo`.
    func forge(for repo: String) throws -> any Forge {
        if let forge = made[repo] { return forge }
        let forge = try make(repo: repo, location: try location(of: repo))
        made[repo] = forge
        return forge
    }

    /// THE place forge adapters are created: the git-native forge here, the HTTP adapters
    /// (Forgejo/Gitea, GitHub) by `ForgeFactory` (docs/forges.md), with a token only for a host
    /// the user trusts: the hosts of the repo's clone's remotes, `realm.forge.trustedHost`.
    private func make(repo: String, location: ForgeLocation) throws -> any Forge {
        switch location.kind {
        case .git:
            guard let checkout = try checkouts.path(of: repo) else {
                throw RealmError(.usage, "no local clone of \(repo) is known: the git-native forge talks to its remote through it",
                                 hint: "run 'git realm worktree --rfc NAME --clone-missing', or record the clone with 'git config --global \(ConfigKey.realmCheckout(realm: participant.realm, repo: repo) ?? ConfigKey.realmCheckout(realm: participant.realm)) PATH'")
            }
            let repository = try Repository.open(at: checkout)
            guard repository.hasRemote(remote) else {
                throw RealmError(.usage, "\(repo) has no remote '\(remote)' (the git-native forge keeps pull requests there)",
                                 hint: "add one with 'git remote add \(remote) URL', or pass --remote")
            }
            let user = ((try? repository.configString(ConfigKey.userEmail)) ?? nil) ?? "unknown"
            return GitNativeForge(repo: repo, checkout: checkout, remote: remote, user: user,
                                  policy: try RealmRemote.policy(for: repository),
                                  dependencyState: { [self] (ref: PullRequestRef) throws(ForgeError) -> PullRequestState in
                                      try self.state(of: ref)
                                  },
                                  reviewJudge: { [self] (evidence: ReviewEvidence) -> ReviewProof in self.judge(evidence) })
        case .forgejo, .gitea, .github:
            // The clone of the repo says which hosts its user trusts; without one known, only
            // the hosts they listed in their config.
            let checkout = try checkouts.path(of: repo)
            let repository = try checkout.map { path throws -> Repository in try Repository.open(at: path) } ?? participant.repository
            let policy = CredentialPolicy(trustedHosts: ForgeTrust.trustedHosts(repository: repository), gitDirectory: checkout)
            do {
                return try ForgeFactory.make(location, credentials: policy)
            } catch {
                throw RealmError(error.isAccess ? .refused : .usage, "\(RepoEntry.path(repo)): \(Self.describe(error))")
            }
        }
    }

    private var reviewJudge: ReviewJudge?

    /// Whether a git-native review counts (ReviewJudge); unproven when the realm cannot be read.
    func judge(_ evidence: ReviewEvidence) -> ReviewProof {
        if reviewJudge == nil { reviewJudge = try? ReviewJudge(snapshot: snapshot, repository: participant.repository) }
        return reviewJudge?.judge(evidence) ?? .unproven("the realm's keys cannot be read")
    }

    /// The realm repo whose forge names its PRs `ref.repo`.
    func realmRepo(of ref: PullRequestRef) -> String? {
        for repo in (try? snapshot.repoNames()) ?? [] {
            if let location = try? location(of: repo), (location.repo ?? repo) == ref.repo { return repo }
        }
        return nil
    }

    /// The state of a PR in another repo of the realm (for the git-native forge's merge check).
    func state(of ref: PullRequestRef) throws(ForgeError) -> PullRequestState {
        guard let repo = realmRepo(of: ref) else { throw .notFound("no repo of the realm has pull requests named \(ref.repo)") }
        let forge: any Forge
        do { forge = try self.forge(for: repo) } catch { throw .unavailable(RealmError.wrap(error).message) }
        return try forge.pullRequest(number: ref.number).state
    }

    /// How PRs of `repo` are named by other PRs (`Depends-On`, dependencies).
    func ref(of repo: String, number: Int) throws -> PullRequestRef {
        let location = try location(of: repo)
        return PullRequestRef(repo: location.repo ?? repo, number: number)
    }

    /// The branch PRs of `repo` merge into: `base` when given, else the remote's default branch
    /// as the clone knows it (`refs/remotes/<remote>/HEAD`), else `main`.
    func baseBranch(of repo: String, given base: String?) throws -> String {
        if let base { return base }
        guard let checkout = try checkouts.path(of: repo) else { return "main" }
        return (try? Repository.open(at: checkout))?.remoteDefaultBranch(remote: remote) ?? "main"
    }

    /// A forge's error as one line for the report.
    static func describe(_ error: ForgeError) -> String {
        switch error {
        case .unauthorized(let s): "unauthorized: \(s)"
        case .notFound(let s): "not found: \(s)"
        case .refused(let s): "refused: \(s)"
        case .notMergeable(let s): "not mergeable: \(s)"
        case .headMoved(let expected, let actual): "the head moved from \(expected.prefix(12)) to \(actual.prefix(12)) since it was checked: not merged"
        case .unavailable(let s): "unavailable: \(s)"
        case .malformed(let s): "malformed answer: \(s)"
        }
    }

    static func message(_ error: any Error) -> String {
        if let forge = error as? ForgeError { return describe(forge) }
        return RealmError.wrap(error).message
    }
}

/// Who must merge before whom in a change: the realm's dependency graph, restricted to the
/// change's repos (also through repos outside it: a -> x -> b puts a before b).
struct ChangeOrder {
    /// The change's repos in merge order.
    let repos: [String]
    /// Every repo of the change that `repo` depends on.
    let predecessors: [String: [String]]
    /// Those not already implied by another predecessor ("Blocked by:").
    let direct: [String: [String]]

    init(repos ordered: [String], graph: DependencyGraph) {
        repos = ordered
        var reach: [String: Set<String>] = [:]
        func reachable(_ from: String) -> Set<String> {
            if let known = reach[from] { return known }
            var seen = Set<String>(), stack = [from]
            while let next = stack.popLast() {
                for edge in graph.edges where edge.from == next && !seen.contains(edge.to) {
                    seen.insert(edge.to)
                    stack.append(edge.to)
                }
            }
            reach[from] = seen
            return seen
        }
        var predecessors: [String: [String]] = [:], direct: [String: [String]] = [:]
        for repo in ordered {
            let before = ordered.filter { $0 != repo && reachable($0).contains(repo) }
            predecessors[repo] = before
            direct[repo] = before.filter { p in !before.contains { q in q != p && reachable(p).contains(q) } }
        }
        self.predecessors = predecessors
        self.direct = direct
    }

    /// "exports", "imports", "imports and exports" within the change; nil for an independent repo.
    func role(of repo: String) -> String? {
        let imports = !(predecessors[repo] ?? []).isEmpty
        let exports = repos.contains { (predecessors[$0] ?? []).contains(repo) }
        switch (imports, exports) {
        case (true, true): return "imports and exports"
        case (true, false): return "imports"
        case (false, true): return "exports"
        default: return nil
        }
    }

    static func ordinal(_ n: Int) -> String {
        let words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
        if n >= 1 && n <= words.count { return words[n - 1] }
        let suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }
}

extension ForgeError {
    /// Refused for want of trust or credentials (not a mistake in the command).
    var isAccess: Bool {
        if case .unauthorized = self { return true }
        return false
    }
}
