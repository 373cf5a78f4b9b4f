import RealmSupport

/// A forge API base (`forge.api` in `repos/<repo>.yaml`, hostile: a realm writer chose it),
/// checked before anything is sent there: `http` or `https`, a host, an optional port and path,
/// no credentials, no query or fragment, nothing curl's config syntax or a header could be
/// confused by. Plain `http` only for a loopback host (the tests' stand-in server).
public struct ForgeURL: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    /// Lower-cased; an IPv6 address without its brackets.
    public var host: String
    public var port: Int?
    /// Without a trailing slash ("" or "/api/v1").
    public var path: String

    public init(parsing text: String) throws(ForgeError) {
        func bad(_ why: String) -> ForgeError {
            .refused("forge API URL '\(Printable.line(GitURL.redacted(text)))' \(why)")
        }
        guard text.utf8.count <= 2048 else { throw bad("is too long") }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F || $0 == "\"" || $0 == "\\" }) else {
            throw bad("has spaces, quotes, backslashes, control or non-ASCII characters")
        }
        guard let schemeEnd = text.firstRange(of: "://") else { throw bad("is not an http(s) URL") }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else { throw bad("is not an http(s) URL") }
        let rest = text[schemeEnd.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else { throw bad("has a query or fragment") }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        guard !authority.contains("@") else { throw bad("carries credentials (give them through git credential or an environment variable)") }
        var host = Substring(authority)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw bad("has a malformed IPv6 host") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw bad("has a malformed port") }
                port = p
            } else if !after.isEmpty { throw bad("has a malformed host") }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.firstIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { throw bad("has a malformed port") }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw bad("has no host") }
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        guard !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else { throw bad("has '.' or '..' in its path") }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.path = path
        if scheme == "http" && !isLoopback {
            throw bad("is plain http: a token would cross the network unencrypted (http is accepted only for 127.0.0.1, ::1 and localhost)")
        }
    }

    /// 127.0.0.1 (any of 127/8), ::1 or localhost: this machine.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") && host.split(separator: ".").count == 4
            && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }

    /// `host[:port]` as a URL writes it.
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }

    /// `scheme://authority/path` (no trailing slash).
    public var description: String { "\(scheme)://\(authority)\(path)" }

    /// This base with `relative` ("/repos/o/r/pulls?state=open") appended.
    public func appending(_ relative: String) -> String { description + relative }

    /// One path segment percent-encoded (owner, repo, branch: hostile names never add a `/`,
    /// `..`, `?` or `#` to the path).
    public static func segment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "-_.~".contains(c) {
                out.append(c)
            } else {
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        if out == "." { return "%2E" }
        if out == ".." { return "%2E%2E" }
        return out
    }

    /// A query string from pairs, each value encoded as a segment.
    public static func query(_ items: [(String, String)]) -> String {
        items.isEmpty ? "" : "?" + items.map { "\($0.0)=\(segment($0.1))" }.joined(separator: "&")
    }
}
