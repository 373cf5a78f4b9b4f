import RealmJSON
import RealmSupport

/// A repository created on a forge (`git realm admin init --forge`): where to push it.
public struct CreatedRepository: Sendable, Equatable {
    /// `OWNER/NAME` on the forge.
    public var fullName: String
    /// The https clone URL (never with credentials).
    public var cloneURL: String
    /// The repository's page for people.
    public var webURL: String
}

extension ForgeFactory {
    /// Creates an empty repository `name` on a Forgejo/Gitea forge at `api`, for the token's user
    /// (`POST /user/repos`) or in organisation `owner` (`POST /orgs/{org}/repos`). The user named
    /// `api` on their command line: its host is trusted for this call. GitHub's REST description
    /// that git-realm is tested against has no repository creation: it is refused.
    public static func createRepository(kind: ForgeKind, api: String, owner: String?, name: String, description: String,
                                        credentials: CredentialPolicy, client: HTTPClient = HTTPClient()) throws(ForgeError) -> CreatedRepository {
        guard kind == .forgejo || kind == .gitea else {
            throw .refused("git-realm creates repositories on Forgejo and Gitea only; create '\(Printable.line(name))' on \(kind.rawValue) and pass its URL")
        }
        let base = try ForgeURL(parsing: api)
        guard RESTSession.validName(Substring(name)), owner.map({ RESTSession.validName(Substring($0)) }) ?? true else {
            throw .refused("repository '\(Printable.line((owner.map { $0 + "/" } ?? "") + name))' is not OWNER/NAME in letters, digits, '-', '_', '.'")
        }
        var policy = credentials
        policy.trustedHosts.append(base.host)
        let token = try Token.resolve(kind: kind, url: base, policy: policy)
        let session = RESTSession(kind: kind, base: base, client: client, tokens: TokenState(token: token, gitDirectory: policy.gitDirectory),
                                  authScheme: "token", extraHeaders: [], pageSizeParameter: "limit")
        let path = owner.map { "/orgs/\(ForgeURL.segment($0))/repos" } ?? "/user/repos"
        let body: JSONValue = ["name": .string(name), "description": .string(description), "private": false,
                               "auto_init": false, "default_branch": "main"]
        let answer = try session.call("POST", path, body: body)
        guard answer.status == 201, let value = answer.json else {
            if answer.status == 409 {
                throw .refused("a repository named '\(Printable.line(name))' exists already on \(base.authority): pass its URL instead of --forge")
            }
            throw session.failure("POST", path, status: answer.status, text: answer.text)
        }
        let what = "\(session.forgeName) repository"
        let clone = try Field.string(value["clone_url"], "clone_url", in: what)
        guard !GitURL.hasCredentials(clone), (try? ForgeURL(parsing: clone.hasSuffix(".git") ? String(clone.dropLast(4)) : clone)) != nil else {
            throw .malformed("\(what): clone_url '\(Printable.line(GitURL.redacted(clone)))' is not an https URL git-realm accepts")
        }
        return CreatedRepository(fullName: try Field.string(value["full_name"], "full_name", in: what), cloneURL: clone,
                                 webURL: GitURL.redacted(Field.optionalString(value["html_url"])))
    }
}
