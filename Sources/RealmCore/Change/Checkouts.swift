import RealmGit
import RealmModel
import RealmSupport

/// Where the user keeps each member of a realm (docs/change.md "Where the repos are"):
/// 1. this repository, for its own name;
/// 2. `realm.<realm>.checkout.<repo>` (global git config; `admin join` records it);
/// 3. the older multi-valued `realm.<realm>.checkout`, each path's `.gitrealm` saying which repo
///    it is (what `admin join` recorded before; still written, so older git-realms find it too).
/// A path is used only when the clone there says it is that repo of that realm.
public struct Checkouts {
    public let participant: Participant

    public init(participant: Participant) { self.participant = participant }

    /// The main working tree of the participant's repository (also when run in a linked worktree).
    public func mainWorkdir() throws -> String {
        let repository = participant.repository
        var common = repository.commonDir
        while common.hasSuffix("/") { common.removeLast() }
        if repository.gitDir.trimmingSuffix("/") == common, let workdir = repository.workdir {
            return workdir.trimmingSuffix("/")
        }
        guard common.hasSuffix("/.git") else {
            throw RealmError(.usage, "cannot find the main working tree of this repository (its git directory is \(common))")
        }
        return String(common.dropLast("/.git".count))
    }

    /// The local clone of `repo`, or nil when the user's index names none. Throws when the index
    /// names a path that is not that repo's clone.
    public func path(of repo: String) throws -> String? {
        if repo == participant.name { return try mainWorkdir() }
        let realm = participant.realm
        if let key = ConfigKey.realmCheckout(realm: realm, repo: repo),
           let recorded = (try? participant.repository.configString(key)) ?? nil, !recorded.isEmpty {
            let path = expandHome(recorded)
            guard let found = Self.membership(at: path, realm: realm), found.repo == repo else {
                throw RealmError(.usage, "\(key) is \(path), which is not a clone of \(repo) in realm '\(realm)'",
                                 hint: "fix it with 'git config --global \(key) PATH', or unset it")
            }
            return path
        }
        for path in (try? participant.repository.configMultivar(ConfigKey.realmCheckout(realm: realm))) ?? [] {
            if let found = Self.membership(at: path, realm: realm), found.repo == repo { return path }
        }
        return nil
    }

    /// Records `path` as the clone of `repo` (global config), in both forms.
    public func record(_ repo: String, at path: String) {
        let repository = participant.repository
        if let key = ConfigKey.realmCheckout(realm: participant.realm, repo: repo) {
            try? repository.setConfig(key, path, level: .global)
        }
        let key = ConfigKey.realmCheckout(realm: participant.realm)
        if !((try? repository.configMultivar(key)) ?? []).contains(path) {
            try? repository.addConfigMultivar(key, path, level: .global)
        }
    }

    /// The membership in `realm` of the repository at `path` (which may be in other realms too).
    static func membership(at path: String, realm: String) -> Membership? {
        guard isDirectory(path), let repository = try? Repository.open(at: path) else { return nil }
        return ((try? Membership.loadAll(in: repository)) ?? []).first { $0.realm == realm }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.count > 1, s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
