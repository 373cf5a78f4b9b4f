import RealmGit
import RealmModel
import RealmSupport

/// `git realm admin join`: registers this repository in a realm (repos/<name>.yaml), writes
/// the membership file, fetches the realm and installs the hooks.
public struct JoinRealm {
    public enum HookMode: Sendable { case install, force, manual, skip }

    public var url: String
    public var name: String?
    public var org: String?
    public var hooks: HookMode = .install
    public var directory: String = currentDirectory()
    /// `--forge KIND [--forge-api URL] [--forge-repo OWNER/NAME]`: where the repo's pull requests
    /// live (docs/pr.md); nil: guessed from origin's URL where unambiguous, else none (git-native).
    public var forge: ForgeSetting?
    /// `--forge-user NAME`...: the maintainers' user names on the realm's forge (`forge_users:`).
    public var forgeUsers: [String] = []

    public init(url: String, name: String? = nil, org: String? = nil, hooks: HookMode = .install) {
        self.url = url
        self.name = name
        self.org = org
        self.hooks = hooks
    }

    public struct Result: Sendable {
        public var membership: Membership
        public var registered: Bool
        public var hookLines: [String]
        public var manualHooks: String?
        public var detected: [(domain: String, role: String, contracts: [String])]
        /// Tracked files with S3 path literals: candidates for `git realm export --detect s3-paths`.
        public var detectedS3Sources: [String]
        public var detectedS3Value: S3PathDetector.Found
        /// The realm URL given carried credentials, which were used for this command's own
        /// fetch and push and stored nowhere (`membership.url` is the URL without them).
        public var droppedCredentials: Bool
        /// The realm's admission is `approval` or `invite-only` and this user is no approver: the
        /// registration waits on this realm branch until an approver runs `admin admit`.
        public var pendingBranch: String? = nil
        public var admission: String = "open"
        /// `pendingBranch` as a reader names it (`join/<repo>`).
        public var pendingBranchName: String? { pendingBranch.map(RefLayout.shortBranchName) }
    }

    public func run() throws -> Result {
        let repository = try Participant.openRepository(from: directory)
        guard let workdir = repository.workdir else {
            throw RealmError(.usage, "cannot join from a bare repository: run it in a clone with a working tree")
        }
        let repoName = try chooseName(workdir: workdir)
        // `url` is what the user gave, used for this command's own fetch and push (git offers
        // its credentials to the credential helpers when they work); `storedURL` is what is
        // written anywhere and printed: without credentials (docs/security.md).
        let url = normalizeRealmURL(self.url)
        let storedURL = GitURL.redacted(url)

        // Learn the realm's name from its realm.yaml.
        let (realmName, realmTip) = try readRealmName(repository: repository, url: url)
        // A repo may be in more than one realm (docs/architecture.md "More than one realm"):
        // joining another adds a `[realm "<name>"]` section; this realm again, under the same name.
        let current = try Membership.loadAll(in: repository).first { $0.realm == realmName }
        if let existing = current, existing.repo != repoName {
            throw RealmError(.refused, "this repository is already in realm '\(existing.realm)' as '\(existing.repo)'",
                             hint: "join as '\(existing.repo)' (--as \(existing.repo)), or run 'git realm --realm \(existing.realm) admin leave' first")
        }
        // A realm's name is its own realm.yaml's word: at another URL, the same name is the same
        // realm only when its main contains the history verified here.
        if let existing = current, existing.url != storedURL {
            try Self.checkSameRealm(existing, url: storedURL, tip: realmTip, in: repository)
        }
        // This repository (or a clone of it: the file is committed) joined under this name before.
        let rejoining = current != nil
        // Refuse a foreign hook before writing anything anywhere.
        let hookPlan: Hooks.Plan? = switch hooks {
        case .install: try Hooks.plan(for: repository, force: false)
        case .force: try Hooks.plan(for: repository, force: true)
        case .manual, .skip: nil
        }

        let email = (try? repository.configString(ConfigKey.userEmail)).flatMap { $0 }
        var entry = RepoEntry(name: repoName, org: org, url: Self.publishableURL(of: repository),
                              maintainers: email.map { [$0] } ?? [], joinedAt: Timestamp.now())
        entry.forge = forge ?? entry.url.flatMap(ForgeSetting.guess(fromRemoteURL:))
        entry.forgeUsers = forgeUsers
        // The joining user's signing key, when git signs here (SSH or OpenPGP; docs/trust.md).
        if let email, let signer = try CommitSigner.configured(in: repository), SigningKey.isValid(signer.publicKey) {
            entry.keys = [SigningKey(principal: email, key: signer.publicKey)]
        }
        var registered = false
        var admission = "open"
        var pendingBranch: String?
        let writer = RealmWriter(repository: repository, realm: realmName, url: url)
        try writer.commit { snapshot in
            guard let snapshot else { throw RealmError(.usage, "\(GitRemote.displayURL(url)) is not a realm (it has no main branch)") }
            _ = try snapshot.config()
            if let existing = try snapshot.repo(repoName) {
                // The same repository: by its published URL, by its membership file, or (an
                // entry written before local paths stopped being published) by its path here.
                let existingURL = existing.url.map(GitURL.redacted)
                let same = (existingURL != nil && existingURL == entry.url) || rejoining
                    || (existing.path != nil && existing.path == workdir)
                if same {
                    // Joining again with --forge sets the repo's forge, with --forge-user its
                    // maintainers' user names there.
                    var updated = existing
                    if let forge { updated.forge = forge }
                    if !forgeUsers.isEmpty { updated.forgeUsers = forgeUsers }
                    guard updated != existing else { return nil }
                    let what = [forge.map { "pull requests on forge \($0.kind)" },
                                forgeUsers.isEmpty ? nil : "forge users \(forgeUsers.joined(separator: ", "))"].compactMap { $0 }
                    var change = RealmChange(message: "\(repoName): \(what.joined(separator: "; "))")
                    change.write(RepoEntry.path(repoName), updated)
                    return change
                }
                let elsewhere = existingURL.map { " (\($0))" } ?? ""
                throw RealmError(.refused, "realm '\(realmName)' already has a repo named '\(repoName)'\(elsewhere)",
                                 hint: "join under another name with --as NAME")
            }
            registered = true
            var change = RealmChange(message: "Join \(repoName)")
            change.write(RepoEntry.path(repoName), entry)
            // Admission (docs/trust.md): outside an open realm only approvers register repos; anyone
            // else proposes the registration on a branch of its own for an approver to admit.
            let config = try snapshot.config()
            admission = config.governance.admission
            let approver = try Self.isApprover(config, email: email, repository: repository)
            // A name whose repo left stays its team's (docs/trust.md "Admission").
            if !approver, try snapshot.exists(RepoEntry.retiredPath(repoName)) {
                let retired = (try? snapshot.retiredRepo(repoName)) ?? nil
                let ours = retired.map { old in
                    email.map(old.vouches(for:)) ?? false || entry.keys.contains { k in old.keys.contains { $0.key == k.key } }
                } ?? false
                if !ours {
                    throw RealmError(.refused, "the name '\(repoName)' in realm '\(realmName)' belonged to a repo that left; only its former maintainers or an approver may register it again",
                                     hint: "join under another name with --as NAME")
                }
            }
            // An invitation that names this user and key admits the registration on main,
            // consumed in the same commit (docs/trust.md "Admission").
            if admission != "open", !approver, let invitation = try snapshot.invitation(repoName) {
                guard invitation.admits(entry) else {
                    throw RealmError(.refused, "the invitation of '\(repoName)' does not name you: it invites \((invitation.maintainers + invitation.keys.map(\.principal)).joined(separator: ", ")) with \(invitation.keys.count) key(s); you are \(email ?? "(no user.email)")\(entry.keys.isEmpty ? " without a signing key" : " signing with \(entry.keys[0].key.prefix(30))...")",
                                     hint: "sign with the invited key (git config user.signingkey), or ask an approver to invite you")
                }
                change.delete(Invitation.path(repoName))
                return change
            }
            if admission == "invite-only", !approver {
                throw RealmError(.refused, "realm '\(realmName)' is invite-only, and nobody invited '\(repoName)'",
                                 hint: "ask an approver to run 'git realm admin invite \(repoName) --maintainer \(email ?? "EMAIL")\(entry.keys.isEmpty ? "" : " --key '\(entry.keys[0].key)'")'")
            }
            if admission != "open", !approver {
                let branch = RefLayout.realmJoinBranch(repo: repoName)
                change.branch = branch
                change.branchTip = try GitRemote.lsRemote(url: url, patterns: [branch], policy: RealmRemote.policy(for: repository))
                    .first { $0.name == branch }?.oid
                pendingBranch = branch
            }
            return change
        }

        let membership = Membership(realm: realmName, url: storedURL, repo: repoName)
        try membership.write(to: workdir)
        let participant = Participant(repository: repository, membership: membership)
        try repository.setConfig(ConfigKey.fetchedAt(realm: realmName), String(Timestamp.nowSeconds()))
        try recordCheckout(repository: repository, realm: realmName, repo: repoName, url: storedURL, workdir: workdir)
        try repository.setConfig(ConfigKey.notesRewriteRef, RefLayout.localNotes)

        var hookLines: [String] = []
        var manual: String?
        if let hookPlan { hookLines = try Hooks.install(hookPlan) }
        if hooks == .manual { manual = try Hooks.manualInstructions(for: repository) }

        var detected: [(String, String, [String])] = []
        let snapshot = try participant.snapshot()
        for domain in try snapshot.domains(of: repoName) {
            if let binding = try snapshot.binding(domain: domain, repo: repoName) {
                detected.append((domain, binding.role, binding.exports.map(\.contract) + binding.imports.map(\.contract)))
            }
        }
        let (s3Files, s3Value) = try detectS3Exports(repository: repository, workdir: workdir)
        return Result(membership: membership, registered: registered, hookLines: hookLines,
                      manualHooks: manual, detected: detected, detectedS3Sources: s3Files, detectedS3Value: s3Value,
                      droppedCredentials: storedURL != url, pendingBranch: pendingBranch, admission: admission)
    }

    /// Whether this user can act as an approver of the realm: its email is listed, and (when the
    /// realm records approver keys) git signs here with one of them.
    static func isApprover(_ config: RealmConfig, email: String?, repository: Repository) throws -> Bool {
        guard let email, config.governance.approvers.contains(email) else { return false }
        let keys = config.trust.approverKeys.filter { $0.principal == email }.map(\.key)
        if keys.isEmpty { return config.trust.approverKeys.isEmpty }
        return try CommitSigner.configured(in: repository).map { keys.contains($0.publicKey) } ?? false
    }

    /// What repos/<repo>.yaml says about where this repository lives: origin's URL without
    /// credentials, or nothing when origin is missing or local (a path, `file://`): a path
    /// would only tell the realm how this machine is laid out.
    static func publishableURL(of repository: Repository) -> String? {
        guard let origin = (try? repository.configString(ConfigKey.originURL)).flatMap({ $0 }),
              !origin.isEmpty, !GitURL.isLocal(origin) else { return nil }
        return GitURL.redacted(origin)
    }

    /// The seeds' "auto-detected exports": tracked text files that mention `s3://` literals.
    private func detectS3Exports(repository: Repository, workdir: String) throws -> ([String], S3PathDetector.Found) {
        var files: [(path: String, text: String)] = []
        for path in try repository.trackedFiles(matching: []).prefix(5000) {
            guard let bytes = try? readFile(workdir + "/" + path), bytes.count < 1 << 20, !bytes.contains(0) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("s3://"), !S3PathDetector.detect(in: text).read.isEmpty || !S3PathDetector.detect(in: text).write.isEmpty {
                files.append((path, text))
            }
        }
        return (files.map(\.path), S3PathDetector.detect(files))
    }

    private func chooseName(workdir: String) throws -> String {
        if let name {
            if let problem = Names.problem(with: name) {
                throw RealmError(.usage, "repo name '\(name)' \(problem)", hint: "try --as \(Names.suggestion(for: name))")
            }
            return name
        }
        let base = String(workdir.split(separator: "/").last ?? "repo")
        if let problem = Names.problem(with: base) {
            throw RealmError(.usage, "this directory's name '\(base)' \(problem), so it cannot be the repo's name",
                             hint: "choose one with --as \(Names.suggestion(for: base).isEmpty ? "NAME" : Names.suggestion(for: base))")
        }
        return base
    }

    /// Refuses to take the realm at `url` (main at `tip`) for `existing`, a membership of the
    /// same name at another URL, unless the realm history verified here (or fetched) is in `tip`:
    /// a realm that moved keeps its history; another realm that took the name does not.
    static func checkSameRealm(_ existing: Membership, url: String, tip: OID, in repository: Repository) throws {
        let known = try repository.resolve(ref: RefLayout.verified(realm: existing.realm))
            ?? repository.resolve(ref: RefLayout.fetchedMain(realm: existing.realm))
        if let known, try known == tip || repository.isAncestor(known, of: tip) { return }
        let why = known == nil ? "no history of it is known here yet to compare" : "its main does not contain the history verified here"
        throw RealmError(.refused, "this repository is in realm '\(existing.realm)' at \(GitRemote.displayURL(existing.url)); the realm at \(GitRemote.displayURL(url)) has the same name, but \(why): it is taken for another realm, and nothing was changed",
                         hint: "a realm that moved: run 'git realm status --fetch' first (it verifies the realm where it was), then join again; two realms need two names (each realm's realm.yaml)")
    }

    private func readRealmName(repository: Repository, url: String) throws -> (name: String, tip: OID) {
        let incoming = RefLayout.joinIncoming
        do {
            try GitRemote.fetch(repoDir: repository.workdir ?? repository.gitDir, url: url,
                                refspecs: ["+\(RefLayout.realmMainBranch):\(incoming)"],
                                policy: try RealmRemote.policy(for: repository))
        } catch let error as GitRemote.Failure {
            if error.stderr.contains("couldn't find remote ref") {
                throw RealmError(.usage, "\(GitRemote.displayURL(url)) is not a realm (it has no main branch)",
                                 hint: "create one with 'git realm admin init \(GitRemote.displayURL(url)) --name NAME'")
            }
            throw RealmRemote.unreachable(realm: nil, url: url, error, verb: "fetch", preposition: "from")
        }
        defer { try? repository.deleteRef(incoming, expected: nil) }
        guard let tip = try repository.resolve(ref: incoming) else {
            throw RealmError(.network, "fetched nothing from \(GitRemote.displayURL(url))")
        }
        let config = try RealmSnapshot(source: GitRealmSource(repository: repository, commit: tip)).config()
        return (config.name, tip)
    }
}

/// The user-level index of realms and local checkouts (global git config, `realm.<realm>.*`):
/// `realm.<realm>.checkout.<repo>` (where `worktree`, `commit` and `push` find each member,
/// docs/change.md), and the older multi-valued `realm.<realm>.checkout`, kept for readers
/// that know only it.
func recordCheckout(repository: Repository, realm: String, repo: String, url: String, workdir: String) throws {
    try? repository.setConfig(ConfigKey.realmURL(realm: realm), url, level: .global)
    if let key = ConfigKey.realmCheckout(realm: realm, repo: repo) {
        try? repository.setConfig(key, workdir, level: .global)
    }
    let key = ConfigKey.realmCheckout(realm: realm)
    let existing = (try? repository.configMultivar(key)) ?? []
    if !existing.contains(workdir) {
        try? repository.addConfigMultivar(key, workdir, level: .global)
    }
}

extension JoinRealm {
    /// The `forge:` of `--forge KIND [--forge-api URL] [--forge-repo OWNER/NAME]`, checked as
    /// the realm's readers check it; nil without `--forge`. GitHub's API defaults to
    /// api.github.com; the repo defaults to the path of origin's URL.
    public static func forgeSetting(kind: String?, api: String?, repo: String?, directory: String = currentDirectory()) throws -> ForgeSetting? {
        guard let kind else {
            if api != nil || repo != nil { throw RealmError(.usage, "--forge-api and --forge-repo need --forge KIND") }
            return nil
        }
        var setting = ForgeSetting(kind: kind, api: api, repo: repo)
        if kind == "github" && api == nil { setting.api = "https://api.github.com" }
        if setting.isHTTP && repo == nil, let repository = try? Participant.openRepository(from: directory),
           let origin = repository.remoteURL("origin") {
            setting.repo = ForgeSetting.guess(fromRemoteURL: origin)?.repo ?? Self.ownerAndName(origin)
        }
        if let problem = setting.problems().first {
            throw RealmError(.usage, "--forge\(problem.field == "kind" ? "" : "-" + problem.field) \(problem.problem)")
        }
        return setting
    }

    /// `--forge-user NAME`...: checked as the realm's readers check `forge_users:`, duplicates dropped.
    public static func forgeUsers(_ names: [String]) throws -> [String] {
        var users: [String] = []
        for name in names where !users.contains(name) {
            guard RepoEntry.isValidForgeUser(name) else {
                throw RealmError(.usage, "--forge-user \(Printable.line(name)): a forge user name is ASCII letters, digits, '.', '_' and '-', not starting with '.' or '-', at most 64")
            }
            users.append(name)
        }
        guard users.count <= 32 else { throw RealmError(.usage, "--forge-user: at most 32 names") }
        return users
    }

    /// The last two components of a URL's path, without `.git` ("owner/name").
    static func ownerAndName(_ url: String) -> String? {
        var parts = url.split(whereSeparator: { $0 == "/" || $0 == ":" }).map(String.init)
        guard parts.count >= 2 else { return nil }
        if parts[parts.count - 1].hasSuffix(".git") { parts[parts.count - 1].removeLast(4) }
        let repo = parts[parts.count - 2] + "/" + parts[parts.count - 1]
        return ForgeSetting.repoProblem(repo) == nil ? repo : nil
    }
}
