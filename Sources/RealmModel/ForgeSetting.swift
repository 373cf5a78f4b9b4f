import RealmYAML

/// `forge:` in `repos/<repo>.yaml`: where the repo's pull requests live (docs/pr.md).
/// `{kind: forgejo|gitea|github|git, api: URL, repo: OWNER/NAME}`; no `forge:` means the
/// git-native forge (pull requests as refs on the repo's own remote). Read from the realm:
/// hostile input, so every field is checked here (the URL is https, or http on a loopback host
/// only; the repo is OWNER/NAME in safe characters).
public struct ForgeSetting: Sendable, Equatable {
    public static let kinds = ["forgejo", "gitea", "github", "git"]

    public var kind: String
    public var api: String?
    public var repo: String?

    public init(kind: String, api: String? = nil, repo: String? = nil) {
        self.kind = kind
        self.api = api
        self.repo = repo
    }

    /// Whether the kind talks to a server over HTTP (every kind but `git`).
    public var isHTTP: Bool { kind != "git" }

    static func read(_ reader: FieldReader) -> ForgeSetting {
        var r = reader
        let context = r.context
        let kind = r.oneOf("kind", kinds, required: true) ?? ""
        let api = r.string("api")
        let repo = r.string("repo")
        _ = r.unknownFields()
        let setting = ForgeSetting(kind: kind, api: api, repo: repo)
        for (field, problem) in setting.problems() {
            context.error(r.mark(of: field), "field 'forge.\(field)' \(problem)")
        }
        return setting
    }

    func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("kind", kind)
        b.add("api", api, quoted: true)
        b.add("repo", repo, quoted: true)
        return b.node
    }

    /// What is wrong with this setting, per field (empty when it may be used).
    public func problems() -> [(field: String, problem: String)] {
        var found: [(String, String)] = []
        guard Self.kinds.contains(kind) else { return [("kind", "must be one of \(Self.kinds.joined(separator: ", ")), not '\(kind)'")] }
        if !isHTTP {
            if api != nil { found.append(("api", "must not be set for the git-native forge (kind: git)")) }
            if let repo, let problem = Self.repoProblem(repo) { found.append(("repo", problem)) }
            return found
        }
        if let api {
            if let problem = Self.apiProblem(api) { found.append(("api", problem)) }
        } else {
            found.append(("api", "is required for kind \(kind) (the forge's REST base URL)"))
        }
        if let repo {
            if let problem = Self.repoProblem(repo) { found.append(("repo", problem)) }
        } else {
            found.append(("repo", "is required for kind \(kind) (OWNER/NAME on the forge)"))
        }
        return found
    }

    /// nil when `url` may be a forge's API base: `https://host[:port][/path]`, or `http://` on a
    /// loopback host (127.0.0.1, ::1, localhost); no credentials, query, fragment, spaces or
    /// control characters; at most 512 bytes.
    public static func apiProblem(_ url: String) -> String? {
        guard url.utf8.count <= 512 else { return "is longer than 512 bytes" }
        guard url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "must be a URL of printable ASCII without spaces"
        }
        let scheme: String
        if url.hasPrefix("https://") { scheme = "https" } else if url.hasPrefix("http://") { scheme = "http" } else {
            return "must be an https:// URL (http:// only for a loopback host)"
        }
        let rest = url.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" }
        if authority.contains("@") { return "must not carry credentials (user@ or user:password@)" }
        if url.contains("?") || url.contains("#") || url.contains("\\") { return "must not have a query, fragment or backslash" }
        guard let host = hostOf(authority), !host.isEmpty else { return "has no host" }
        let hostOK = host.unicodeScalars.allSatisfy { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == ":" }
        guard hostOK else { return "has an invalid host '\(host)'" }
        if scheme == "http" && !["127.0.0.1", "::1", "localhost"].contains(host.lowercased()) {
            return "must be https:// (http:// is allowed only for a loopback host: 127.0.0.1, ::1, localhost)"
        }
        return nil
    }

    /// The host of `host[:port]` or `[v6]:port`; nil when the port is not a number.
    static func hostOf(_ authority: Substring) -> String? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return String(host) }
            guard after.hasPrefix(":"), after.count > 1, after.dropFirst().allSatisfy(\.isNumber) else { return nil }
            return String(host)
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        if parts.count == 2 { guard !parts[1].isEmpty, parts[1].count <= 5, parts[1].allSatisfy(\.isNumber) else { return nil } }
        return String(parts[0])
    }

    /// nil when `repo` is `OWNER/NAME`: two parts of ASCII letters, digits, '.', '_' and '-',
    /// neither starting with '.' or '-', each at most 100 characters.
    public static func repoProblem(_ repo: String) -> String? {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "must be OWNER/NAME" }
        for part in parts {
            guard !part.isEmpty, part.count <= 100, part.first != ".", part.first != "-",
                  part.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) })
            else { return "must be OWNER/NAME in ASCII letters, digits, '.', '_' and '-' (each part at most 100, not starting with '.' or '-')" }
        }
        return nil
    }

    /// The forge a remote URL names when that is unambiguous: github.com (GitHub's REST API at
    /// api.github.com) and codeberg.org (Forgejo); nil for any other host or a URL whose path is
    /// not OWNER/NAME.
    public static func guess(fromRemoteURL url: String) -> ForgeSetting? {
        var rest = Substring(url)
        var host: Substring
        if let range = rest.firstRange(of: "://") {
            rest = rest[range.upperBound...]
            let authority = rest.prefix { $0 != "/" }
            rest = rest.dropFirst(authority.count)
            host = authority.split(separator: "@").last ?? authority
            host = host.split(separator: ":").first ?? host
        } else if let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("/") {
            host = rest[..<colon].split(separator: "@").last ?? rest[..<colon]
            rest = rest[rest.index(after: colon)...]
        } else {
            return nil
        }
        var path = rest.drop { $0 == "/" }
        if path.hasSuffix("/") { path = path.dropLast() }
        if path.hasSuffix(".git") { path = path.dropLast(4) }
        let repo = String(path)
        guard repoProblem(repo) == nil else { return nil }
        switch host.lowercased() {
        case "github.com", "www.github.com": return ForgeSetting(kind: "github", api: "https://api.github.com", repo: repo)
        case "codeberg.org": return ForgeSetting(kind: "forgejo", api: "https://codeberg.org/api/v1", repo: repo)
        default: return nil
        }
    }
}
