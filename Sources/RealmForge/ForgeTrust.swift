import RealmGit
import RealmSupport

/// Which forge API hosts may receive the user's token (docs/forges.md, "Which host gets a
/// token"; docs/security.md).
///
/// Where a repo's forge lives is read from the realm (`forge.api` in `repos/<repo>.yaml`), and
/// the realm is written by other teams: a writer could point `forge.api` at a server of their
/// own and collect every member's token the next time they run `git realm pr`. So a token is
/// sent only to a host the user chose themselves:
/// - the host of a remote URL of the user's own clone of that repo (they push there already);
/// - `api.github.com` when that remote is on `github.com`;
/// - a host listed in git config `realm.forge.trustedHost` (multi-valued, any level).
/// Anything else is refused before a credential is even looked up.
public enum ForgeTrust {
    /// The hosts a clone trusts: from its remote URLs (`remote.<name>.url`/`pushurl`) and
    /// `realm.forge.trustedHost`.
    public static func trustedHosts(repository: Repository) -> [String] {
        // A clone git-realm made from the realm's URL (`worktree --clone-missing`): its remote
        // is the realm's choice, as the forge's API is, so it vouches for nothing.
        let fromRealm = (try? repository.configBool(ConfigKey.forgeRemotesFromRealm)) ?? nil ?? false
        let remotes = fromRealm ? [] : ((try? repository.configEntries(matching: ConfigKey.remoteURLPattern)) ?? []).map(\.value)
        let configured = (try? repository.configMultivar(ConfigKey.forgeTrustedHost)) ?? []
        return trustedHosts(remoteURLs: remotes, configured: configured)
    }

    /// The hosts trusted given a clone's remote URLs and the configured hosts (lower-cased, ports
    /// dropped, in order, each once).
    public static func trustedHosts(remoteURLs: [String], configured: [String]) -> [String] {
        var hosts: [String] = []
        func add(_ host: String) { if !host.isEmpty, !hosts.contains(host) { hosts.append(host) } }
        for url in remoteURLs {
            guard let host = host(ofRemoteURL: url) else { continue }
            add(host)
            if host == "github.com" { add("api.github.com") }
        }
        for value in configured {
            add(normalisedHost(value.trimmingWhitespace()))
        }
        return hosts
    }

    /// Throws unless `api`'s host is one of `trustedHosts`, with the command that trusts it.
    public static func check(api: String, trustedHosts: [String]) throws(ForgeError) {
        let url = try ForgeURL(parsing: api)
        try check(url, trustedHosts: trustedHosts)
    }

    static func check(_ url: ForgeURL, trustedHosts: [String]) throws(ForgeError) {
        let trusted = Set(trustedHosts.map { normalisedHost($0) })
        guard !trusted.contains(url.host) else { return }
        let host = Printable.line(url.host)
        throw .unauthorized("the forge API host '\(host)' is not one this clone trusts with a token: it is not the host of "
            + "the repo's own remote, and the realm names it (a realm writer could point it at a server of theirs). "
            + "If it is your forge, trust it with: git config --global --add \(ConfigKey.forgeTrustedHost) \(host)")
    }

    /// The host of a git remote URL (`https://host:port/p`, `ssh://user@host/p`,
    /// `user@host:path`), lower-cased; nil for a local path or `file://`.
    public static func host(ofRemoteURL url: String) -> String? {
        guard !GitURL.isLocal(url) else { return nil }
        var rest = Substring(url)
        if let scheme = url.firstRange(of: "://") {
            rest = url[scheme.upperBound...]
            let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            rest = rest[..<end]
        } else if url.contains("::") {
            return nil  // <transport>::<address>: a remote helper's own syntax
        } else {
            guard let colon = rest.firstIndex(of: ":") else { return nil }
            rest = rest[..<colon]
        }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        let host = normalisedHost(String(rest))
        return host.isEmpty ? nil : host
    }

    /// `Host:443` -> `host`, `[::1]:8080` -> `::1`.
    static func normalisedHost(_ text: String) -> String {
        var h = Substring(text.lowercased())
        if h.hasPrefix("[") {
            guard let close = h.firstIndex(of: "]") else { return String(h) }
            return String(h[h.index(after: h.startIndex)..<close])
        }
        if h.filter({ $0 == ":" }).count == 1, let colon = h.firstIndex(of: ":") { h = h[..<colon] }
        return String(h)
    }
}
