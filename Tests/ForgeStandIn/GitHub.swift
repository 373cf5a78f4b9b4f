import RealmJSON

/// The operations of GitHub's REST API the stand-in serves, with GitHub's documented answers:
/// a second open PR for the same head and base is refused (422 "A pull request already
/// exists"); the author cannot be a requested reviewer (422); `sha` that is not the head
/// refuses the merge (409 "Head branch was modified"); a merge is refused (405 "not
/// mergeable") while the head's `realm/merge-order` status is not success, as a branch
/// protection rule requiring that status would refuse it.
extension StandIn {
    func githubUser(_ login: String) -> JSONValue {
        ["login": .string(login), "id": .integer(stableID(login)), "node_id": "", "type": "User", "site_admin": false,
         "html_url": .string("https://github.com/\(login)"), "url": .string("https://api.github.com/users/\(login)")]
    }

    func stableID(_ text: String) -> Int { text.utf8.reduce(7) { ($0 &* 31 &+ Int($1)) % 1_000_003 } }

    func githubPull(_ repo: Repo, _ p: Pull, simple: Bool) -> JSONValue {
        func branch(_ ref: String, _ sha: String) -> JSONValue {
            ["label": .string("\(repo.owner):\(ref)"), "ref": .string(ref), "sha": .string(sha), "user": githubUser(repo.owner)]
        }
        var value: JSONObject = [
            "id": .integer(p.number), "node_id": "", "number": .integer(p.number), "title": .string(p.title), "body": .string(p.body),
            "state": .string(p.open ? "open" : "closed"), "draft": .bool(p.draft), "locked": false,
            "html_url": .string(htmlURL(repo, p.number)), "url": .string(htmlURL(repo, p.number)),
            "head": branch(p.head, p.headSHA), "base": branch(p.base, repo.branches[p.base] ?? p.headSHA),
            "user": githubUser(p.author), "requested_reviewers": .array(p.requested.map { githubUser($0) }),
            "merged_at": p.merged ? "2026-01-01T00:00:00Z" : .null, "merge_commit_sha": p.mergeSHA.map { .string($0) } ?? .null,
            "author_association": "MEMBER", "auto_merge": .null, "closed_at": p.open ? .null : "2026-01-01T00:00:00Z",
        ]
        if !simple {
            value["merged"] = .bool(p.merged)
            value["mergeable"] = .bool(p.open)
            value["mergeable_state"] = "clean"
            value["merged_by"] = p.merged ? githubUser(p.author) : .null
        }
        return .object(value)
    }

    func github(_ id: String, _ path: [String: String], _ query: [String: String], _ body: JSONValue, user: String) -> Answer {
        if id == "users/get-authenticated" { return Answer(200, githubUser(user)) }
        guard let owner = path["owner"], let name = path["repo"], let repo = repo(owner, name) else {
            return Answer(404, ["message": "Not Found", "documentation_url": "https://docs.github.com/rest"])
        }
        let number = path["pull_number"].flatMap { Int($0) }
        let notFound = Answer(404, ["message": "Not Found", "documentation_url": "https://docs.github.com/rest"])
        func invalid(_ message: String) -> Answer {
            Answer(422, ["message": "Validation Failed", "documentation_url": "https://docs.github.com/rest",
                         "errors": [["resource": "PullRequest", "code": "custom", "message": .string(message)]]])
        }
        switch id {
        case "pulls/list":
            let state = query["state"] ?? "open"
            let perPage = min(100, Int(query["per_page"] ?? "") ?? 30)
            let page = max(1, Int(query["page"] ?? "") ?? 1)
            let all = repo.pulls.values.sorted { $0.number > $1.number }.filter { p in
                (state == "all" || (state == "open") == p.open)
                    && (query["base"].map { $0 == p.base } ?? true) && (query["head"].map { $0 == "\(repo.owner):\(p.head)" } ?? true)
            }
            return Answer(200, .array(all.dropFirst((page - 1) * perPage).prefix(perPage).map { githubPull(repo, $0, simple: true) }))
        case "pulls/create":
            guard let title = body["title"]?.stringValue, let head = body["head"]?.stringValue, let base = body["base"]?.stringValue else {
                return invalid("title, head and base are required")
            }
            guard let headSHA = repo.branches[head], repo.branches[base] != nil else { return invalid("head or base does not exist") }
            if repo.pulls.values.contains(where: { $0.open && $0.head == head && $0.base == base }) {
                return invalid("A pull request already exists for \(repo.owner):\(head).")
            }
            let p = Pull(number: repo.nextNumber, title: title, body: body["body"]?.stringValue ?? "", head: head, base: base,
                         headSHA: headSHA, author: user, draft: body["draft"]?.boolValue ?? false)
            repo.nextNumber += 1
            repo.pulls[p.number] = p
            return Answer(201, githubPull(repo, p, simple: false))
        case "pulls/get":
            guard let n = number, let p = repo.pulls[n] else { return notFound }
            return Answer(200, githubPull(repo, p, simple: false))
        case "pulls/update":
            guard let n = number, var p = repo.pulls[n] else { return notFound }
            if let t = body["title"]?.stringValue { p.title = t }
            if let b = body["body"]?.stringValue { p.body = b }
            if let s = body["state"]?.stringValue { p.open = s == "open" }
            repo.pulls[n] = p
            return Answer(200, githubPull(repo, p, simple: false))
        case "pulls/request-reviewers":
            guard let n = number, var p = repo.pulls[n] else { return notFound }
            let wanted = (body["reviewers"]?.arrayValue ?? []).compactMap(\.stringValue)
            if wanted.contains(where: { $0.lowercased() == p.author.lowercased() }) {
                return invalid("Review cannot be requested from pull request author.")
            }
            if wanted.contains(where: { !users.values.contains($0) }) {
                return invalid("Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the \(repo.fullName) repository.")
            }
            for r in wanted where !p.requested.contains(r) { p.requested.append(r) }
            repo.pulls[n] = p
            return Answer(201, githubPull(repo, p, simple: true))
        case "pulls/list-reviews":
            guard let n = number, repo.pulls[n] != nil else { return notFound }
            return Answer(200, .array((repo.reviews[n] ?? []).map { r in
                ["id": .integer(r.id), "node_id": "", "user": githubUser(r.user), "body": "", "state": .string(r.state),
                 "commit_id": .string(r.commit), "html_url": .string(htmlURL(repo, n)), "pull_request_url": .string(htmlURL(repo, n)),
                 "_links": ["html": ["href": .string(htmlURL(repo, n))], "pull_request": ["href": .string(htmlURL(repo, n))]],
                 "author_association": "MEMBER"]
            }))
        case "repos/create-commit-status":
            guard let sha = path["sha"], self.sha(sha) else { return invalid("not a commit id") }
            let s = StoredStatus(id: newID(), context: body["context"]?.stringValue ?? "default", state: body["state"]?.stringValue ?? "pending",
                                 description: body["description"]?.stringValue ?? "", creator: user)
            repo.statuses[sha, default: []].append(s)
            return Answer(201, ["id": .integer(s.id), "node_id": "", "url": "", "avatar_url": .null, "target_url": "",
                                "description": .string(s.description), "state": .string(s.state), "context": .string(s.context),
                                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", "creator": githubUser(user)])
        case "repos/get-combined-status-for-ref":
            guard let ref = path["ref"] else { return notFound }
            let sha = repo.branches[ref] ?? ref
            var newest: [String: StoredStatus] = [:]
            for s in repo.statuses[sha] ?? [] { newest[s.context] = s }
            let list = newest.values.sorted { $0.context < $1.context }
            let perPage = min(100, Int(query["per_page"] ?? "") ?? 30)
            let page = max(1, Int(query["page"] ?? "") ?? 1)
            let shown = list.dropFirst((page - 1) * perPage).prefix(perPage)
            let combined = list.contains { $0.state == "failure" || $0.state == "error" } ? "failure"
                : (list.allSatisfy { $0.state == "success" } && !list.isEmpty ? "success" : "pending")
            return Answer(200, ["state": .string(combined), "sha": .string(sha), "total_count": .integer(list.count),
                                "statuses": .array(shown.map { s in
                                    ["id": .integer(s.id), "node_id": "", "url": "", "avatar_url": .null, "target_url": "",
                                     "description": .string(s.description), "state": .string(s.state), "context": .string(s.context),
                                     "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"]
                                }),
                                "commit_url": "", "url": ""])
        case "pulls/merge":
            guard let n = number, var p = repo.pulls[n] else { return notFound }
            guard p.open && !p.merged else { return Answer(405, ["message": "Pull Request is not mergeable"]) }
            let order = (repo.statuses[p.headSHA] ?? []).last { $0.context == "realm/merge-order" }
            if let order, order.state != "success" {
                return Answer(405, ["message": .string("Required status check \"realm/merge-order\" is \(order.state).")])
            }
            if let expected = body["sha"]?.stringValue, expected != p.headSHA {
                return Answer(409, ["message": "Head branch was modified. Review and try the merge again."])
            }
            p.merged = true
            p.open = false
            p.mergeSHA = String(p.headSHA.reversed())
            repo.branches[p.base] = p.mergeSHA
            mergedInGit(repo, p)
            repo.pulls[n] = p
            return Answer(200, ["sha": .string(p.mergeSHA ?? ""), "merged": true, "message": "Pull Request successfully merged"])
        default:
            return .message(501, "not served by the stand-in")
        }
    }
}
