import RealmSupport
/// The one place every git config key is spelled: git-realm's own (`realm.*`), git's that it
/// reads or sets (`notes.rewriteRef`, `core.hooksPath`, `user.email`, ...) and the keys of a
/// participant's committed `.gitrealm` file (git-config syntax). It lives in RealmGit, beside
/// `RefLayout`, because RealmGit is the lowest layer that reads config (commit identity, ssh
/// signing, network timeouts). See docs/architecture.md; a test fails on a key literal elsewhere.
public enum ConfigKey {
    // MARK: git-realm's settings (any config level, `git -c`)

    /// "realm.<realm>.fetchedAt": when the realm was last fetched here (epoch seconds, local).
    public static func fetchedAt(realm: String) -> String { "realm.\(realm).fetchedAt" }
    /// "realm.<realm>.url": the user's index of realms (global).
    public static func realmURL(realm: String) -> String { "realm.\(realm).url" }
    /// "realm.<realm>.checkout": the user's local checkouts of a realm's members (global, multi-valued).
    public static func realmCheckout(realm: String) -> String { "realm.\(realm).checkout" }
    /// "realm.<realm>.checkout.<repo>": where the user keeps its clone of one member (global;
    /// docs/change.md). nil for a repo name git config cannot hold as a variable name (it must
    /// start with a letter): such a repo is found through the multi-valued index alone.
    public static func realmCheckout(realm: String, repo: String) -> String? {
        guard let first = repo.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return nil }
        return "realm.\(realm).checkout.\(repo)"
    }

    /// "realm.connectTimeout", "realm.inactivityTimeout", "realm.timeout": network timeouts.
    public static let connectTimeout = "realm.connectTimeout"
    public static let inactivityTimeout = "realm.inactivityTimeout"
    public static let timeout = "realm.timeout"

    /// "realm.sessionTTL": seconds without activity after which this user's session shows as
    /// idle and may be pruned (docs/awareness.md); written into each session it records.
    public static let sessionTTL = "realm.sessionTTL"

    /// Hook policy (docs/hooks.md).
    public static let prePush = "realm.prePush"
    public static let hookFailure = "realm.hookFailure"
    public static let prePushFetch = "realm.prePushFetch"
    public static let fetchTimeout = "realm.fetchTimeout"

    /// The cache (docs/cache.md): `realm.cache=false` turns it off as `--no-cache` does, for
    /// every command and hook; its bounds in bytes and entries.
    public static let cache = "realm.cache"
    public static let cacheMaxBytes = "realm.cacheMaxBytes"
    public static let cacheMaxEntries = "realm.cacheMaxEntries"

    /// "realm.forge.trustedHost" (multi-valued, any level): forge API hosts the user trusts with
    /// a token besides the host of the repo's own remote (docs/forges.md, "Which host gets a
    /// token").
    public static let forgeTrustedHost = "realm.forge.trustedHost"
    /// "realm.forge.remotesFromRealm" (bool, set in a clone's own config): the clone was made by
    /// `worktree --clone-missing` from a URL the realm gave, so its remotes' hosts earn no trust
    /// with a token (docs/forges.md, "Which host gets a token").
    public static let forgeRemotesFromRealm = "realm.forge.remotesFromRealm"
    /// `remote.<name>.url` and `remote.<name>.pushurl` of every remote, as a POSIX extended
    /// regular expression over canonical keys (for `configEntries(matching:)`).
    public static let remoteURLPattern = "^remote\\..*\\.(url|pushurl)$"

    /// Colour: git-realm's own, then git's (`auto|always|never`).
    public static let colorRealm = "color.realm"
    public static let colorUI = "color.ui"

    // MARK: git's settings

    /// Which notes refs rebase and amend carry along (multi-valued).
    public static let notesRewriteRef = "notes.rewriteRef"
    public static let hooksPath = "core.hooksPath"
    public static let sshCommand = "core.sshCommand"
    public static let askPass = "core.askPass"
    public static let filesRefLockTimeout = "core.filesRefLockTimeout"
    public static let sshVariant = "ssh.variant"
    public static let originURL = "remote.origin.url"
    /// "remote.<name>.url"
    public static func remoteURL(_ remote: String) -> String { "remote.\(remote).url" }
    public static let userEmail = "user.email"
    public static let userSigningKey = "user.signingkey"
    public static let gpgFormat = "gpg.format"
    public static let gpgSSHProgram = "gpg.ssh.program"
    public static let gpgProgram = "gpg.program"
    public static let gpgOpenPGPProgram = "gpg.openpgp.program"
    /// "protocol.<name>.allow": which transports a clone may use (`never` for `ext`, and for
    /// `file` unless the user asked for local URLs).
    public static func protocolAllow(_ name: String) -> String { "protocol.\(name).allow" }

    /// "user.<field>", "author.<field>", "committer.<field>": a commit identity's name or email.
    public static func identity(role: String, field: String) -> String { "\(role).\(field)" }
    public static func userIdentity(field: String) -> String { identity(role: "user", field: field) }

    // MARK: the committed `.gitrealm` file

    /// Keys of `.gitrealm`: membership (`[realm] name, url, repo`) and declarations
    /// (`[export "<contract>"] source, file, command, detect, schema`; `[import "<contract>"] ...`).
    public enum Membership {
        public static let section = "realm"
        public static let name = "realm.name"
        public static let url = "realm.url"
        public static let repo = "realm.repo"

        /// "realm.<field>" for one membership field.
        public static func field(_ field: String) -> String { "\(section).\(field)" }

        /// "realm.<realm>.<field>": a field of a further realm's membership (`[realm "<realm>"]`,
        /// a repo in more than one realm; docs/architecture.md "More than one realm").
        public static func field(_ field: String, realm: String) -> String { "\(section).\(realm).\(field)" }

        /// A further realm's key read back (`realm.<realm>.<field>`): the realm and the field; nil
        /// for any other key, the first realm's `realm.<field>` included.
        public static func furtherRealm(_ key: String) -> (realm: String, field: String)? {
            guard key.hasPrefix(section + "."), let lastDot = key.lastIndex(of: ".") else { return nil }
            let start = key.index(key.startIndex, offsetBy: section.count + 1)
            guard start < lastDot else { return nil }
            return (String(key[start..<lastDot]), String(key[key.index(after: lastDot)...]))
        }

        /// The two declaration sections.
        public enum Section: String, CaseIterable, Sendable {
            case export, `import`
        }

        /// "<section>.<contract>.<field>", e.g. "export.s3-permissions.source".
        public static func declaration(_ section: Section, contract: String, field: String) -> String {
            "\(section.rawValue).\(contract).\(field)"
        }

        /// A declaration key read back: its section, contract and field. nil for a key of
        /// another section; `.malformed` when it is in a declaration section without a
        /// contract and a field.
        public enum Parsed: Equatable, Sendable {
            case declaration(section: Section, contract: String, field: String)
            case malformed(section: Section)
        }

        public static func parse(_ key: String) -> Parsed? {
            guard let section = Section.allCases.first(where: { key.hasPrefix($0.rawValue + ".") }) else { return nil }
            let name = section.rawValue
            guard let lastDot = key.lastIndex(of: "."), key.index(key.startIndex, offsetBy: name.count) < lastDot else {
                return .malformed(section: section)
            }
            let contract = String(key[key.index(key.startIndex, offsetBy: name.count + 1)..<lastDot])
            let field = String(key[key.index(after: lastDot)...])
            return .declaration(section: section, contract: contract, field: field)
        }
    }
}
