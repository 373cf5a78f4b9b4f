import RealmJSON
import RealmLimits
import RealmSupport

/// What Forgejo/Gitea and GitHub adapters share: one API base, the token, JSON in and out,
/// bounded pagination and HTTP statuses as `ForgeError`s (docs/forges.md).
struct RESTSession: Sendable {
    let kind: ForgeKind
    let base: ForgeURL
    let client: HTTPClient
    let tokens: TokenState
    /// `Authorization: <scheme> <token>`: `token` on Forgejo/Gitea, `Bearer` on GitHub.
    let authScheme: String
    let extraHeaders: [(name: String, value: String)]
    /// The page-size query parameter (`limit` on Forgejo/Gitea, `per_page` on GitHub).
    let pageSizeParameter: String

    var forgeName: String {
        switch kind {
        case .forgejo: return "Forgejo"
        case .gitea: return "Gitea"
        case .github: return "GitHub"
        case .git: return "git"
        }
    }

    /// Sends a request; returns the status and the parsed body (nil when empty). Transport
    /// failures, redirects and 401 throw here; other statuses are the caller's to judge.
    func call(_ method: String, _ path: String, body: JSONValue? = nil) throws(ForgeError) -> (status: Int, json: JSONValue?, text: String) {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")] + extraHeaders
        if let token = tokens.token { headers.append(("Authorization", "\(authScheme) \(token.secret)")) }
        var bytes: [UInt8]?
        if let body {
            headers.append(("Content-Type", "application/json"))
            bytes = Array(JSONSerializer.string(body).utf8)
        }
        let request = HTTPRequest(method: method, url: base, path: path, headers: headers, body: bytes)
        let response: HTTPResponse
        do {
            response = try client.send(request)
        } catch {
            throw redacted(error)
        }
        let text = String(decoding: response.body, as: UTF8.self)
        let what = "\(method) \(base.authority)\(base.path)\(path.prefix { $0 != "?" })"
        switch response.status {
        case 200..<300:
            tokens.succeeded()
            let trimmed = text.trimmingWhitespace()
            if trimmed.isEmpty { return (response.status, nil, text) }
            do {
                return (response.status, try JSONParser.parse(trimmed, maxDepth: Limits.documentDepth), text)
            } catch {
                throw .malformed("\(what): \(forgeName) answered \(response.status) with something that is not JSON (\(error))")
            }
        case 300..<400:
            throw .malformed("\(what): \(forgeName) answered with a redirect (\(response.status)); git-realm follows none "
                + "(a token must not go where forge.api does not say): set forge.api to the final URL")
        case 401:
            tokens.refused()
            let how: String
            if let token = tokens.token {
                how = "\(forgeName) refused \(token)"
                    + (token.isFromGitCredential ? " (git credential was told to forget it)" : "")
            } else {
                how = "no token for \(base.authority): set GIT_REALM_TOKEN or "
                    + (CredentialPolicy.variables(for: kind).first ?? "GIT_REALM_TOKEN")
                    + ", or store one for \(base.description) with git credential approve"
            }
            throw .unauthorized("\(what): 401 \(how)\(messageSuffix(text))")
        default:
            return (response.status, Self.parseLeniently(text), text)
        }
    }

    /// The error for a status the operation does not expect.
    func failure(_ method: String, _ path: String, status: Int, text: String) -> ForgeError {
        let what = "\(method) \(base.authority)\(base.path)\(path.prefix { $0 != "?" })"
        let said = "\(what): \(forgeName) answered \(status)\(messageSuffix(text))"
        switch status {
        case 401, 403: return .unauthorized(said)
        case 404: return .notFound(said)
        case 405: return .notMergeable(said)
        case 409, 422, 400, 412: return .refused(said)
        case 500...: return .unavailable(said + "; a re-run may succeed")
        default: return .malformed(said)
        }
    }

    /// A JSON body expected by the operation, or a `failure`.
    func json(_ method: String, _ path: String, body: JSONValue? = nil, expecting: Set<Int> = [200, 201]) throws(ForgeError) -> JSONValue {
        let answer = try call(method, path, body: body)
        guard expecting.contains(answer.status) else { throw failure(method, path, status: answer.status, text: answer.text) }
        guard let value = answer.json else { throw .malformed("\(method) \(path.prefix { $0 != "?" }): \(forgeName) answered with no body") }
        return value
    }

    /// Every item of a paged list, at most `Limits.forgePages` pages of `Limits.forgePageSize`;
    /// `stop` ends early when it returns true for an item.
    func list(_ path: String, query: [(String, String)], stop: (JSONValue) -> Bool = { _ in false }) throws(ForgeError) -> [JSONValue] {
        var items: [JSONValue] = []
        for page in 1...Limits.forgePages {
            let full = path + ForgeURL.query(query + [(pageSizeParameter, String(Limits.forgePageSize)), ("page", String(page))])
            let value = try json("GET", full, expecting: [200])
            guard let batch = value.arrayValue else { throw .malformed("GET \(path): \(forgeName) answered with something else than a list") }
            items += batch
            if batch.contains(where: stop) || batch.count < Limits.forgePageSize { return items }
        }
        throw .malformed("GET \(path): more than \(Limits.forgePages * Limits.forgePageSize) items; git-realm reads no further")
    }

    /// The server's `message`, escaped, bounded, without the token.
    func messageSuffix(_ text: String) -> String {
        let raw = Self.parseLeniently(text)?["message"]?.stringValue ?? ""
        let message = tokens.redacting(raw)
        guard !message.isEmpty else { return "" }
        return ": " + Printable.line(String(message.prefix(Limits.forgeMessageCharacters)))
    }

    func redacted(_ error: ForgeError) -> ForgeError {
        switch error {
        case .unauthorized(let m): return .unauthorized(tokens.redacting(m))
        case .notFound(let m): return .notFound(tokens.redacting(m))
        case .refused(let m): return .refused(tokens.redacting(m))
        case .notMergeable(let m): return .notMergeable(tokens.redacting(m))
        case .unavailable(let m): return .unavailable(tokens.redacting(m))
        case .malformed(let m): return .malformed(tokens.redacting(m))
        case .headMoved: return error
        }
    }

    static func parseLeniently(_ text: String) -> JSONValue? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix("{") || trimmed.hasPrefix("[") else { return nil }
        return try? JSONParser.parse(trimmed, maxDepth: Limits.documentDepth)
    }

    /// `/repos/<owner>/<name>` for `OWNER/NAME`, each part encoded.
    static func repoPath(_ repo: String) throws(ForgeError) -> String {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ validName($0) }) else {
            throw .refused("forge repo '\(Printable.line(repo))' is not OWNER/NAME (letters, digits, '-', '_', '.')")
        }
        return "/repos/\(ForgeURL.segment(String(parts[0])))/\(ForgeURL.segment(String(parts[1])))"
    }

    static func validName(_ part: Substring) -> Bool {
        !part.isEmpty && part.count <= 100 && part != "." && part != ".."
            && part.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }
}

extension Token {
    var isFromGitCredential: Bool {
        if case .gitCredential = source { return true }
        return false
    }
}

/// Reading a forge's JSON: hostile input, every field checked.
enum Field {
    static func string(_ value: JSONValue?, _ path: String, in what: String) throws(ForgeError) -> String {
        guard let s = value?.stringValue else { throw .malformed("\(what): no string at \(path)") }
        return s
    }

    static func int(_ value: JSONValue?, _ path: String, in what: String) throws(ForgeError) -> Int {
        guard case .integer(let i)? = value else { throw .malformed("\(what): no integer at \(path)") }
        return i
    }

    /// A string or null/absent ("").
    static func optionalString(_ value: JSONValue?) -> String { value?.stringValue ?? "" }

    /// Logins of an array of users (null or absent: none).
    static func logins(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap { $0["login"]?.stringValue }
    }

    /// A commit id as forges write it: 40 or 64 hex digits.
    static func sha(_ value: JSONValue?, _ path: String, in what: String) throws(ForgeError) -> String {
        let s = try string(value, path, in: what)
        guard (s.count == 40 || s.count == 64), s.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else {
            throw .malformed("\(what): \(path) is not a commit id")
        }
        return s
    }
}
