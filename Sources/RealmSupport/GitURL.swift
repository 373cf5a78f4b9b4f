/// Credentials in git URLs: what git-realm stores, publishes and prints carries none.
///
/// git accepts a password or token in a remote URL (`https://alice:S3cret@host/repo.git`; GitLab
/// CI sets `https://gitlab-ci-token:TOKEN@host/...`). git-realm never writes such a URL anywhere
/// (the realm, `.gitrealm`, git config, notes) and never prints one: authentication comes from
/// git's credential helpers (`git help credentials`), as for any other git remote.
///
/// What is removed, following git (`transport_anonymize_url`, and trace2's redaction of
/// passwords in URLs):
/// - `scheme://user:password@host/...` and `scheme://token@host/...`: the whole userinfo, for
///   every scheme but ssh (for http(s) the "user" is often the token itself);
/// - ssh (`ssh://user:password@host/...`, `user:password@host:path`): only the password; the
///   user names the account (`git@`) and is not a secret, and the URL needs it to work;
/// - http(s) and ftp(s): the query string and fragment (`?private_token=...`, a signed URL's
///   `?sig=...`); git appends its own `/info/refs?service=...`, a git URL needs neither.
/// Local paths and `file://` URLs are returned as they are: they have no credentials, and
/// git-realm never publishes them (`isLocal`).
public enum GitURL {
    /// `url` without its credentials (see the type's comment). Idempotent.
    public static func redacted(_ url: String) -> String {
        if contains(Array(url.utf8), "://") { return redactingURLs(in: url) }
        return redactedSCPLike(url)
    }

    /// Whether `url` carries something `redacted` removes.
    public static func hasCredentials(_ url: String) -> Bool {
        redacted(url) != url
    }

    /// A local path (`/srv/realm.git`, `../realm`, `C:`-less names without a colon) or a
    /// `file://` URL: it means nothing on another machine and says where this one keeps its
    /// files, so it is never published. git's rule (`url_is_local_not_ssh`): no `://`, and no
    /// colon before the first slash.
    public static func isLocal(_ url: String) -> Bool {
        let bytes = Array(url.utf8)
        if let scheme = leadingScheme(bytes) {
            return scheme.lowercased() == "file"
        }
        if contains(bytes, "::") { return false }   // <transport>::<address> (a remote helper)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return true }
        if let slash = bytes.firstIndex(of: UInt8(ascii: "/")), slash < colon { return true }
        return false
    }

    /// `text` (a message, git's standard error) with every `scheme://...` URL in it redacted.
    /// A URL ends at white space, a quote, `<`, `>` or a control character, as in git's
    /// messages (`fatal: unable to access 'https://...': ...`).
    public static func redactingURLs(in text: String) -> String {
        let bytes = Array(text.utf8)
        guard contains(bytes, "://") else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var copied = 0      // bytes[..<copied] are in `out`
        var i = 0
        while i + 2 < bytes.count {
            guard bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "/"), bytes[i + 2] == UInt8(ascii: "/") else {
                i += 1
                continue
            }
            // The scheme: letters, digits, '+', '-', '.', starting with a letter.
            var start = i
            while start > copied, isSchemeByte(bytes[start - 1]) { start -= 1 }
            while start < i, !isLetter(bytes[start]) { start += 1 }
            guard start < i else { i += 3; continue }
            let scheme = String(decoding: bytes[start..<i], as: UTF8.self).lowercased()
            var end = i + 3
            while end < bytes.count, !endsURL(bytes[end]) { end += 1 }
            out += bytes[copied..<start]
            out += redactSchemeURL(scheme: scheme, bytes[start..<(i + 3)], rest: bytes[(i + 3)..<end])
            copied = end
            i = end
        }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: -

    private static func redactSchemeURL(scheme: String, _ prefix: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) -> [UInt8] {
        let isFile = scheme == "file"
        // The authority ends at the first '/', '?' or '#' (a file URL's at '/').
        let authorityEnd = rest.firstIndex { $0 == UInt8(ascii: "/") || (!isFile && ($0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#"))) }
            ?? rest.endIndex
        var authority = rest[rest.startIndex..<authorityEnd]
        var tail = rest[authorityEnd...]
        // The last '@' ends the userinfo, so that a password with an unencoded '@' goes whole.
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            let userinfo = authority[authority.startIndex..<at]
            let host = authority[(at + 1)...]
            if isSSH(scheme) {
                let user = userinfo.prefix { $0 != UInt8(ascii: ":") }
                authority = user.isEmpty ? host : ArraySlice(Array(user) + [UInt8(ascii: "@")] + Array(host))
            } else {
                authority = host
            }
        }
        if ["http", "https", "ftp", "ftps"].contains(scheme),
           let query = tail.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            tail = tail[tail.startIndex..<query]
        }
        return Array(prefix) + Array(authority) + Array(tail)
    }

    /// `user:password@host:path` -> `user@host:path` (scp-like ssh syntax).
    private static func redactedSCPLike(_ url: String) -> String {
        guard !isLocal(url) else { return url }
        let bytes = Array(url.utf8)
        let slash = bytes.firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        guard let at = bytes[..<slash].lastIndex(of: UInt8(ascii: "@")),
              let colon = bytes[..<at].firstIndex(of: UInt8(ascii: ":")) else { return url }
        return String(decoding: bytes[..<colon] + bytes[at...], as: UTF8.self)
    }

    private static func isSSH(_ scheme: String) -> Bool {
        scheme == "ssh" || scheme == "git+ssh" || scheme == "ssh+git"
    }

    /// The scheme when `bytes` starts with `scheme://`.
    private static func leadingScheme(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.first, isLetter(first) else { return nil }
        var i = 1
        while i < bytes.count, isSchemeByte(bytes[i]) { i += 1 }
        guard i + 2 < bytes.count, bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: "/"),
              bytes[i + 2] == UInt8(ascii: "/") else { return nil }
        return String(decoding: bytes[..<i], as: UTF8.self)
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }

    private static func isSchemeByte(_ b: UInt8) -> Bool {
        isLetter(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    private static func endsURL(_ b: UInt8) -> Bool {
        b <= 0x20 || b == 0x7F || b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "`")
            || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
    }

    private static func contains(_ bytes: [UInt8], _ needle: StaticString) -> Bool {
        let n = needle.withUTF8Buffer { Array($0) }
        guard bytes.count >= n.count else { return false }
        for i in 0...(bytes.count - n.count) where bytes[i] == n[0] {
            if bytes[i..<(i + n.count)].elementsEqual(n) { return true }
        }
        return false
    }
}
