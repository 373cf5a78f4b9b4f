import RealmJSON
import RealmLimits
import RealmSupport

/// GitHub, REST (docs/forges.md, "GitHub"): `Authorization: Bearer <t>` and
/// `X-GitHub-Api-Version: 2022-11-28`. GitHub cannot make one PR wait for another, so
/// `linkDependency` returns false and the merge order is shown with a `realm/merge-order` commit
/// status, which `git realm pr` sets (`setStatus`). A merge is pinned with `sha`.
struct GitHubForge: Forge {
    let location: ForgeLocation
    let session: RESTSession
    let repoPath: String
    /// The repo's owner, for `head=<owner>:<branch>` filters.
    let owner: String

    var what: String { "GitHub \(location.repo ?? "")" }

    func findPullRequest(head: String, base: String) throws(ForgeError) -> PullRequest? {
        let items = try session.list("\(repoPath)/pulls", query: [("state", "open"), ("head", "\(owner):\(head)"), ("base", base)]) { item in
            item["head"]?["ref"]?.stringValue == head && item["base"]?["ref"]?.stringValue == base
        }
        // The server's filter is not trusted to have filtered.
        for item in items where item["head"]?["ref"]?.stringValue == head && item["base"]?["ref"]?.stringValue == base {
            let pr = try decode(item)
            if pr.state == .open { return pr }
        }
        return nil
    }

    func createPullRequest(_ request: NewPullRequest) throws(ForgeError) -> PullRequest {
        let body: JSONValue = ["title": .string(request.title), "body": .string(request.body), "head": .string(request.head),
                               "base": .string(request.base), "draft": .bool(request.draft)]
        let path = "\(repoPath)/pulls"
        let answer = try session.call("POST", path, body: body)
        if answer.status == 201, let value = answer.json { return try decode(value) }
        // 422 "A pull request already exists for owner:branch.": find it rather than fail.
        if answer.status == 422, let existing = try findPullRequest(head: request.head, base: request.base) {
            return existing
        }
        throw session.failure("POST", path, status: answer.status, text: answer.text)
    }

    func updatePullRequest(number: Int, title: String, body: String) throws(ForgeError) -> PullRequest {
        try decode(session.json("PATCH", "\(repoPath)/pulls/\(number)", body: ["title": .string(title), "body": .string(body)], expecting: [200]))
    }

    func pullRequest(number: Int) throws(ForgeError) -> PullRequest {
        try decode(session.json("GET", "\(repoPath)/pulls/\(number)", expecting: [200]))
    }

    func requestReviewers(number: Int, reviewers: [String]) throws(ForgeError) {
        let pr = try pullRequest(number: number)
        let wanted = reviewers.filter { $0.lowercased() != pr.author.lowercased() && !pr.requestedReviewers.contains($0) }
        guard !wanted.isEmpty else { return }
        _ = try session.json("POST", "\(repoPath)/pulls/\(number)/requested_reviewers",
                             body: ["reviewers": .array(wanted.map { .string($0) })], expecting: [201])
    }

    func linkDependency(number: Int, dependsOn other: PullRequestRef) throws(ForgeError) -> Bool { false }

    func setStatus(sha: String, status: CommitStatus) throws(ForgeError) {
        _ = try session.json("POST", "\(repoPath)/statuses/\(ForgeURL.segment(sha))",
                             body: ["state": .string(status.state.rawValue), "context": .string(status.context),
                                    "description": .string(status.description)], expecting: [201])
    }

    func statuses(sha: String) throws(ForgeError) -> [CommitStatus] {
        // The combined status holds the newest status of each context, paged.
        var result: [CommitStatus] = []
        var seen: Set<String> = []
        for page in 1...Limits.forgePages {
            let path = "\(repoPath)/commits/\(ForgeURL.segment(sha))/status"
                + ForgeURL.query([("per_page", String(Limits.forgePageSize)), ("page", String(page))])
            let value = try session.json("GET", path, expecting: [200])
            guard let items = value["statuses"]?.arrayValue else { throw .malformed("\(what): combined status without statuses") }
            for item in items {
                guard let context = item["context"]?.stringValue, !seen.contains(context) else { continue }
                seen.insert(context)
                let state = CommitStatusState(rawValue: item["state"]?.stringValue ?? "") ?? .failure
                result.append(CommitStatus(context: context, state: state, description: Field.optionalString(item["description"])))
            }
            if items.count < Limits.forgePageSize { return result }
        }
        throw .malformed("\(what): more than \(Limits.forgePages * Limits.forgePageSize) statuses on one commit")
    }

    func reviews(number: Int) throws(ForgeError) -> [Review] {
        try session.list("\(repoPath)/pulls/\(number)/reviews", query: []).compactMap { item -> Review? in
            guard let user = item["user"]?["login"]?.stringValue else { return nil }   // a deleted account
            let state: ReviewState
            switch item["state"]?.stringValue ?? "" {
            case "APPROVED": state = .approved
            case "CHANGES_REQUESTED": state = .changesRequested
            case "COMMENTED": state = .commented
            case "DISMISSED": state = .dismissed
            case "PENDING": state = .pending
            default: return nil
            }
            return Review(user: user, state: state, commit: Field.optionalString(item["commit_id"]))
        }
    }

    func merge(number: Int, expectedHead: String, method: MergeMethod) throws(ForgeError) {
        let mergeMethod: String
        switch method {
        case .merge: mergeMethod = "merge"
        case .rebase: mergeMethod = "rebase"
        case .squash: mergeMethod = "squash"
        case .fastForward: throw .refused("GitHub has no fast-forward-only merge: choose merge, rebase or squash")
        }
        let pr = try pullRequest(number: number)
        if pr.state == .merged {
            if pr.headSHA == expectedHead { return }
            throw .headMoved(expected: expectedHead, actual: pr.headSHA)
        }
        guard pr.state == .open else { throw .notMergeable("\(what)#\(number) is closed") }
        guard pr.headSHA == expectedHead else { throw .headMoved(expected: expectedHead, actual: pr.headSHA) }
        let path = "\(repoPath)/pulls/\(number)/merge"
        let answer = try session.call("PUT", path, body: ["sha": .string(expectedHead), "merge_method": .string(mergeMethod)])
        if answer.status == 200 { return }
        if answer.status == 409 || answer.status == 405 {
            // 409 "Head branch was modified": say what it is now.
            if let now = try? pullRequest(number: number), now.headSHA != expectedHead {
                throw .headMoved(expected: expectedHead, actual: now.headSHA)
            }
            throw .notMergeable(session.failure("PUT", path, status: answer.status, text: answer.text).detail)
        }
        throw session.failure("PUT", path, status: answer.status, text: answer.text)
    }

    func decode(_ item: JSONValue) throws(ForgeError) -> PullRequest {
        let w = "\(what): pull request"
        let number = try Field.int(item["number"], "number", in: w)
        // A list gives `pull-request-simple`, which has `merged_at` but no `merged`.
        let merged = item["merged"]?.boolValue ?? (item["merged_at"]?.stringValue != nil)
        let stateText = try Field.string(item["state"], "state", in: w)
        return PullRequest(
            number: number, url: GitURL.redacted(Field.optionalString(item["html_url"])),
            title: try Field.string(item["title"], "title", in: w), body: Field.optionalString(item["body"]),
            head: try Field.string(item["head"]?["ref"], "head.ref", in: w), base: try Field.string(item["base"]?["ref"], "base.ref", in: w),
            headSHA: try Field.sha(item["head"]?["sha"], "head.sha", in: w),
            state: merged ? .merged : (stateText == "open" ? .open : .closed), draft: item["draft"]?.boolValue ?? false,
            author: Field.optionalString(item["user"]?["login"]), requestedReviewers: Field.logins(item["requested_reviewers"]))
    }
}
