import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// A change across the repos of a realm (docs/change.md): `feat/<name>` as a worktree at
/// `.worktrees/feat-<name>/` in every repo taking part, recorded in the realm as
/// `changes/<name>.yaml`; `commit` and `push` act on every worktree of it, in dependency order.
/// Each command reports per repo, goes on past a repo that fails (push stops: what follows
/// depends on it), and a re-run does only what is left.
public enum CoordinatedChange {
    /// What happened in one repo.
    public struct RepoResult: Sendable {
        public enum State: String, Sendable {
            case created, exists, committed, unchanged, pushed, upToDate = "up-to-date", removed, absent
            case failed, skipped
        }
        public var repo: String
        public var state: State
        /// The worktree's path, when known.
        public var path: String?
        /// A commit id (the new commit, the pushed tip, the base) when there is one.
        public var commit: String?
        /// One line: why it failed, or what there is to know.
        public var detail: String?
        /// Set when the repo was cloned first (`--clone-missing`): where.
        public var clonedInto: String?

        public var failed: Bool { state == .failed }

        public var json: JSONValue {
            ["repo": .string(repo), "state": .string(state.rawValue), "path": path.map { .string($0) } ?? .null,
             "commit": commit.map { .string($0) } ?? .null, "detail": detail.map { .string($0) } ?? .null,
             "cloned_into": clonedInto.map { .string($0) } ?? .null]
        }
    }

    public struct Report: Sendable {
        public var change: String
        public var branch: String
        /// In the order the repos were handled (dependency order).
        public var repos: [RepoResult]
        /// The realm commit that recorded the change, nil when the record was already so.
        public var recordCommit: OID?
        public var failures: [RepoResult] { repos.filter(\.failed) }

        public var json: JSONValue {
            ["change": .string(change), "branch": .string(branch),
             "record_commit": recordCommit.map { .string($0.hex) } ?? .null,
             "ok": .bool(failures.isEmpty), "repos": .array(repos.map(\.json))]
        }

        /// The error a partial failure exits with: the repos that failed, the kind of the first.
        public func failure(_ verb: String) -> RealmError? {
            guard !failures.isEmpty else { return nil }
            let names = failures.map(\.repo).joined(separator: ", ")
            return RealmError(.checkFailed, "\(verb) failed in \(failures.count) of \(repos.count) repo(s): \(names)",
                              hint: "fix what is named above and run the same command again: it does only what is left")
        }
    }

    /// The folder of a change's worktree inside a repo's working tree.
    public static let worktreesFolder = ".worktrees"
    public static func worktreeRelativePath(_ name: String) -> String { "\(worktreesFolder)/feat-\(name)" }

    /// A usage error unless `name` may name a change.
    public static func validate(_ name: String) throws {
        guard ChangeRecord.isValidName(name) else {
            throw RealmError(.usage, "invalid change name '\(name)': use letters, digits, and '.', '_' or single '-' between them (at most 64)",
                             hint: "for example: git realm worktree --rfc training-metrics-v2")
        }
    }

    // MARK: - worktree

    public struct Start {
        public var name: String
        public var domains: [String] = []
        public var repos: [String] = []
        public var base: String?
        public var cloneMissing = false
        public var allowLocal = false

        public init(name: String) { self.name = name }
    }

    /// `git realm worktree --rfc NAME`: the worktrees, then the record.
    public static func start(_ request: Start, in participant: Participant) throws -> Report {
        try validate(request.name)
        if let base = request.base, base.hasPrefix("-") || base.isEmpty {
            throw RealmError(.usage, "invalid --base '\(base)': name a branch, tag or commit")
        }
        try participant.fetch()
        let snapshot = try participant.snapshot()
        let existing = try snapshot.change(request.name)
        let chosen = try chooseRepos(request, participant: participant, snapshot: snapshot)
        let all = Array(Set(chosen + (existing?.repos.map(\.repo) ?? [])))
        let ordered = try DependencyGraph.build(from: snapshot).order(of: all)
        let checkouts = Checkouts(participant: participant)
        let name = request.name
        let branchName = RefLayout.changeBranchName(change: name)
        var results: [RepoResult] = []
        var bases: [String: String] = Dictionary((existing?.repos ?? []).map { ($0.repo, $0.base) }, uniquingKeysWith: { a, _ in a })
        for repo in ordered {
            var result = RepoResult(repo: repo, state: .failed)
            do {
                var path = try checkouts.path(of: repo)
                if path == nil {
                    path = try clone(repo, request: request, snapshot: snapshot, checkouts: checkouts, result: &result)
                }
                guard let checkout = path else { continue }
                let repository = try Repository.open(at: checkout)
                let worktree = checkout + "/" + worktreeRelativePath(name)
                result.path = worktree
                try repository.excludeLocally(worktreesFolder + "/")
                let branchRef = RefLayout.changeBranch(change: name)
                let real = realPath(worktree) ?? worktree
                if let present = try repository.linkedWorktrees().first(where: { (realPath($0.path) ?? $0.path) == real && !$0.prunable }) {
                    guard present.branch == branchRef else {
                        throw RealmError(.refused, "\(worktree) is a worktree on \(present.branch.map(RefLayout.shortBranchName) ?? "a detached HEAD"), not \(branchName)")
                    }
                    result.state = .exists
                    result.commit = present.head?.hex
                } else {
                    if fileExists(worktree) {
                        throw RealmError(.refused, "\(worktree) exists and is not a worktree of \(repo)", hint: "move it away and run again")
                    }
                    repository.pruneWorktrees()
                    let tip = try repository.resolve(ref: branchRef)
                    let base = try tip ?? baseCommit(request.base, in: repository, repo: repo)
                    try repository.addWorktree(at: worktree, branch: branchName, base: base, branchExists: tip != nil)
                    result.state = .created
                    result.commit = base.hex
                    if tip != nil { result.detail = "on the existing branch \(branchName)" }
                }
                if bases[repo] == nil { bases[repo] = try baseOf(result, repository: repository, branchRef: branchRef) }
            } catch {
                result.state = .failed
                result.detail = RealmError.wrap(error).message
            }
            results.append(result)
        }
        // The record names every repo with a worktree of the change (a failed repo joins it on the re-run).
        let members = ordered.compactMap { repo in bases[repo].map { ChangeRecord.Member(repo: repo, base: $0) } }
        var commit: OID?
        if !members.isEmpty {
            let email = ((try? participant.repository.configString(ConfigKey.userEmail)) ?? nil) ?? ""
            // The user's session names the change, in the same push (docs/awareness.md).
            commit = try participant.writer(session: .start(change: name)).commit { snapshot in
                guard let snapshot else { throw RealmError(.usage, "the realm has no main branch") }
                let current = try snapshot.change(name)
                var record = current ?? ChangeRecord(name: name, branch: branchName, repos: [], createdBy: email, createdAt: Timestamp.now())
                for member in members where !record.repos.contains(where: { $0.repo == member.repo }) { record.repos.append(member) }
                if let current, current == record { return nil }
                var change = RealmChange(message: current == nil ? "Start change \(name) (\(record.repos.map(\.repo).joined(separator: ", ")))"
                                                                  : "Change \(name): add \(record.repos.map(\.repo).filter { r in !(current?.repos.contains { $0.repo == r } ?? false) }.joined(separator: ", "))")
                change.write(ChangeRecord.path(name), record)
                return change
            }
        }
        // Nothing to write on main (the record was already so): the session alone.
        if commit == nil { try Sessions.push(participant, mode: .start(change: name)) }
        return Report(change: name, branch: branchName, repos: results, recordCommit: commit)
    }

    /// The repos a new change takes part in: `--repos`, the members of `--domain`s, or of every
    /// domain this repo is a member of; both: the named repos, each a member of a named domain.
    static func chooseRepos(_ request: Start, participant: Participant, snapshot: RealmSnapshot) throws -> [String] {
        let registered = Set(try snapshot.repoNames())
        for repo in request.repos {
            if let problem = Names.problem(with: repo) { throw RealmError(.usage, "repo name '\(repo)' \(problem)") }
            guard registered.contains(repo) else {
                throw RealmError(.usage, "unknown repo '\(repo)': it is not registered in realm '\(participant.realm)'")
            }
        }
        var domains = request.domains
        for domain in domains {
            if let problem = Names.problem(with: domain) { throw RealmError(.usage, "domain name '\(domain)' \(problem)") }
            guard try snapshot.domain(domain) != nil else {
                throw RealmError(.usage, "unknown domain '\(domain)' in realm '\(participant.realm)'")
            }
        }
        if domains.isEmpty && !request.repos.isEmpty { return Array(Set(request.repos + [participant.name])).sorted() }
        if domains.isEmpty {
            for domain in try snapshot.domainNames() where try snapshot.domain(domain)?.members.contains(participant.name) ?? false {
                domains.append(domain)
            }
            guard !domains.isEmpty else {
                throw RealmError(.usage, "\(participant.name) is in no domain of realm '\(participant.realm)'",
                                 hint: "name the repos with --repos a,b or a domain with --domain D")
            }
        }
        var members = Set<String>()
        for domain in domains { members.formUnion(try snapshot.domain(domain)?.members ?? []) }
        members = members.filter { Names.isValid($0) && registered.contains($0) }
        if request.repos.isEmpty { return members.sorted() }
        for repo in request.repos where !members.contains(repo) {
            throw RealmError(.usage, "repo '\(repo)' is not a member of \(domains.joined(separator: ", "))")
        }
        return request.repos.sorted()
    }

    /// Clones a member that has no local clone when asked to and its URL is acceptable;
    /// otherwise fails for that repo with what to do. The clone goes beside this repository's
    /// main working tree, in a folder named as the repo.
    static func clone(_ repo: String, request: Start, snapshot: RealmSnapshot, checkouts: Checkouts,
                      result: inout RepoResult) throws -> String? {
        let key = ConfigKey.realmCheckout(realm: checkouts.participant.realm, repo: repo) ?? ConfigKey.realmCheckout(realm: checkouts.participant.realm)
        guard request.cloneMissing else {
            throw RealmError(.usage, "no local clone of \(repo) is known",
                             hint: "clone it and record it with 'git config --global \(key) PATH', or run again with --clone-missing")
        }
        guard Names.isValid(repo) else { throw RealmError(.usage, "repo name '\(repo)' is not a valid name") }
        guard let url = try snapshot.repo(repo)?.url, !url.isEmpty else {
            throw RealmError(.usage, "no local clone of \(repo) is known, and repos/\(repo).yaml has no URL to clone it from",
                             hint: "clone it and record it with 'git config --global \(key) PATH'")
        }
        if let refusal = GitRemote.cloneRefusal(url, allowLocal: request.allowLocal) {
            throw RealmError(.refused, "will not clone \(repo): its URL in the realm \(refusal)")
        }
        let parent = try checkouts.mainWorkdir().split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let target = (parent.isEmpty ? "" : parent) + "/" + repo
        if fileExists(target) {
            throw RealmError(.refused, "cannot clone \(repo) into \(target): it exists and is not a clone of \(repo) in this realm",
                             hint: "record the clone with 'git config --global \(key) PATH'")
        }
        let policy = try RealmRemote.policy(for: checkouts.participant.repository)
        do {
            try GitRemote.clone(url: url, into: target, allowLocal: request.allowLocal, policy: policy)
        } catch {
            throw RealmError(.network, "cannot clone \(repo) from \(GitRemote.displayURL(url)): \(error.reason)")
        }
        guard let found = Checkouts.membership(at: target, realm: checkouts.participant.realm), found.repo == repo else {
            throw RealmError(.refused, "cloned \(GitRemote.displayURL(url)) into \(target), but its \(Membership.fileName) does not say it is \(repo) of realm '\(checkouts.participant.realm)'",
                             hint: "look at the clone, then remove it or record it yourself")
        }
        // Its origin is the realm's choice: a forge on that host gets no token unless the user
        // trusts the host themselves (docs/forges.md, "Which host gets a token").
        try? Repository.open(at: target).setConfig(ConfigKey.forgeRemotesFromRealm, "true")
        checkouts.record(repo, at: target)
        result.clonedInto = target
        return target
    }

    static func baseCommit(_ base: String?, in repository: Repository, repo: String) throws -> OID {
        if let base {
            do { return try repository.commitNamed(base) } catch {
                throw RealmError(.usage, "\(repo) has no commit named '\(base)' (--base)")
            }
        }
        guard let head = try repository.headCommit() else { throw RealmError(.usage, "\(repo) has no commit yet") }
        return head
    }

    /// The commit a repo's change branch started from: the new worktree's base, else where the
    /// branch left the main working tree's HEAD.
    static func baseOf(_ result: RepoResult, repository: Repository, branchRef: String) throws -> String? {
        if result.state == .created, result.detail == nil { return result.commit }
        guard let tip = try repository.resolve(ref: branchRef) else { return nil }
        if let head = try repository.headCommit(), let base = (try? repository.mergeBase(tip, withAnyOf: [head])) ?? nil { return base.hex }
        return tip.hex
    }

    // MARK: - finding a change

    /// The change to act on: `name` when given; else the change whose branch is checked out here;
    /// else the only recorded change this repo takes part in.
    /// The realm as last fetched is read first; when it does not know the change (a teammate, or
    /// another repo of this user, started it), the realm is fetched once and read again.
    public static func resolve(_ name: String?, in participant: Participant) throws -> ChangeRecord {
        if let name { try validate(name) }
        if let found = try find(name, in: participant, snapshot: try participant.snapshot()) { return found }
        if let warning = try participant.fetchOrFallBack() { throw RealmError(.network, warning) }
        if let found = try find(name, in: participant, snapshot: try participant.snapshot()) { return found }
        return try find(name, in: participant, snapshot: try participant.snapshot(), orThrow: true)!
    }

    private static func find(_ name: String?, in participant: Participant, snapshot: RealmSnapshot,
                             orThrow: Bool = false) throws -> ChangeRecord? {
        if let name {
            guard let record = try snapshot.change(name) else {
                guard orThrow else { return nil }
                throw RealmError(.usage, "realm '\(participant.realm)' has no change named '\(name)'",
                                 hint: "start it with 'git realm worktree --rfc \(name)', or fetch: 'git realm status --fetch'")
            }
            return record
        }
        if let branch = participant.repository.workdir.flatMap(Repository.currentBranch(at:)),
           let current = RefLayout.parseChangeBranch(branch), ChangeRecord.isValidName(current),
           let record = try snapshot.change(current) {
            return record
        }
        var mine: [ChangeRecord] = []
        for change in try snapshot.changeNames() {
            if let record = try? snapshot.change(change), record.repos.contains(where: { $0.repo == participant.name }) {
                mine.append(record)
            }
        }
        guard mine.count == 1 else {
            guard orThrow else { return nil }
            throw RealmError(.usage, mine.isEmpty ? "\(participant.name) takes part in no change of realm '\(participant.realm)'"
                                                  : "\(participant.name) takes part in \(mine.count) changes: \(mine.map(\.name).joined(separator: ", "))",
                             hint: mine.isEmpty ? "start one with 'git realm worktree --rfc NAME'" : "name one with --rfc NAME, or run in its worktree")
        }
        return mine[0]
    }

    /// The change's repos in dependency order (exporters first; the order `push` and `pr` use).
    public static func orderedRepos(of record: ChangeRecord, in participant: Participant) throws -> [String] {
        let repos = record.repos.map(\.repo).filter(Names.isValid)
        return try DependencyGraph.build(from: try participant.snapshot()).order(of: repos)
    }

    // MARK: - commit

    /// The trailers of a commit in `repo`'s worktree of the change: `Realm-Change: NAME`, and in
    /// an importer a `Depends-On:` line for each PR of its exporters in the change that the
    /// record names (`git realm pr` records them; docs/pr.md).
    public static func trailers(for record: ChangeRecord, repo: String, dependsOn exporters: [String] = []) -> [String] {
        ["Realm-Change: \(record.name)"] + record.pullRequests
            .filter { exporters.contains($0.repo) && ChangeRecord.PullRequestEntry.isValidURL($0.url) }
            .map { "Depends-On: \($0.url)" }
    }

    /// `git realm commit`: in every worktree of the change that has something to commit.
    public static func commit(_ record: ChangeRecord, message: String, all: Bool, in participant: Participant) throws -> Report {
        guard !message.trimmingWhitespace().isEmpty else { throw RealmError(.usage, "the commit message is empty (-m MSG)") }
        let checkouts = Checkouts(participant: participant)
        var results: [RepoResult] = []
        let order = ChangeOrder(repos: try orderedRepos(of: record, in: participant), graph: try DependencyGraph.build(from: try participant.snapshot()))
        for repo in order.repos {
            var result = RepoResult(repo: repo, state: .failed)
            do {
                let worktree = try worktreePath(of: repo, record: record, checkouts: checkouts)
                result.path = worktree
                let state = try Repository.workingTreeState(at: worktree)
                let hasChanges = all ? state.staged + state.unstaged > 0 : state.staged > 0
                if !hasChanges {
                    result.state = .unchanged
                    var notes: [String] = []
                    if !all && state.unstaged > 0 { notes.append("\(state.unstaged) unstaged change(s): add them, or commit with --all") }
                    if state.untracked > 0 { notes.append("\(state.untracked) untracked file(s) left alone: 'git add' them in the worktree") }
                    result.detail = notes.isEmpty ? nil : notes.joined(separator: "; ")
                } else {
                    let oid = try Repository.commit(at: worktree, message: message, all: all,
                                                    trailers: trailers(for: record, repo: repo, dependsOn: order.predecessors[repo] ?? []))
                    result.state = .committed
                    result.commit = oid.hex
                    if state.untracked > 0 { result.detail = "\(state.untracked) untracked file(s) left alone" }
                }
            } catch {
                result.state = .failed
                result.detail = RealmError.wrap(error).message
            }
            results.append(result)
        }
        return Report(change: record.name, branch: record.branch, repos: results, recordCommit: nil)
    }

    /// The worktree of `repo` for the change; throws naming what is missing.
    static func worktreePath(of repo: String, record: ChangeRecord, checkouts: Checkouts) throws -> String {
        guard let checkout = try checkouts.path(of: repo) else {
            throw RealmError(.usage, "no local clone of \(repo) is known",
                             hint: "run 'git realm worktree --rfc \(record.name) --clone-missing'")
        }
        let worktree = checkout + "/" + worktreeRelativePath(record.name)
        guard isDirectory(worktree) else {
            throw RealmError(.usage, "\(repo) has no worktree of change \(record.name) (\(worktree))",
                             hint: "run 'git realm worktree --rfc \(record.name)'")
        }
        return worktree
    }

    // MARK: - push

    /// `git realm push`: the change's branch of every repo, exporters first, each with a lease
    /// on what `remote` had when this clone last saw it. Stops at the first failure (the repos
    /// after it depend on it or come later in the order): they are reported as skipped.
    public static func push(_ record: ChangeRecord, remote: String, in participant: Participant) throws -> Report {
        guard Names.isValid(remote) || RefLayout.isValidComponent(remote), !remote.hasPrefix("-") else {
            throw RealmError(.usage, "invalid remote name '\(remote)'")
        }
        let checkouts = Checkouts(participant: participant)
        let branchRef = RefLayout.changeBranch(change: record.name)
        let trackingRef = RefLayout.remoteChangeBranch(remote: remote, change: record.name)
        var results: [RepoResult] = []
        var stopped: String?
        for repo in try orderedRepos(of: record, in: participant) {
            var result = RepoResult(repo: repo, state: .failed)
            if let stopped {
                result.state = .skipped
                result.detail = "not pushed: \(stopped) failed before it"
                results.append(result)
                continue
            }
            do {
                guard let checkout = try checkouts.path(of: repo) else {
                    throw RealmError(.usage, "no local clone of \(repo) is known")
                }
                result.path = checkout + "/" + worktreeRelativePath(record.name)
                let repository = try Repository.open(at: checkout)
                guard let tip = try repository.resolve(ref: branchRef) else {
                    throw RealmError(.usage, "\(repo) has no branch \(record.branch)", hint: "run 'git realm worktree --rfc \(record.name)'")
                }
                guard repository.hasRemote(remote) else {
                    throw RealmError(.usage, "\(repo) has no remote '\(remote)'", hint: "add one with 'git remote add \(remote) URL', or pass --remote")
                }
                result.commit = tip.hex
                let known = try repository.resolve(ref: trackingRef)
                if known == tip {
                    result.state = .upToDate
                } else {
                    let policy = try RealmRemote.policy(for: repository)
                    do {
                        try GitRemote.push(repoDir: checkout, url: remote, refspecs: ["\(branchRef):\(branchRef)"], atomic: false,
                                           leases: [(branchRef, known)], policy: policy, runHooks: true)
                    } catch {
                        // What the remote said (a hook's refusal) says more than git's summary line.
                        let said = error.stderr.split(separator: "\n").filter { $0.hasPrefix("remote: ") }
                            .map { String($0.dropFirst("remote: ".count)).trimmingWhitespace() }.filter { !$0.isEmpty }
                        let reason = said.isEmpty ? error.reason : "\(error.reason) (the remote said: \(said.prefix(3).joined(separator: "; ").prefix(300)))"
                        throw RealmError(.network, "cannot push \(record.branch) to \(remote): \(reason)",
                                         hint: error.isRejected ? "the remote branch moved since this clone last saw it: fetch and look before pushing again" : nil)
                    }
                    result.state = .pushed
                }
            } catch {
                result.state = .failed
                result.detail = RealmError.wrap(error).message
                stopped = repo
            }
            results.append(result)
        }
        return Report(change: record.name, branch: record.branch, repos: results, recordCommit: nil)
    }

    // MARK: - list, remove

    /// One worktree of a change, as `worktree list` shows it.
    public struct Listed: Sendable {
        public var change: String
        public var branch: String
        public var repo: String
        public var path: String?
        /// "present", "missing" (no worktree here), "no-clone", or "error".
        public var state: String
        public var head: String?
        public var uncommitted: Int
        public var detail: String?

        public var json: JSONValue {
            ["change": .string(change), "branch": .string(branch), "repo": .string(repo), "path": path.map { .string($0) } ?? .null,
             "state": .string(state), "head": head.map { .string($0) } ?? .null, "uncommitted": .number(Double(uncommitted)),
             "detail": detail.map { .string($0) } ?? .null]
        }
    }

    /// Every recorded change this repo or a local clone takes part in, with each repo's worktree here.
    public static func list(in participant: Participant) throws -> [Listed] {
        let snapshot = try participant.snapshot()
        let checkouts = Checkouts(participant: participant)
        var items: [Listed] = []
        for name in try snapshot.changeNames() {
            guard let record = try? snapshot.change(name) else { continue }
            for repo in try orderedRepos(of: record, in: participant) {
                var item = Listed(change: name, branch: record.branch, repo: repo, path: nil, state: "no-clone", head: nil, uncommitted: 0)
                do {
                    if let checkout = try checkouts.path(of: repo) {
                        let worktree = checkout + "/" + worktreeRelativePath(name)
                        item.path = worktree
                        if isDirectory(worktree) {
                            item.state = "present"
                            let state = try Repository.workingTreeState(at: worktree)
                            item.uncommitted = state.staged + state.unstaged + state.untracked
                            item.head = try Repository.open(at: checkout).resolve(ref: RefLayout.changeBranch(change: name))?.hex
                        } else {
                            item.state = "missing"
                        }
                    }
                } catch {
                    item.state = "error"
                    item.detail = RealmError.wrap(error).message
                }
                items.append(item)
            }
        }
        return items
    }

    /// `git realm worktree remove NAME`: removes every worktree of the change here; refuses,
    /// before removing any, when one holds uncommitted work (untracked files included), unless
    /// `force`. Branches, commits and the realm's record stay.
    public static func remove(_ record: ChangeRecord, force: Bool, in participant: Participant) throws -> Report {
        let checkouts = Checkouts(participant: participant)
        var found: [(repo: String, checkout: String, worktree: String)] = []
        var results: [String: RepoResult] = [:]
        let order = try orderedRepos(of: record, in: participant)
        var dirty: [String] = []
        for repo in order {
            guard let checkout = try? checkouts.path(of: repo) else {
                results[repo] = RepoResult(repo: repo, state: .absent, detail: "no local clone")
                continue
            }
            let worktree = checkout + "/" + worktreeRelativePath(record.name)
            guard isDirectory(worktree) else {
                results[repo] = RepoResult(repo: repo, state: .absent, path: worktree)
                continue
            }
            let state = try Repository.workingTreeState(at: worktree)
            if !state.isClean {
                dirty.append("\(repo) (\(state.staged + state.unstaged) changed, \(state.untracked) untracked)")
            }
            found.append((repo, checkout, worktree))
        }
        if !dirty.isEmpty && !force {
            throw RealmError(.refused, "uncommitted work in the worktree of \(dirty.joined(separator: ", ")): nothing removed",
                             hint: "commit it ('git realm commit -m MSG --all'), or remove anyway with --force")
        }
        for (repo, checkout, worktree) in found {
            var result = RepoResult(repo: repo, state: .removed, path: worktree)
            do {
                try Repository.open(at: checkout).removeLinkedWorktree(at: worktree, force: force)
            } catch {
                result.state = .failed
                result.detail = RealmError.wrap(error).message
            }
            results[repo] = result
        }
        return Report(change: record.name, branch: record.branch, repos: order.compactMap { results[$0] }, recordCommit: nil)
    }
}
