import RealmJSON

/// The operations of Forgejo's API the stand-in serves, with the behaviour Forgejo's source
/// shows (../shared/forges/README.md): head, base and title required; a `WIP:` title makes a
/// draft; the author cannot be a requested reviewer (422); a PR depending on an open one
/// cannot merge (405); `head_commit_id` that is not the head refuses the merge (409); a
/// second open PR for the same head and base is refused (409).
extension StandIn {
    func forgejoUser(_ login: String) -> JSONValue {
        ["id": .integer(stableID(login)), "login": .string(login), "login_name": "", "full_name": .string(login),
         "email": .string("\(login)@standin.invalid"), "html_url": .string("http://127.0.0.1:\(port)/\(login)")]
    }

    func forgejoPull(_ repo: Repo, _ p: Pull) -> JSONValue {
        func branch(_ ref: String, _ sha: String) -> JSONValue {
            ["label": .string(ref), "ref": .string(ref), "sha": .string(sha), "repo_id": 1]
        }
        return ["id": .integer(p.number), "number": .integer(p.number), "title": .string(p.title), "body": .string(p.body),
                "state": .string(p.open ? "open" : "closed"), "draft": .bool(p.draft), "merged": .bool(p.merged),
                "mergeable": .bool(!p.merged && p.open), "html_url": .string(htmlURL(repo, p.number)),
                "url": .string(htmlURL(repo, p.number)),
                "head": branch(p.head, p.headSHA), "base": branch(p.base, repo.branches[p.base] ?? p.headSHA),
                "user": forgejoUser(p.author), "requested_reviewers": .array(p.requested.map { forgejoUser($0) }),
                "merge_commit_sha": .string(p.mergeSHA ?? "")]
    }

    func forgejoIssue(_ repo: Repo, _ p: Pull) -> JSONValue {
        ["id": .integer(p.number), "number": .integer(p.number), "title": .string(p.title), "state": .string(p.open ? "open" : "closed"),
         "repository": ["id": 1, "name": .string(repo.name), "owner": .string(repo.owner), "full_name": .string(repo.fullName)],
         "html_url": .string(htmlURL(repo, p.number))]
    }

    func forgejo(_ id: String, _ path: [String: String], _ query: [String: String], _ body: JSONValue, user: String) -> Answer {
        if id == "userGetCurrent" { return Answer(200, forgejoUser(user)) }
        if id == "createCurrentUserRepo" || id == "createOrgRepo" {
            let owner = path["org"] ?? user
            guard let name = body["name"]?.stringValue, !name.isEmpty else { return .message(422, "name is required") }
            if repo(owner, name) != nil { return id == "createCurrentUserRepo" ? .message(409, "The repository with the same name already exists.") : .message(400, "repository exists") }
            let r = makeRepo("\(owner)/\(name)")
            createBareRepository(r.fullName)
            return Answer(201, ["id": 1, "name": .string(r.name), "full_name": .string(r.fullName), "owner": forgejoUser(owner),
                                "clone_url": .string("http://127.0.0.1:\(port)/\(r.fullName).git"),
                                "html_url": .string("http://127.0.0.1:\(port)/\(r.fullName)")])
        }
        guard let owner = path["owner"], let name = path["repo"], let repo = repo(owner, name) else {
            return .message(404, "repository does not exist")
        }
        let index = path["index"].flatMap { Int($0) }
        switch id {
        case "repoListPullRequests":
            let state = query["state"] ?? "open"
            let limit = Int(query["limit"] ?? "") ?? 30
            let page = max(1, Int(query["page"] ?? "") ?? 1)
            let all = repo.pulls.values.sorted { $0.number > $1.number }.filter { p in
                (state == "all" || (state == "open") == p.open)
                    && (query["base"].map { $0 == p.base } ?? true) && (query["head"].map { $0 == p.head } ?? true)
            }
            let slice = all.dropFirst((page - 1) * limit).prefix(limit)
            return Answer(200, .array(slice.map { forgejoPull(repo, $0) }))
        case "repoCreatePullRequest":
            guard let title = body["title"]?.stringValue, !title.isEmpty, let head = body["head"]?.stringValue,
                  let base = body["base"]?.stringValue else { return .message(422, "head, base and title are required") }
            guard let headSHA = repo.branches[head], repo.branches[base] != nil else { return .message(404, "branch does not exist") }
            if repo.pulls.values.contains(where: { $0.open && $0.head == head && $0.base == base }) {
                return .message(409, "pull request already exists for these targets")
            }
            let lower = title.lowercased()
            let p = Pull(number: repo.nextNumber, title: title, body: body["body"]?.stringValue ?? "", head: head, base: base,
                         headSHA: headSHA, author: user, draft: lower.hasPrefix("wip:") || lower.hasPrefix("[wip]"))
            repo.nextNumber += 1
            repo.pulls[p.number] = p
            return Answer(201, forgejoPull(repo, p))
        case "repoGetPullRequest":
            guard let n = index, let p = repo.pulls[n] else { return .message(404, "pull request does not exist") }
            return Answer(200, forgejoPull(repo, p))
        case "repoEditPullRequest":
            guard let n = index, var p = repo.pulls[n] else { return .message(404, "pull request does not exist") }
            if let t = body["title"]?.stringValue {
                p.title = t
                p.draft = t.lowercased().hasPrefix("wip:") || t.lowercased().hasPrefix("[wip]")
            }
            if let b = body["body"]?.stringValue { p.body = b }
            if let s = body["state"]?.stringValue { p.open = s == "open" }
            repo.pulls[n] = p
            return Answer(201, forgejoPull(repo, p))
        case "repoCreatePullReviewRequests":
            guard let n = index, var p = repo.pulls[n] else { return .message(404, "pull request does not exist") }
            let wanted = (body["reviewers"]?.arrayValue ?? []).compactMap(\.stringValue)
            if wanted.contains(p.author) { return .message(422, "review request for the pull request's author is not allowed") }
            if let unknown = wanted.first(where: { !users.values.contains($0) }) { return .message(422, "user does not exist [name: \(unknown)]") }
            var made: [JSONValue] = []
            for r in wanted where !p.requested.contains(r) {
                p.requested.append(r)
                let review = StoredReview(id: newID(), user: r, state: "REQUEST_REVIEW", commit: p.headSHA)
                repo.reviews[n, default: []].append(review)
                made.append(forgejoReview(repo, n, review))
            }
            repo.pulls[n] = p
            return Answer(201, .array(made))
        case "repoListPullReviews":
            guard let n = index, repo.pulls[n] != nil else { return .message(404, "pull request does not exist") }
            return Answer(200, .array((repo.reviews[n] ?? []).map { forgejoReview(repo, n, $0) }))
        case "issueListIssueDependencies":
            guard let n = index, let p = repo.pulls[n] else { return .message(404, "issue does not exist") }
            let items: [JSONValue] = p.dependencies.compactMap { dep in
                let parts = dep.split(separator: "#"), names = parts[0].split(separator: "/")
                guard let other = self.repo(String(names[0]), String(names[1])), let target = other.pulls[Int(parts[1]) ?? 0] else { return nil }
                return forgejoIssue(other, target)
            }
            return Answer(200, .array(items))
        case "issueCreateIssueDependencies":
            guard let n = index, var p = repo.pulls[n] else { return .message(404, "issue does not exist") }
            guard let o = body["owner"]?.stringValue, let r = body["repo"]?.stringValue, case .integer(let i)? = body["index"],
                  let other = self.repo(o, r), let target = other.pulls[i] else { return .message(404, "the issue does not exist") }
            let key = "\(other.fullName)#\(i)"
            if p.dependencies.contains(key) {
                violations.append("POST dependencies: \(repo.fullName)#\(n) already depends on \(key) (the adapter should not ask twice)")
            } else {
                p.dependencies.append(key)
            }
            repo.pulls[n] = p
            return Answer(201, forgejoIssue(other, target))
        case "repoCreateStatus":
            guard let sha = path["sha"], self.sha(sha) else { return .message(400, "not a commit id") }
            let s = StoredStatus(id: newID(), context: body["context"]?.stringValue ?? "default", state: body["state"]?.stringValue ?? "pending",
                                 description: body["description"]?.stringValue ?? "", creator: user)
            repo.statuses[sha, default: []].append(s)
            return Answer(201, forgejoStatus(s))
        case "repoListStatuses":
            guard let sha = path["sha"] else { return .message(400, "no sha") }
            return Answer(200, .array((repo.statuses[sha] ?? []).reversed().map { forgejoStatus($0) }))
        case "repoMergePullRequest":
            guard let n = index, var p = repo.pulls[n] else { return .message(404, "pull request does not exist") }
            guard p.open && !p.merged else { return Answer(405) }
            if let reason = blockers(repo, p) { _ = reason; return Answer(405) }
            if let expected = body["head_commit_id"]?.stringValue, !expected.isEmpty, expected != p.headSHA {
                return .message(409, "head out of date")
            }
            p.merged = true
            p.open = false
            p.mergeSHA = String(p.headSHA.reversed())
            repo.branches[p.base] = p.mergeSHA
            mergedInGit(repo, p)
            repo.pulls[n] = p
            return Answer(200)
        default:
            return .message(501, "not served by the stand-in")
        }
    }

    func forgejoReview(_ repo: Repo, _ number: Int, _ r: StoredReview) -> JSONValue {
        ["id": .integer(r.id), "user": forgejoUser(r.user), "state": .string(r.state), "commit_id": .string(r.commit),
         "dismissed": false, "stale": false, "official": true, "html_url": .string(htmlURL(repo, number))]
    }

    func forgejoStatus(_ s: StoredStatus) -> JSONValue {
        ["id": .integer(s.id), "context": .string(s.context), "status": .string(s.state), "description": .string(s.description),
         "creator": forgejoUser(s.creator)]
    }
}
