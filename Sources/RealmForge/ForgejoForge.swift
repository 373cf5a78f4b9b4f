import RealmJSON
import RealmSupport

/// Forgejo and Gitea, REST API v1 (docs/forges.md, "Forgejo and Gitea"): `Authorization:
/// token <t>`; a draft is a title starting `WIP:` (the API has no draft field); the merge order
/// is enforced with issue dependencies (`POST /repos/{owner}/{repo}/issues/{index}/dependencies`:
/// the forge then refuses to merge a PR before the one it depends on); a merge is pinned with
/// `head_commit_id`.
struct ForgejoForge: Forge {
    let location: ForgeLocation
    let session: RESTSession
    /// `/repos/<owner>/<name>`
    let repoPath: String

    var what: String { "\(session.forgeName) \(location.repo ?? "")" }

    func findPullRequest(head: String, base: String) throws(ForgeError) -> PullRequest? {
        var found: PullRequest?
        let items = try session.list("\(repoPath)/pulls", query: [("state", "open")]) { item in
            item["head"]?["ref"]?.stringValue == head && item["base"]?["ref"]?.stringValue == base
        }
        for item in items where item["head"]?["ref"]?.stringValue == head && item["base"]?["ref"]?.stringValue == base {
            let pr = try decode(item)
            if pr.state == .open { found = pr; break }
        }
        return found
    }

    func createPullRequest(_ request: NewPullRequest) throws(ForgeError) -> PullRequest {
        var title = request.title
        if request.draft && !Self.isDraftTitle(title) { title = "WIP: " + title }
        let body: JSONValue = ["title": .string(title), "body": .string(request.body),
                               "head": .string(request.head), "base": .string(request.base)]
        let path = "\(repoPath)/pulls"
        let answer = try session.call("POST", path, body: body)
        if answer.status == 201, let value = answer.json { return try decode(value) }
        if answer.status == 409, let existing = try findPullRequest(head: request.head, base: request.base) {
            return existing  // one exists already (another run made it): found, not duplicated
        }
        throw session.failure("POST", path, status: answer.status, text: answer.text)
    }

    func updatePullRequest(number: Int, title: String, body: String) throws(ForgeError) -> PullRequest {
        let current = try pullRequest(number: number)
        // Keep a draft a draft: its marker is in the title.
        var newTitle = title
        if current.draft && !Self.isDraftTitle(newTitle) { newTitle = "WIP: " + newTitle }
        let value = try session.json("PATCH", "\(repoPath)/pulls/\(number)", body: ["title": .string(newTitle), "body": .string(body)])
        return try decode(value)
    }

    func pullRequest(number: Int) throws(ForgeError) -> PullRequest {
        try decode(session.json("GET", "\(repoPath)/pulls/\(number)", expecting: [200]))
    }

    func requestReviewers(number: Int, reviewers: [String]) throws(ForgeError) {
        let pr = try pullRequest(number: number)
        // The author cannot review their own PR (the forge answers 422); those already asked
        // are not asked again.
        let wanted = reviewers.filter { $0 != pr.author && !pr.requestedReviewers.contains($0) }
        guard !wanted.isEmpty else { return }
        _ = try session.json("POST", "\(repoPath)/pulls/\(number)/requested_reviewers",
                             body: ["reviewers": .array(wanted.map { .string($0) })], expecting: [201])
    }

    func linkDependency(number: Int, dependsOn other: PullRequestRef) throws(ForgeError) -> Bool {
        let parts = other.repo.split(separator: "/")
        _ = try RESTSession.repoPath(other.repo)
        let owner = String(parts[0]), name = String(parts[1])
        let path = "\(repoPath)/issues/\(number)/dependencies"
        let existing = try session.list(path, query: [])
        let already = existing.contains { issue in
            issue["number"] == .integer(other.number)
                && (issue["repository"]?["full_name"]?.stringValue?.lowercased() == other.repo.lowercased()
                    || (issue["repository"]?["owner"]?.stringValue?.lowercased() == owner.lowercased()
                        && issue["repository"]?["name"]?.stringValue?.lowercased() == name.lowercased()))
        }
        if already { return true }
        _ = try session.json("POST", path, body: ["owner": .string(owner), "repo": .string(name), "index": .integer(other.number)],
                             expecting: [201])
        return true
    }

    func setStatus(sha: String, status: CommitStatus) throws(ForgeError) {
        _ = try session.json("POST", "\(repoPath)/statuses/\(ForgeURL.segment(sha))",
                             body: ["state": .string(status.state.rawValue), "context": .string(status.context),
                                    "description": .string(status.description)], expecting: [201])
    }

    func statuses(sha: String) throws(ForgeError) -> [CommitStatus] {
        let items = try session.list("\(repoPath)/statuses/\(ForgeURL.segment(sha))", query: [])
        // The list is every status ever set; the newest (highest id) per context counts.
        var newest: [String: (id: Int, status: CommitStatus)] = [:]
        var order: [String] = []
        for item in items {
            guard let context = item["context"]?.stringValue, case .integer(let id)? = item["id"] else { continue }
            let state: CommitStatusState
            switch item["status"]?.stringValue ?? "" {
            case "success", "skipped": state = .success
            case "pending": state = .pending
            case "error": state = .error
            default: state = .failure   // failure, warning, anything unknown
            }
            let status = CommitStatus(context: context, state: state, description: Field.optionalString(item["description"]))
            if newest[context] == nil { order.append(context) }
            if newest[context].map({ $0.id < id }) ?? true { newest[context] = (id, status) }
        }
        return order.compactMap { newest[$0]?.status }
    }

    func reviews(number: Int) throws(ForgeError) -> [Review] {
        let items = try session.list("\(repoPath)/pulls/\(number)/reviews", query: [])
        return items.compactMap { item -> Review? in
            guard let user = item["user"]?["login"]?.stringValue else { return nil }
            let state: ReviewState
            if item["dismissed"]?.boolValue == true { state = .dismissed } else {
                switch item["state"]?.stringValue ?? "" {
                case "APPROVED": state = .approved
                case "REQUEST_CHANGES": state = .changesRequested
                case "COMMENT": state = .commented
                case "PENDING": state = .pending
                default: return nil   // REQUEST_REVIEW: a request, not a review
                }
            }
            return Review(user: user, state: state, commit: Field.optionalString(item["commit_id"]))
        }
    }

    func merge(number: Int, expectedHead: String, method: MergeMethod) throws(ForgeError) {
        let pr = try pullRequest(number: number)
        if pr.state == .merged {
            if pr.headSHA == expectedHead { return }   // merged already (a re-run): done
            throw .headMoved(expected: expectedHead, actual: pr.headSHA)
        }
        guard pr.state == .open else { throw .notMergeable("\(what)#\(number) is closed") }
        guard pr.headSHA == expectedHead else { throw .headMoved(expected: expectedHead, actual: pr.headSHA) }
        let doValue: String
        switch method {
        case .merge: doValue = "merge"
        case .rebase: doValue = "rebase"
        case .squash: doValue = "squash"
        case .fastForward: doValue = "fast-forward-only"
        }
        let path = "\(repoPath)/pulls/\(number)/merge"
        let answer = try session.call("POST", path, body: ["Do": .string(doValue), "head_commit_id": .string(expectedHead)])
        if (200..<300).contains(answer.status) { return }
        if answer.status == 409 || answer.status == 405 {
            // The head may have moved between the check and the merge: say so if it did.
            if let now = try? pullRequest(number: number), now.headSHA != expectedHead {
                throw .headMoved(expected: expectedHead, actual: now.headSHA)
            }
            throw .notMergeable("\(session.failure("POST", path, status: answer.status, text: answer.text).detail)")
        }
        throw session.failure("POST", path, status: answer.status, text: answer.text)
    }

    static func isDraftTitle(_ title: String) -> Bool {
        let t = title.lowercased()
        return t.hasPrefix("wip:") || t.hasPrefix("[wip]")
    }

    func decode(_ item: JSONValue) throws(ForgeError) -> PullRequest {
        let w = "\(what): pull request"
        let number = try Field.int(item["number"], "number", in: w)
        let title = try Field.string(item["title"], "title", in: w)
        let merged = item["merged"]?.boolValue ?? false
        let stateText = try Field.string(item["state"], "state", in: w)
        let state: PullRequestState = merged ? .merged : (stateText == "open" ? .open : .closed)
        return PullRequest(
            number: number, url: GitURL.redacted(Field.optionalString(item["html_url"])), title: title,
            body: Field.optionalString(item["body"]),
            head: try Field.string(item["head"]?["ref"], "head.ref", in: w), base: try Field.string(item["base"]?["ref"], "base.ref", in: w),
            headSHA: try Field.sha(item["head"]?["sha"], "head.sha", in: w), state: state,
            draft: item["draft"]?.boolValue ?? Self.isDraftTitle(title),
            author: Field.optionalString(item["user"]?["login"]), requestedReviewers: Field.logins(item["requested_reviewers"]))
    }
}

extension ForgeError {
    /// The words of the error (every case carries some).
    var detail: String {
        switch self {
        case .unauthorized(let m), .notFound(let m), .refused(let m), .notMergeable(let m), .unavailable(let m), .malformed(let m):
            return m
        case .headMoved(let expected, let actual):
            return "the head moved from \(expected.prefix(12)) to \(actual.prefix(12)) since it was checked: not merged"
        }
    }
}
