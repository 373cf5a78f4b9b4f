/// The one way `git realm pr` (and the realm's sync-proposal PRs) gets an HTTP forge adapter:
/// the location from `repos/<repo>.yaml` (hostile), the user's credential policy, and curl.
public enum ForgeFactory {
    /// The REST base of GitHub's API, used when a GitHub location names none.
    public static let githubAPI = "https://api.github.com"

    /// An adapter for `location` (kind forgejo, gitea or github). Checks the API URL and that
    /// its host is trusted (`ForgeTrust`) before any token is looked up; then takes the token
    /// (`CredentialPolicy`). The git-native forge (`kind: git`) is not made here.
    public static func make(_ location: ForgeLocation, credentials: CredentialPolicy,
                            client: HTTPClient = HTTPClient()) throws(ForgeError) -> any Forge {
        guard let repo = location.repo else {
            throw .refused("the forge location names no repo (forge.repo: OWNER/NAME)")
        }
        let repoPath = try RESTSession.repoPath(repo)
        let apiText: String
        switch location.kind {
        case .github: apiText = location.api ?? githubAPI
        case .forgejo, .gitea:
            guard let api = location.api else {
                throw .refused("a \(location.kind.rawValue) forge needs its API URL (forge.api, e.g. https://codeberg.org/api/v1)")
            }
            apiText = api
        case .git:
            throw .refused("the git-native forge has no HTTP API: it is not made by ForgeFactory")
        }
        let base = try ForgeURL(parsing: apiText)
        try ForgeTrust.check(base, trustedHosts: credentials.trustedHosts)
        let token = try Token.resolve(kind: location.kind, url: base, policy: credentials)
        let tokens = TokenState(token: token, gitDirectory: credentials.gitDirectory)
        switch location.kind {
        case .github:
            let session = RESTSession(kind: .github, base: base, client: client, tokens: tokens, authScheme: "Bearer",
                                      extraHeaders: [("X-GitHub-Api-Version", "2022-11-28")], pageSizeParameter: "per_page")
            return GitHubForge(location: location, session: session, repoPath: repoPath,
                               owner: String(repo.split(separator: "/")[0]))
        default:
            let session = RESTSession(kind: location.kind, base: base, client: client, tokens: tokens, authScheme: "token",
                                      extraHeaders: [], pageSizeParameter: "limit")
            return ForgejoForge(location: location, session: session, repoPath: repoPath)
        }
    }
}
