import RealmGit
import RealmSupport
import Synchronization

/// Where a forge token comes from, and which hosts may get it (docs/forges.md, "Credentials").
/// git-realm stores no token: it is taken, in this order, from `GIT_REALM_TOKEN`, the forge's
/// own variable (`FORGEJO_TOKEN`, `GITEA_TOKEN`, `GITHUB_TOKEN` then `GH_TOKEN`), or
/// `git credential fill` for the API's URL, and only after the API's host passed
/// `ForgeTrust.check`.
public struct CredentialPolicy: Sendable {
    /// The hosts the user trusts with a token (`ForgeTrust.trustedHosts(repository:)`).
    public var trustedHosts: [String]
    /// Where `git credential` runs (the member's clone: its local config applies); nil: the
    /// current directory.
    public var gitDirectory: String?
    /// Whether to ask `git credential` when no variable holds a token.
    public var useGitCredential: Bool
    /// Reads an environment variable (tests pass their own).
    public var environment: @Sendable (String) -> String?

    public init(trustedHosts: [String], gitDirectory: String? = nil, useGitCredential: Bool = true,
                environment: @escaping @Sendable (String) -> String? = { envString($0) }) {
        self.trustedHosts = trustedHosts
        self.gitDirectory = gitDirectory
        self.useGitCredential = useGitCredential
        self.environment = environment
    }

    /// The forge's own variables, in the order they are read.
    public static func variables(for kind: ForgeKind) -> [String] {
        switch kind {
        case .forgejo: return ["FORGEJO_TOKEN"]
        case .gitea: return ["GITEA_TOKEN"]
        case .github: return ["GITHUB_TOKEN", "GH_TOKEN"]
        case .git: return []
        }
    }
}

/// A token and where it came from (never printed: `description` names only the source).
struct Token: Sendable, CustomStringConvertible {
    enum Source: Sendable {
        case variable(String)
        case gitCredential(GitCredential.Credential)
    }
    var secret: String
    var source: Source

    var description: String {
        switch source {
        case .variable(let name): return "the token in \(name)"
        case .gitCredential: return "the token from git credential"
        }
    }

    /// The token for `url` under `policy`, nil when there is none. Throws when a token is not
    /// usable in a header (the token itself is not shown).
    static func resolve(kind: ForgeKind, url: ForgeURL, policy: CredentialPolicy) throws(ForgeError) -> Token? {
        for name in ["GIT_REALM_TOKEN"] + CredentialPolicy.variables(for: kind) {
            guard let value = policy.environment(name), !value.isEmpty else { continue }
            guard usable(value) else {
                throw .unauthorized("\(name) holds characters a token cannot have (spaces, control or non-ASCII characters)")
            }
            return Token(secret: value, source: .variable(name))
        }
        guard policy.useGitCredential, let credential = GitCredential.fill(url: url.description, directory: policy.gitDirectory) else {
            return nil
        }
        guard usable(credential.password) else {
            throw .unauthorized("git credential gave a token for \(url.authority) with characters a token cannot have")
        }
        return Token(secret: credential.password, source: .gitCredential(credential))
    }

    /// Printable ASCII without spaces: nothing that could end a header line.
    static func usable(_ token: String) -> Bool {
        token.utf8.count <= 4096 && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}

/// A token's life in one command: approved to the credential helpers after the first request it
/// authenticated, rejected (forgotten) on a 401.
final class TokenState: Sendable {
    let token: Token?
    let gitDirectory: String?
    private let approved = Mutex(false)

    init(token: Token?, gitDirectory: String?) {
        self.token = token
        self.gitDirectory = gitDirectory
    }

    func succeeded() {
        guard case .gitCredential(let credential)? = token?.source else { return }
        let first = approved.withLock { done in
            defer { done = true }
            return !done
        }
        if first { GitCredential.approve(credential, directory: gitDirectory) }
    }

    func refused() {
        guard case .gitCredential(let credential)? = token?.source else { return }
        GitCredential.reject(credential, directory: gitDirectory)
    }

    /// `text` with the token replaced (a hostile server may echo it back in an error).
    func redacting(_ text: String) -> String {
        guard let secret = token?.secret, !secret.isEmpty else { return text }
        return text.replacingAll(secret, with: "<token>")
    }
}
