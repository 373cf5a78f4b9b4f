/// The one small interface every forge adapter implements (docs/forges.md): what `git realm pr`
/// and the realm's sync-proposal PRs need from Forgejo/Gitea, GitHub or the git-native forge, and
/// nothing more. Everything an adapter returns came from a server or a remote: it is hostile input
/// (bounded, escaped when printed, never deciding what runs or which local file is read).

/// Which kind of forge a repo uses (`forge.kind` in `repos/<repo>.yaml`).
public enum ForgeKind: String, Sendable, CaseIterable, Equatable {
    case forgejo, gitea, github, git
}

/// Where a repo's pull requests live: `forge: {kind, api, repo}` in `repos/<repo>.yaml`.
/// `api` is the REST base (`https://codeberg.org/api/v1`, `https://api.github.com`); nil for the
/// git-native forge, whose PRs live on the repo's own remote. `repo` is `OWNER/NAME` on the forge.
public struct ForgeLocation: Sendable, Equatable {
    public var kind: ForgeKind
    public var api: String?
    public var repo: String?
    public init(kind: ForgeKind, api: String? = nil, repo: String? = nil) {
        self.kind = kind
        self.api = api
        self.repo = repo
    }
}

/// A pull request in another repo, named as the forge names it (for dependencies and
/// `Depends-On:` lines).
public struct PullRequestRef: Sendable, Equatable, Hashable {
    /// `OWNER/NAME` on the forge (for the git-native forge: the realm's repo name).
    public var repo: String
    public var number: Int
    public init(repo: String, number: Int) {
        self.repo = repo
        self.number = number
    }
}

public enum PullRequestState: String, Sendable, Equatable {
    case open, closed, merged
}

public struct PullRequest: Sendable, Equatable {
    public var number: Int
    /// The PR's page for people (never carries credentials).
    public var url: String
    public var title: String
    public var body: String
    /// Branch names, without `refs/heads/`.
    public var head: String
    public var base: String
    /// The commit the PR's head branch is at, as the forge sees it.
    public var headSHA: String
    public var state: PullRequestState
    public var draft: Bool
    /// Who opened it, as the forge names users.
    public var author: String
    public var requestedReviewers: [String]
    public init(number: Int, url: String, title: String, body: String, head: String, base: String,
                headSHA: String, state: PullRequestState, draft: Bool, author: String,
                requestedReviewers: [String] = []) {
        self.number = number
        self.url = url
        self.title = title
        self.body = body
        self.head = head
        self.base = base
        self.headSHA = headSHA
        self.state = state
        self.draft = draft
        self.author = author
        self.requestedReviewers = requestedReviewers
    }
}

public struct NewPullRequest: Sendable, Equatable {
    public var title: String
    public var body: String
    public var head: String
    public var base: String
    public var draft: Bool
    public init(title: String, body: String, head: String, base: String, draft: Bool) {
        self.title = title
        self.body = body
        self.head = head
        self.base = base
        self.draft = draft
    }
}

public enum ReviewState: String, Sendable, Equatable {
    case approved, changesRequested = "changes_requested", commented, pending, dismissed
}

public struct Review: Sendable, Equatable {
    public var user: String
    public var state: ReviewState
    /// The head the review was given on; an approval of an older head does not approve a newer one.
    public var commit: String
    /// How the git-native forge proved it (nil: the forge vouches for its users, as an HTTP
    /// forge does, or it was not proven because it is not of the head).
    public var proof: ReviewProof?
    public init(user: String, state: ReviewState, commit: String, proof: ReviewProof? = nil) {
        self.user = user
        self.state = state
        self.commit = commit
        self.proof = proof
    }
}

/// Whether a git-native review counts (docs/pr.md "Trust"): the metadata commit that added it
/// is signed by a key the realm registers for the reviewer (`signed`), or is unsigned in a realm
/// that does not require signatures and written under the reviewer's email (`unsigned`), or
/// it does not count (`unproven`, with why).
public enum ReviewProof: Sendable, Equatable {
    case signed
    case unsigned
    case unproven(String)
}

/// What the git-native forge found about one review, for the realm to judge: the metadata
/// commit that added it (its author email, its signature and the bytes signed), the PR's
/// authors (as pull.json said when the review was added and says now) and requested reviewers.
public struct ReviewEvidence: Sendable {
    public var repo: String
    public var review: Review
    public var commitAuthor: String
    public var signature: String?
    public var payload: [UInt8]
    public var authors: [String]
    public var requestedReviewers: [String]
}

public enum CommitStatusState: String, Sendable, Equatable {
    case pending, success, failure, error
}

public struct CommitStatus: Sendable, Equatable {
    public var context: String
    public var state: CommitStatusState
    public var description: String
    public init(context: String, state: CommitStatusState, description: String) {
        self.context = context
        self.state = state
        self.description = description
    }
}

/// How the forge merges (the forge's default when the user says nothing: a merge commit).
public enum MergeMethod: String, Sendable, Equatable {
    case merge, rebase, squash, fastForward = "fast-forward-only"
}

/// What went wrong talking to a forge, in words a user can act on. Never carries a token.
public enum ForgeError: Error, Sendable, Equatable {
    /// 401/403: no credentials, or the forge refused them.
    case unauthorized(String)
    /// 404: the repo or PR does not exist (or the token cannot see it).
    case notFound(String)
    /// 409/422: the forge refused the request as it stands (a duplicate PR, a blocked merge, a
    /// reviewer who cannot review).
    case refused(String)
    /// 405/409 on merge: not mergeable now (a dependency is open, checks, conflicts).
    case notMergeable(String)
    /// The head moved since it was checked: the merge was not done.
    case headMoved(expected: String, actual: String)
    /// 5xx, a timeout, an unreadable answer: a re-run may succeed.
    case unavailable(String)
    /// The forge's answer broke a bound or was not what its API describes.
    case malformed(String)
}

/// Find, create, update, request reviewers, link a dependency, set a status, read state and
/// reviews, merge with an expected head. An adapter for one repo on one forge.
public protocol Forge: Sendable {
    var location: ForgeLocation { get }
    /// The open PR from `head` into `base`, if there is one (an existing PR is updated, never
    /// duplicated).
    func findPullRequest(head: String, base: String) throws(ForgeError) -> PullRequest?
    func createPullRequest(_ request: NewPullRequest) throws(ForgeError) -> PullRequest
    func updatePullRequest(number: Int, title: String, body: String) throws(ForgeError) -> PullRequest
    func pullRequest(number: Int) throws(ForgeError) -> PullRequest
    func requestReviewers(number: Int, reviewers: [String]) throws(ForgeError)
    /// Makes PR `number` depend on `other`, where the forge can enforce it (Forgejo/Gitea issue
    /// dependencies); returns false where it cannot (GitHub: the order is a commit status instead).
    func linkDependency(number: Int, dependsOn other: PullRequestRef) throws(ForgeError) -> Bool
    func setStatus(sha: String, status: CommitStatus) throws(ForgeError)
    func statuses(sha: String) throws(ForgeError) -> [CommitStatus]
    func reviews(number: Int) throws(ForgeError) -> [Review]
    /// Merges PR `number` only if its head is still `expectedHead`.
    func merge(number: Int, expectedHead: String, method: MergeMethod) throws(ForgeError)
}
