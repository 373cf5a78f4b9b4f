import RealmJSON

/// The stand-in's control interface, outside the API (`/_standin/...`, for tests only): read
/// what was violated and requested, set up branches and users, and do what people do in the
/// forge's web UI (push a new commit to a PR's branch, review, merge) or make the next request
/// on a route fail.
extension StandIn {
    func control(_ request: Request) -> Response {
        let body = (try? JSONParser.parse(String(decoding: request.body, as: UTF8.self))) ?? [:]
        let query = Dictionary(request.query, uniquingKeysWith: { $1 })
        func ok(_ value: JSONValue = ["ok": true]) -> Response { Response(status: 200, body: Array(JSONSerializer.string(value).utf8)) }
        func bad(_ message: String) -> Response { Response(status: 400, body: Array(JSONSerializer.string(["message": .string(message)]).utf8)) }
        func pull() -> (Repo, Int)? {
            guard let full = body["repo"]?.stringValue, let r = repos[full.lowercased()], case .integer(let n)? = body["number"],
                  r.pulls[n] != nil else { return nil }
            return (r, n)
        }
        switch (request.method, request.path) {
        case ("GET", "/_standin/violations"):
            return ok(["violations": .array(violations.map { .string($0) })])
        case ("GET", "/_standin/definition"):
            return ok(document.definitions[query["name"] ?? ""] ?? .null)
        case ("GET", "/_standin/requests"):
            return ok(["requests": .array(requests)])
        case ("GET", "/_standin/pulls"):
            guard let r = repos[(query["repo"] ?? "").lowercased()] else { return ok(["pulls": []]) }
            return ok(["pulls": .array(r.pulls.values.sorted { $0.number < $1.number }.map { p in
                ["number": .integer(p.number), "title": .string(p.title), "body": .string(p.body), "head": .string(p.head),
                 "base": .string(p.base), "headSHA": .string(p.headSHA), "open": .bool(p.open), "merged": .bool(p.merged),
                 "draft": .bool(p.draft), "author": .string(p.author), "requested": .array(p.requested.map { .string($0) }),
                 "dependencies": .array(p.dependencies.map { .string($0) })]
            })])
        case ("POST", "/_standin/user"):
            guard let login = body["login"]?.stringValue, let token = body["token"]?.stringValue else { return bad("login, token") }
            users[token] = login
            return ok()
        case ("POST", "/_standin/branch"):
            guard let full = body["repo"]?.stringValue, let branch = body["branch"]?.stringValue, let sha = body["sha"]?.stringValue else {
                return bad("repo, branch, sha")
            }
            makeRepo(full).branches[branch] = sha
            return ok()
        case ("POST", "/_standin/fail"):
            guard let method = body["method"]?.stringValue, let route = body["route"]?.stringValue else { return bad("method, route") }
            guard document.operations.contains(where: { $0.method == method && $0.template == route }) else {
                return bad("the document has no \(method) \(route)")
            }
            // With "repo": only requests on that repo fail.
            let scope = body["repo"]?.stringValue.map { " " + $0.lowercased() } ?? ""
            failures["\(method) \(route)\(scope)", default: 0] += 1
            return ok()
        case ("POST", "/_standin/push"):
            guard let (r, n) = pull(), let sha = body["sha"]?.stringValue else { return bad("repo, number, sha") }
            r.pulls[n]?.headSHA = sha
            if let head = r.pulls[n]?.head { r.branches[head] = sha }
            return ok()
        case ("POST", "/_standin/review"):
            guard let (r, n) = pull(), let user = body["user"]?.stringValue, let state = body["state"]?.stringValue else {
                return bad("repo, number, user, state")
            }
            let commit = body["commit"]?.stringValue ?? r.pulls[n]?.headSHA ?? ""
            r.reviews[n, default: []].append(StoredReview(id: newID(), user: user, state: state, commit: commit))
            return ok()
        case ("POST", "/_standin/merge"):
            guard let (r, n) = pull() else { return bad("repo, number") }
            r.pulls[n]?.merged = true
            r.pulls[n]?.open = false
            return ok()
        default:
            return Response(status: 404, body: Array("{\"message\":\"no such control\"}".utf8))
        }
    }
}
