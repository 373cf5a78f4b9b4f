import RealmForge
import RealmGit
import RealmModel
import RealmSupport

/// `git realm admin init`: writes realm.yaml into an empty realm repository and pushes it.
public struct InitRealm {
    public var url: String
    public var name: String
    public var force = false
    public var approvers: [String] = []
    public var admission = "approval"
    public var requireSignedCommits = false
    /// `governance.breaking_changes`: approval of breaking changes, and the grace period.
    public var breakingChanges = RealmConfig.BreakingChanges()
    /// `forge:` of realm.yaml: where the realm's own pull requests live (docs/forges.md).
    public var forge: ForgeSetting?

    public init(url: String, name: String, force: Bool = false, approvers: [String] = [],
                admission: String = "approval", requireSignedCommits: Bool = false) {
        self.url = url
        self.name = name
        self.force = force
        self.approvers = approvers
        self.admission = admission
        self.requireSignedCommits = requireSignedCommits
    }

    public struct Result: Sendable {
        /// The realm's URL without credentials (what participants should join with).
        public var url: String
        public var commit: OID
        public var config: RealmConfig
    }

    public func run() throws -> Result {
        if let problem = Names.problem(with: name) {
            throw RealmError(.usage, "realm name '\(name)' \(problem)", hint: "try --name \(Names.suggestion(for: name))")
        }
        let url = normalizeRealmURL(self.url)
        // The realm may be anywhere; build the commit in a scratch object store (whose config
        // is the user's: the network timeouts and ssh command come from there).
        let scratch = try TemporaryDirectory(prefix: "git-realm-init")
        defer { scratch.remove() }
        let store = try Repository.initialize(at: scratch.path, bare: true)
        let probe = try RealmRemote.probe(url: url, policy: try RealmRemote.policy(for: store))
        if !probe.empty && !force {
            throw RealmError(.refused, "the repository at \(GitRemote.displayURL(url)) is not empty",
                             hint: "use --force to write realm.yaml on top of its main branch")
        }
        let approvers = self.approvers.isEmpty ? ((try? store.configString(ConfigKey.userEmail)).flatMap { $0 }.map { [$0] } ?? []) : self.approvers
        guard RealmConfig.admissionModes.contains(admission) else {
            throw RealmError(.usage, "--admission must be one of \(RealmConfig.admissionModes.joined(separator: ", ")), not '\(admission)'")
        }
        var config = RealmConfig(name: name, createdAt: Timestamp.now(), approvers: approvers)
        config.governance.admission = admission
        config.trust.requireSignedCommits = requireSignedCommits
        config.governance.breakingChanges = breakingChanges
        config.forge = forge
        // The creator approves; with a signing key, approvals are proven by it (docs/trust.md).
        if let signer = try CommitSigner.configured(in: store), SigningKey.isValid(signer.publicKey),
           let email = (try? store.configString(ConfigKey.userEmail)) ?? nil, approvers.contains(email) {
            config.trust.approverKeys = [SigningKey(principal: email, key: signer.publicKey)]
        }
        if requireSignedCommits, try CommitSigner.configured(in: store) == nil {
            throw RealmError(.usage, "--require-signed-commits: git is not set up to sign here, so not even realm.yaml could be signed",
                             hint: "git config --global gpg.format ssh && git config --global user.signingkey ~/.ssh/id_ed25519.pub (docs/trust.md)")
        }
        let writer = RealmWriter(repository: store, realm: name, url: url)
        let commit = try writer.commit(fetch: probe.main != nil ? .first : .never) { _ in
            var change = RealmChange(message: "Initialize realm \(name)")
            change.write(RealmConfig.path, config)
            return change
        }
        guard let commit else {
            throw RealmError(.refused, "realm.yaml at \(GitRemote.displayURL(url)) already says exactly this; nothing to do")
        }
        return Result(url: GitURL.redacted(url), commit: commit, config: config)
    }
}

extension InitRealm {
    /// An empty repository for the realm, created on a Forgejo/Gitea forge the user names
    /// (`admin init --forge KIND --forge-api URL [--forge-owner ORG]`): its https clone URL, and
    /// the `forge:` setting naming it. The token: `GIT_REALM_TOKEN`, the forge's variable or
    /// `git credential` (docs/forges.md).
    public static func createOnForge(kind: String, api: String, owner: String?, name: String) throws -> (url: String, forge: ForgeSetting, web: String) {
        guard let forgeKind = ForgeKind(rawValue: kind), forgeKind != .git else {
            throw RealmError(.usage, "--forge must be forgejo, gitea or github to create the realm's repository, not '\(kind)'")
        }
        let setting = ForgeSetting(kind: kind, api: api, repo: "\(owner ?? "owner")/\(name)")
        if let problem = setting.problems().first(where: { $0.field == "api" }) {
            throw RealmError(.usage, "--forge-api \(problem.problem)")
        }
        do {
            let created = try ForgeFactory.createRepository(kind: forgeKind, api: api, owner: owner, name: name,
                                                            description: "git-realm realm \(name)",
                                                            credentials: CredentialPolicy(trustedHosts: []))
            return (created.cloneURL, ForgeSetting(kind: kind, api: api, repo: created.fullName), created.webURL)
        } catch {
            throw RealmError(error.isAccess ? .refused : .network, "creating the realm's repository: \(ChangeForges.describe(error))")
        }
    }
}

/// A realm URL as recorded: local paths become absolute, anything else is kept as given.
public func normalizeRealmURL(_ url: String) -> String {
    if url.contains("://") || (url.contains(":") && !url.hasPrefix("/") && !url.hasPrefix(".")) { return url }
    let path = absolutePath(url)
    return isDirectory(path) ? path : url
}
