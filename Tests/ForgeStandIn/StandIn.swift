import RealmJSON

/// A pull request as the stand-in keeps it (both forges).
struct Pull {
    var number: Int
    var title: String
    var body: String
    var head: String
    var base: String
    var headSHA: String
    var open = true
    var merged = false
    var mergeSHA: String?
    var author: String
    var requested: [String] = []
    var draft = false
    /// Forgejo issue dependencies: "owner/repo#index" this PR waits for.
    var dependencies: [String] = []
}

struct StoredReview {
    var id: Int
    var user: String
    /// The forge's own word (APPROVED, REQUEST_CHANGES/CHANGES_REQUESTED, REQUEST_REVIEW, ...).
    var state: String
    var commit: String
}

struct StoredStatus {
    var id: Int
    var context: String
    var state: String
    var description: String
    var creator: String
}

final class Repo {
    let owner: String
    let name: String
    var branches: [String: String] = [:]
    var pulls: [Int: Pull] = [:]
    var nextNumber = 1
    var reviews: [Int: [StoredReview]] = [:]
    var statuses: [String: [StoredStatus]] = [:]
    init(owner: String, name: String) {
        self.owner = owner
        self.name = name
    }
    var fullName: String { "\(owner)/\(name)" }
}

/// The answer of a handler, before it is checked against the document.
struct Answer {
    var status: Int
    var json: JSONValue?
    init(_ status: Int, _ json: JSONValue? = nil) {
        self.status = status
        self.json = json
    }
    static func message(_ status: Int, _ text: String) -> Answer { Answer(status, ["message": .string(text)]) }
}

/// The stand-in: the document, the state, the violations, and the request pipeline
/// (route, parameters, auth, body, handler, response check).
final class StandIn {
    let document: APIDocument
    var repos: [String: Repo] = [:]
    /// token -> login
    var users: [String: String] = [:]
    var violations: [String] = []
    var requests: [JSONValue] = []
    /// "METHOD template" -> how many next requests fail with 500.
    var failures: [String: Int] = [:]
    var nextID = 1000
    let port: Int
    /// "owner/name" (lower-cased) -> a bare git repository holding that repo's branches.
    var gitRemotes: [String: String] = [:]
    /// Where repositories created through the API are kept (`--git-root`), served over git's
    /// smart HTTP.
    var gitRoot: String?

    init(document: APIDocument, port: Int) {
        self.document = document
        self.port = port
    }

    var kind: APIDocument.Kind { document.kind }

    func newID() -> Int { nextID += 1; return nextID }

    func repo(_ owner: String, _ name: String) -> Repo? { repos["\(owner)/\(name)".lowercased()] }

    func makeRepo(_ full: String) -> Repo {
        if let r = repos[full.lowercased()] { return r }
        let parts = full.split(separator: "/")
        let r = Repo(owner: String(parts.first ?? ""), name: String(parts.last ?? ""))
        repos[full.lowercased()] = r
        return r
    }

    func handle(_ request: Request) -> Response {
        if !gitRemotes.isEmpty { refreshFromGit() }
        if request.path.hasPrefix("/_standin/") { return control(request) }
        if let served = serveGit(request) { return served }
        let label = "\(request.method) \(request.path)"
        requests.append(["method": .string(request.method), "path": .string(request.path),
                         "authorization": .bool(request.headers["authorization"] != nil)])
        guard let (operation, pathValues) = document.match(method: request.method, path: request.path) else {
            let status = document.hasRoute(request.path) ? 405 : 404
            violations.append("\(label): the document describes no such operation")
            return respond(.message(status, "not described by the API document"))
        }
        // Parameters: every query parameter named by the document, of its type; every
        // required one present.
        var query: [String: String] = [:]
        for (name, value) in request.query {
            guard let p = operation.parameters.first(where: { $0.name == name && $0.location == "query" }) else {
                violations.append("\(label): query parameter '\(name)' is not in \(operation.id)")
                continue
            }
            if let problem = check(value, p) { violations.append("\(label): query parameter '\(name)': \(problem)") }
            query[name] = value
        }
        for p in operation.parameters where p.required {
            if p.location == "query", query[p.name] == nil { violations.append("\(label): required query parameter '\(p.name)' missing") }
            if p.location == "path" {
                guard let value = pathValues[p.name] else { violations.append("\(label): path parameter '\(p.name)' missing"); continue }
                if let problem = check(value, p) {
                    violations.append("\(label): path parameter '\(p.name)': \(problem)")
                    return respond(.message(422, "bad path parameter \(p.name)"))
                }
            }
        }
        // Auth.
        let auth = request.headers["authorization"] ?? ""
        let scheme = kind == .forgejo ? "token " : "Bearer "
        if kind == .github, request.headers["x-github-api-version"] != "2022-11-28" {
            violations.append("\(label): X-GitHub-Api-Version is not 2022-11-28")
        }
        guard auth.hasPrefix(scheme), let user = users[String(auth.dropFirst(scheme.count))] else {
            let body: JSONValue = kind == .forgejo ? ["message": "token is required", "url": "http://127.0.0.1/api/swagger"]
                : ["message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"]
            if let schema = document.unauthorizedSchema {
                for e in document.validate(body, against: schema, key: "unauthorized") { violations.append("\(label): 401 answer: \(e)") }
            }
            return Response(status: 401, body: Array(JSONSerializer.string(body).utf8))
        }
        let failureKey = "\(operation.method) \(operation.template)"
        let scoped = failureKey + " " + "\(pathValues["owner"] ?? "")/\(pathValues["repo"] ?? "")".lowercased()
        for key in [scoped, failureKey] {
            if let n = failures[key], n > 0 {
                failures[key] = n - 1
                return respond(.message(500, "injected failure"))
            }
        }
        // Body.
        var body: JSONValue?
        let text = String(decoding: request.body, as: UTF8.self)
        if !text.isEmpty {
            guard let schema = operation.bodySchema else {
                violations.append("\(label): a body, and \(operation.id) takes none")
                return respond(.message(422, "no body expected"))
            }
            guard let parsed = try? JSONParser.parse(text) else {
                violations.append("\(label): the body is not JSON")
                return respond(.message(422, "body is not JSON"))
            }
            if request.headers["content-type"]?.hasPrefix("application/json") != true {
                violations.append("\(label): the body is not sent as application/json")
            }
            let errors = document.validate(parsed, against: schema, key: "\(operation.id) request")
            if !errors.isEmpty {
                violations += errors.map { "\(label): body: \($0)" }
                return respond(.message(422, "body does not match the document: \(errors[0])"))
            }
            body = parsed
        } else if operation.bodyRequired {
            violations.append("\(label): \(operation.id) requires a body")
            return respond(.message(422, "body required"))
        }
        let answer: Answer
        switch kind {
        case .forgejo: answer = forgejo(operation.id, pathValues, query, body ?? [:], user: user)
        case .github: answer = github(operation.id, pathValues, query, body ?? [:], user: user)
        }
        // The answer, checked against the document.
        if answer.status == 501 {
            violations.append("\(label): \(operation.id) is described but the stand-in does not serve it")
            return respond(answer)
        }
        guard let described = operation.responses[answer.status] else {
            violations.append("\(label): the stand-in answered \(answer.status), which \(operation.id) does not describe")
            return respond(answer)
        }
        var json = answer.json
        if let schema = described {
            if let value = json {
                let completed = document.complete(value, schema: schema)
                for e in document.validate(completed, against: schema, key: "\(operation.id) \(answer.status)") {
                    violations.append("\(label): \(answer.status) answer: \(e)")
                }
                json = completed
            } else {
                violations.append("\(label): \(answer.status) answer has no body; the document describes one")
            }
        } else if json != nil {
            json = nil   // the document describes no body ("empty")
        }
        return respond(Answer(answer.status, json))
    }

    func respond(_ answer: Answer) -> Response {
        Response(status: answer.status, body: answer.json.map { Array(JSONSerializer.string($0).utf8) } ?? [])
    }

    func check(_ value: String, _ p: APIDocument.Parameter) -> String? {
        let schema = p.schema ?? [:]
        switch schema["type"]?.stringValue {
        case "integer": if Int(value) == nil { return "'\(value)' is not an integer" }
        case "boolean": if value != "true" && value != "false" { return "'\(value)' is not a boolean" }
        default: break
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(.string(value)) { return "'\(value)' is not one of \(options)" }
        return nil
    }

    // MARK: shared helpers of the handlers

    func sha(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    func htmlURL(_ repo: Repo, _ number: Int) -> String { "http://127.0.0.1:\(port)/\(repo.fullName)/pulls/\(number)" }

    /// Merges `number` if nothing blocks it; the status and message a forge would give otherwise.
    func blockers(_ repo: Repo, _ pull: Pull) -> String? {
        for dep in pull.dependencies {
            let parts = dep.split(separator: "#")
            let names = parts[0].split(separator: "/")
            guard parts.count == 2, names.count == 2, let other = self.repo(String(names[0]), String(names[1])),
                  let number = Int(parts[1]), let target = other.pulls[number] else { continue }
            if !target.merged && target.open { return "is blocked by an open dependency: \(dep)" }
        }
        return nil
    }
}
