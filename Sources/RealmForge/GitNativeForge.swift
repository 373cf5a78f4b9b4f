import RealmGit
import RealmLimits
import RealmSupport

/// The git-native forge (docs/pr.md): pull requests for repos with no forge, kept in git on the
/// repo's own remote. PR n is the commit at `refs/realm/pulls/<n>` whose tree holds `pull.json`
/// (title, body, head and base branches, the head it was opened on, state, reviewers,
/// dependencies, reviews); each change is a new commit on the previous one, pushed with a lease,
/// so two writers never lose each other's update. Commit statuses are `statuses.json` at
/// `refs/realm/statuses/<sha>`. `merge` fast-forwards the base branch on the remote, with a
/// lease on it, only while the PR's branch is still at the expected head, in one atomic push
/// with the PR's new state. Everything read back from the remote is checked (`PullMetadata`).
/// All git work goes through RealmGit.
public struct GitNativeForge: Forge {
    public let location: ForgeLocation
    /// The local clone that talks to the remote (objects are written here, then pushed).
    public let checkout: String
    /// The remote's name in that clone (`origin`).
    public let remote: String
    /// Who acts (the author of a new PR, the reviewer of a review): the user's email.
    public let user: String
    public let policy: NetworkPolicy
    /// The state of a PR this one depends on, in another repo (its own forge): a merge waits
    /// until every dependency is merged.
    public let dependencyState: @Sendable (PullRequestRef) throws(ForgeError) -> PullRequestState
    /// Whether a review counts, as the realm proves it (docs/pr.md "Trust"); by default only
    /// a review whose metadata commit is written under the reviewer's email counts, as unsigned.
    public let reviewJudge: @Sendable (ReviewEvidence) -> ReviewProof
    /// What the last fetch found, until this adapter writes: one fetch serves a command's reads
    /// (find, reviews, statuses) of one repo. A merge always fetches anew.
    let cache = FetchCache()

    /// An adapter serves one command on one thread; the cache is not shared across threads.
    final class FetchCache: @unchecked Sendable {
        var snapshot: Snapshot?
        /// The metadata commit of each PR as this command read (checked) it, or last wrote it:
        /// a merge goes through only while the PR is still at that commit.
        var checked: [Int: OID] = [:]
    }

    /// The default judge: the metadata commit's author must be the reviewer; nothing else proven.
    public static let emailOnly: @Sendable (ReviewEvidence) -> ReviewProof = { evidence in
        evidence.commitAuthor == evidence.review.user ? .unsigned
            : .unproven("its metadata commit was written by \(evidence.commitAuthor), not \(evidence.review.user)")
    }

    public init(repo: String, checkout: String, remote: String, user: String, policy: NetworkPolicy,
                dependencyState: @escaping @Sendable (PullRequestRef) throws(ForgeError) -> PullRequestState,
                reviewJudge: @escaping @Sendable (ReviewEvidence) -> ReviewProof = GitNativeForge.emailOnly) {
        location = ForgeLocation(kind: .git, api: nil, repo: repo)
        self.checkout = checkout
        self.remote = remote
        self.user = user
        self.policy = policy
        self.dependencyState = dependencyState
        self.reviewJudge = reviewJudge
    }

    var repoName: String { location.repo ?? "" }

    // MARK: - reading the remote

    /// What the remote holds now: one fetch of its refs/realm/ and branches.
    struct Snapshot {
        var pulls: [Int: OID]
        var branches: (String) throws(ForgeError) -> OID?
    }

    func repository() throws(ForgeError) -> Repository {
        do { return try Repository.open(at: checkout) } catch { throw .unavailable("cannot open \(checkout): \(why(error))") }
    }

    /// Fetches the forge's refs and branches from the remote into refs/realm-forge/<remote>/
    /// (or returns what the last fetch found, when nothing was written since and not `fresh`).
    func fetch(fresh: Bool = false) throws(ForgeError) -> Snapshot {
        if !fresh, let cached = cache.snapshot { return cached }
        cache.snapshot = nil
        let repository = try repository()
        do {
            try GitRemote.fetch(repoDir: checkout, url: remote, refspecs: RefLayout.forgeFetchRefspecs(remote: remote), prune: true, policy: policy)
        } catch {
            throw .unavailable("cannot fetch the pull requests of \(repoName) from \(remote): \(error.reason)")
        }
        var pulls: [Int: OID] = [:]
        let refs: [(name: String, oid: OID)]
        do { refs = try repository.references(glob: RefLayout.fetchedForgePulls(remote: remote)) } catch {
            throw .unavailable("cannot list the fetched pull requests: \(why(error))")
        }
        guard refs.count <= Limits.forgePullRequests else {
            throw .malformed("\(remote) of \(repoName) has \(refs.count) pull request refs, more than the limit of \(Limits.forgePullRequests)")
        }
        for ref in refs {
            guard let n = RefLayout.parseFetchedForgePull(ref.name, remote: remote) else { continue }
            pulls[n] = ref.oid
        }
        let remote = self.remote
        let snapshot = Snapshot(pulls: pulls, branches: { (branch: String) throws(ForgeError) -> OID? in
            guard RefLayout.isValidBranchName(branch) else { return nil }
            do { return try repository.resolve(ref: RefLayout.fetchedForgeBranch(remote: remote, branch: branch)) } catch {
                throw .unavailable("cannot read \(branch): \(why(error))")
            }
        })
        cache.snapshot = snapshot
        return snapshot
    }

    func read(_ number: Int, commit: OID) throws(ForgeError) -> PullMetadata {
        let repository = try repository()
        let place = "\(RefLayout.forgePull(number)) on \(remote) of \(repoName)"
        let bytes: [UInt8]?
        do { bytes = try repository.blob(at: PullMetadata.file, in: commit, limit: Limits.forgeMetadataBytes) } catch {
            throw .malformed("\(place): \(why(error))")
        }
        guard let bytes else { throw .malformed("\(place): has no \(PullMetadata.file)") }
        return try PullMetadata.decode(bytes, number: number, where: place)
    }

    func pullRequest(_ meta: PullMetadata, snapshot: Snapshot) throws(ForgeError) -> PullRequest {
        // The head as the remote has it now; once merged (or the branch is gone) the recorded one.
        let current = meta.state == .open ? try snapshot.branches(meta.head)?.hex : nil
        return PullRequest(number: meta.number, url: url(meta.number), title: meta.title, body: meta.body, head: meta.head,
                           base: meta.base, headSHA: current ?? meta.mergedSHA ?? meta.headSHA, state: try provenState(meta, snapshot: snapshot),
                           draft: meta.draft, author: meta.author, requestedReviewers: meta.reviewers)
    }

    /// The PR's state as the remote bears it out. Whoever may open PRs may write their metadata
    /// (a base branch may be protected while refs/realm/ is not): `merged` counts only when the
    /// base branch on the remote contains the merged head; a claim it does not bear out is
    /// `closed` (not merged, and not to be merged: its importers keep waiting).
    func provenState(_ meta: PullMetadata, snapshot: Snapshot) throws(ForgeError) -> PullRequestState {
        guard meta.state == .merged else { return meta.state }
        guard let merged = meta.mergedSHA.flatMap({ OID(hex: $0) }), let base = try snapshot.branches(meta.base) else { return .closed }
        let repository = try repository()
        let contained = (try? merged == base || repository.isAncestor(merged, of: base)) ?? false
        return contained ? .merged : .closed
    }

    /// The PR's address for people: the remote's URL (without credentials) and the PR's ref.
    public func url(_ number: Int) -> String {
        let base = ((try? repository())?.remoteURL(remote)).map(GitRemote.displayURL) ?? remote
        return "\(base)#\(RefLayout.forgePull(number))"
    }

    func load(_ number: Int, fresh: Bool = false) throws(ForgeError) -> (Snapshot, PullMetadata, OID) {
        let snapshot = try fetch(fresh: fresh)
        guard let commit = snapshot.pulls[number] else { throw .notFound("\(repoName) has no pull request #\(number) on \(remote)") }
        let meta = try read(number, commit: commit)
        if !fresh { cache.checked[number] = commit }
        return (snapshot, meta, commit)
    }

    // MARK: - writing

    /// A new metadata commit on `parent`, pushed to `refs/realm/pulls/<n>` with a lease on
    /// `parent` (nil: the ref must not exist yet), together with `extra` updates in one atomic push.
    func write(_ meta: PullMetadata, parent: OID?, message: String,
               extra: [(refspec: String, lease: (ref: String, expected: OID?))] = []) throws(ForgeError) {
        let repository = try repository()
        let commit: OID
        do {
            let tree = try repository.buildTree(base: nil, changes: [PullMetadata.file: .blob(meta.bytes)])
            // Signed whenever git signs here (as the realm's own writes): a review proves its reviewer.
            if let signer = try CommitSigner.configured(in: repository) {
                commit = try repository.createSignedCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message, signer: signer)
            } else {
                commit = try repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: message)
            }
        } catch {
            throw .unavailable("cannot write pull request #\(meta.number) of \(repoName): \(why(error))")
        }
        let ref = RefLayout.forgePull(meta.number)
        try push(["\(commit.hex):\(ref)"] + extra.map(\.refspec), leases: [(ref, parent)] + extra.map(\.lease), what: "pull request #\(meta.number)")
        cache.checked[meta.number] = commit
    }

    func push(_ refspecs: [String], leases: [(ref: String, expected: OID?)], what: String) throws(ForgeError) {
        cache.snapshot = nil
        do {
            try GitRemote.push(repoDir: checkout, url: remote, refspecs: refspecs, atomic: true, leases: leases, policy: policy)
        } catch {
            let said = error.stderr.split(separator: "\n").filter { $0.hasPrefix("remote: ") }
                .map { String($0.dropFirst("remote: ".count)).trimmingWhitespace() }.filter { !$0.isEmpty }.prefix(3)
            let reason = said.isEmpty ? error.reason : "\(error.reason) (the remote said: \(said.joined(separator: "; ").prefix(300)))"
            if error.isRejected { throw .refused("\(what) of \(repoName) changed on \(remote) meanwhile: \(reason)") }
            throw .unavailable("cannot push \(what) of \(repoName) to \(remote): \(reason)")
        }
    }

    func sha(_ hex: String) throws(ForgeError) -> OID {
        guard let oid = OID(hex: hex) else { throw .malformed("'\(hex.prefix(64))' is not a commit id") }
        return oid
    }

    // MARK: - Forge

    public func findPullRequest(head: String, base: String) throws(ForgeError) -> PullRequest? {
        let snapshot = try fetch()
        for number in snapshot.pulls.keys.sorted(by: >) {
            let commit = snapshot.pulls[number]!
            let meta = try read(number, commit: commit)
            if meta.head == head && meta.base == base && meta.state == .open {
                cache.checked[number] = commit
                return try pullRequest(meta, snapshot: snapshot)
            }
        }
        return nil
    }

    public func createPullRequest(_ request: NewPullRequest) throws(ForgeError) -> PullRequest {
        guard RefLayout.isValidBranchName(request.head), RefLayout.isValidBranchName(request.base) else {
            throw .refused("invalid head or base branch name")
        }
        var attempts = 0
        while true {
            let snapshot = try fetch(fresh: attempts > 0)
            guard let head = try snapshot.branches(request.head) else {
                throw .refused("\(repoName) has no branch \(request.head) on \(remote): push it first ('git realm push')")
            }
            guard try snapshot.branches(request.base) != nil else {
                throw .refused("\(repoName) has no branch \(request.base) on \(remote) to merge into")
            }
            let number = (snapshot.pulls.keys.max() ?? 0) + 1
            let meta = PullMetadata(number: number, title: request.title, body: request.body, head: request.head, base: request.base,
                                    headSHA: head.hex, state: .open, draft: request.draft, author: user, reviewers: [],
                                    dependsOn: [], reviews: [], mergedSHA: nil)
            do {
                try write(meta, parent: nil, message: "Open pull request #\(number): \(request.head) into \(request.base)")
                return try pullRequest(meta, snapshot: snapshot)
            } catch {
                // Someone took that number meanwhile: take the next one.
                attempts += 1
                guard case .refused = error, attempts < 3 else { throw error }
            }
        }
    }

    /// Loads PR `number`, applies `change`, writes it back with a lease on what was read.
    func modify(_ number: Int, message: String, _ change: (inout PullMetadata, Snapshot) throws(ForgeError) -> Void) throws(ForgeError) -> PullRequest {
        let (snapshot, old, commit) = try load(number)
        var meta = old
        try change(&meta, snapshot)
        if meta != old { try write(meta, parent: commit, message: message) }
        return try pullRequest(meta, snapshot: snapshot)
    }

    public func updatePullRequest(number: Int, title: String, body: String) throws(ForgeError) -> PullRequest {
        try modify(number, message: "Update pull request #\(number)") { (meta: inout PullMetadata, snapshot: Snapshot) throws(ForgeError) in
            meta.title = title
            meta.body = body
            if meta.state == .open, let head = try snapshot.branches(meta.head) { meta.headSHA = head.hex }
        }
    }

    public func pullRequest(number: Int) throws(ForgeError) -> PullRequest {
        let (snapshot, meta, _) = try load(number)
        return try pullRequest(meta, snapshot: snapshot)
    }

    public func requestReviewers(number: Int, reviewers: [String]) throws(ForgeError) {
        for reviewer in reviewers where reviewer.isEmpty || reviewer.utf8.count > 254 || !Fields.isPrintableLine(reviewer) {
            throw .refused("invalid reviewer '\(reviewer.prefix(64))'")
        }
        _ = try modify(number, message: "Request reviewers on pull request #\(number)") { (meta: inout PullMetadata, _: Snapshot) throws(ForgeError) in
            for reviewer in reviewers where !meta.reviewers.contains(reviewer) { meta.reviewers.append(reviewer) }
            guard meta.reviewers.count <= Limits.forgeListEntries else { throw .refused("more than \(Limits.forgeListEntries) reviewers") }
        }
    }

    /// Recorded in the PR; `merge` refuses while `other` is not merged. Always enforced: true.
    public func linkDependency(number: Int, dependsOn other: PullRequestRef) throws(ForgeError) -> Bool {
        _ = try modify(number, message: "Pull request #\(number) depends on \(other.repo)#\(other.number)") { (meta: inout PullMetadata, _: Snapshot) throws(ForgeError) in
            if !meta.dependsOn.contains(other) { meta.dependsOn.append(other) }
            guard meta.dependsOn.count <= Limits.forgeListEntries else { throw .refused("more than \(Limits.forgeListEntries) dependencies") }
        }
        return true
    }

    public func setStatus(sha hex: String, status: CommitStatus) throws(ForgeError) {
        let oid = try sha(hex)
        _ = try fetch()
        let repository = try repository()
        let fetched = RefLayout.fetchedForgeStatuses(remote: remote, sha: oid.hex)
        var statuses: [CommitStatus] = []
        let parent: OID?
        do { parent = try repository.resolve(ref: fetched) } catch { throw .unavailable(why(error)) }
        if let parent { statuses = try readStatuses(parent, sha: oid.hex) }
        statuses.removeAll { $0.context == status.context }
        statuses.append(status)
        guard statuses.count <= Limits.forgeListEntries else { throw .refused("more than \(Limits.forgeListEntries) statuses on \(hex)") }
        let commit: OID
        do {
            let tree = try repository.buildTree(base: nil, changes: [StatusFile.file: .blob(StatusFile.encode(statuses))])
            commit = try repository.createCommit(tree: tree, parents: parent.map { [$0] } ?? [], message: "Status \(status.context): \(status.state.rawValue)")
        } catch { throw .unavailable("cannot write the status: \(why(error))") }
        let ref = RefLayout.forgeStatuses(sha: oid.hex)
        try push(["\(commit.hex):\(ref)"], leases: [(ref, parent)], what: "the statuses of \(oid.hex.prefix(12))")
    }

    func readStatuses(_ commit: OID, sha: String) throws(ForgeError) -> [CommitStatus] {
        let place = "\(RefLayout.forgeStatuses(sha: sha)) on \(remote) of \(repoName)"
        let bytes: [UInt8]?
        do { bytes = try (try repository()).blob(at: StatusFile.file, in: commit, limit: Limits.forgeMetadataBytes) } catch {
            throw .malformed("\(place): \(why(error))")
        }
        guard let bytes else { throw .malformed("\(place): has no \(StatusFile.file)") }
        return try StatusFile.decode(bytes, where: place)
    }

    public func statuses(sha hex: String) throws(ForgeError) -> [CommitStatus] {
        let oid = try sha(hex)
        _ = try fetch()
        let found: OID?
        do { found = try (try repository()).resolve(ref: RefLayout.fetchedForgeStatuses(remote: remote, sha: oid.hex)) } catch {
            throw .unavailable(why(error))
        }
        guard let found else { return [] }
        return try readStatuses(found, sha: oid.hex)
    }

    /// The PR's reviews, each of its current head proven (or not) by the realm (`proveReviews`).
    public func reviews(number: Int) throws(ForgeError) -> [Review] {
        let (snapshot, meta, commit) = try load(number)
        let head = meta.state == .open ? try snapshot.branches(meta.head)?.hex : nil
        return try proveReviews(meta, commit: commit, head: head ?? meta.headSHA)
    }

    /// Records `user`'s review of the PR's head as the remote has it now (the git-native forge's
    /// own review: other forges are reviewed on their pages). The author cannot approve their own.
    public func submitReview(number: Int, state: ReviewState) throws(ForgeError) -> Review {
        var review: Review?
        let user = self.user
        _ = try modify(number, message: "Review of pull request #\(number) by \(user): \(state.rawValue)") { (meta: inout PullMetadata, snapshot: Snapshot) throws(ForgeError) in
            guard meta.state == .open else { throw .refused("pull request #\(number) of \(repoName) is \(meta.state.rawValue)") }
            if state == .approved && meta.author == user { throw .refused("\(user) opened pull request #\(number) and cannot approve it") }
            guard let head = try snapshot.branches(meta.head) else { throw .refused("\(meta.head) is gone from \(remote)") }
            let given = Review(user: user, state: state, commit: head.hex)
            meta.reviews.append(given)
            guard meta.reviews.count <= Limits.forgeReviews else { throw .refused("more than \(Limits.forgeReviews) reviews") }
            review = given
        }
        return review!
    }

    /// Fast-forwards the base branch to the PR's head, only if the head is still `expectedHead`,
    /// every dependency is merged, no check failed or is pending, and (when reviewers were
    /// requested) the head is approved with no change requested: one atomic push of the base
    /// branch (leased), the head branch (leased on `expectedHead`) and the PR's new state.
    public func merge(number: Int, expectedHead: String, method: MergeMethod) throws(ForgeError) {
        guard method == .fastForward || method == .merge else {
            throw .refused("the git-native forge merges by fast-forward only, not \(method.rawValue)")
        }
        let expected = try sha(expectedHead)
        let (snapshot, meta, commit) = try load(number, fresh: true)
        // Pinned to the metadata this command checked (its base, reviews, dependencies): a
        // writer of the remote's refs/realm/ cannot change them between the check and the merge.
        if let checked = cache.checked[number], checked != commit {
            throw .notMergeable("pull request #\(number) of \(repoName) changed on \(remote) since it was checked (\(checked.hex.prefix(12)), now \(commit.hex.prefix(12))): not merged; check it again")
        }
        guard meta.state == .open else { throw .notMergeable("pull request #\(number) of \(repoName) is \(meta.state.rawValue)") }
        guard let head = try snapshot.branches(meta.head) else { throw .notMergeable("\(meta.head) is gone from \(remote)") }
        guard head == expected else { throw .headMoved(expected: expected.hex, actual: head.hex) }
        if meta.draft { throw .notMergeable("pull request #\(number) of \(repoName) is a draft") }
        for dependency in meta.dependsOn {
            let state = try dependencyState(dependency)
            guard state == .merged else {
                throw .notMergeable("pull request #\(number) of \(repoName) depends on \(dependency.repo)#\(dependency.number), which is \(state.rawValue), not merged")
            }
        }
        let verdict = GitNativeForge.reviewVerdict(try proveReviews(meta, commit: commit, head: head.hex), head: head.hex)
        if verdict.changesRequested.count > 0 {
            throw .notMergeable("changes requested on \(head.hex.prefix(12)) by \(verdict.changesRequested.joined(separator: ", "))")
        }
        if !meta.reviewers.isEmpty && verdict.approvedBy.isEmpty {
            let stale = verdict.staleApprovals.isEmpty ? "" : " (an approval of an older head does not count: \(verdict.staleApprovals.joined(separator: ", ")))"
            let unproven = verdict.unproven.isEmpty ? "" : " (an unproven approval does not count: \(verdict.unproven.joined(separator: "; ")))"
            throw .notMergeable("\(head.hex.prefix(12)) is not approved\(stale)\(unproven)")
        }
        for status in try statuses(sha: head.hex) where status.state != .success {
            throw .notMergeable("check \(status.context) is \(status.state.rawValue) on \(head.hex.prefix(12))")
        }
        guard let base = try snapshot.branches(meta.base) else { throw .notMergeable("\(meta.base) is gone from \(remote)") }
        let repository = try repository()
        let forward: Bool
        do { forward = try base == head || repository.isAncestor(base, of: head) } catch { throw .unavailable(why(error)) }
        guard forward else {
            throw .notMergeable("\(meta.head) does not contain \(meta.base) (\(base.hex.prefix(12))): not a fast-forward; rebase or merge \(meta.base) into it")
        }
        var merged = meta
        merged.state = .merged
        merged.mergedSHA = head.hex
        merged.headSHA = head.hex
        let baseRef = RefLayout.branch(meta.base), headRef = RefLayout.branch(meta.head)
        do {
            try write(merged, parent: commit, message: "Merge pull request #\(number): \(meta.base) fast-forwarded to \(head.hex.prefix(12))",
                      extra: [("\(head.hex):\(baseRef)", (baseRef, base)), ("\(head.hex):\(headRef)", (headRef, head))])
        } catch {
            if case .refused(let why) = error { throw .notMergeable("not merged: \(why)") }
            throw error
        }
    }

    /// Who approved `head` itself, who approved only an older head, who asks for changes on
    /// `head`: each reviewer's latest review counts. A review proven `unproven` counts for
    /// nothing (listed as "user: why"); an approval counted unsigned is listed in `unsigned`.
    public static func reviewVerdict(_ reviews: [Review], head: String) -> ReviewVerdict {
        var latest: [String: Review] = [:]
        var order: [String] = []
        var unproven: [String] = []
        for review in reviews where review.state != .commented && review.state != .pending {
            if case .unproven(let why)? = review.proof {
                let line = "\(review.user): \(why)"
                if !unproven.contains(line) { unproven.append(line) }
                continue
            }
            if latest[review.user] == nil { order.append(review.user) }
            latest[review.user] = review
        }
        var verdict = ReviewVerdict()
        for user in order {
            guard let review = latest[user] else { continue }
            switch review.state {
            case .approved where review.commit == head:
                verdict.approvedBy.append(user)
                if review.proof == .unsigned { verdict.unsigned.append(user) }
            case .approved: verdict.staleApprovals.append(user)
            case .changesRequested: if review.commit == head { verdict.changesRequested.append(user) }
            default: break
            }
        }
        verdict.unproven = unproven.filter { line in !verdict.approvedBy.contains { line.hasPrefix("\($0): ") } }
        return verdict
    }
}

/// The reviews of a PR's head as they count (`GitNativeForge.reviewVerdict`).
public struct ReviewVerdict: Sendable, Equatable {
    public var approvedBy: [String] = []
    public var staleApprovals: [String] = []
    public var changesRequested: [String] = []
    /// Reviews that do not count, each as "user: why".
    public var unproven: [String] = []
    /// Approvers whose approval counts unsigned (the realm does not require signatures).
    public var unsigned: [String] = []
}

/// A git error's message (or any error's description), for a ForgeError.
func why(_ error: any Error) -> String { (error as? GitError)?.message ?? "\(error)" }
