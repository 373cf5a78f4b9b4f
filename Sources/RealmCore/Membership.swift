import RealmGit
import RealmLimits
import RealmModel
import RealmSupport

/// This repository's membership: the committed `.gitrealm` file (git-config syntax, like
/// `.gitmodules`) naming the realm, its URL and this repo's name in it.
///
///     [realm]
///         name = letemcook
///         url = https://git.example.com/realms/letemcook.git
///         repo = aperture
///
/// A repo in more than one realm has one `[realm "<name>"]` section (url, repo) for each further
/// realm; the `[realm]` section stays the first one, the realm a command acts on unless
/// `--realm NAME` says otherwise (docs/architecture.md "More than one realm"):
///
///     [realm "platform"]
///         url = https://git.example.com/realms/platform.git
///         repo = aperture
public struct Membership: Sendable, Equatable {
    public static let fileName = ".gitrealm"

    public var realm: String
    public var url: String
    public var repo: String

    public init(realm: String, url: String, repo: String) {
        self.realm = realm
        self.url = url
        self.repo = repo
    }

    /// The first realm of the working tree's file, or HEAD's when there is no working tree
    /// (bare repos, hooks run on a server). nil when this repository has not joined a realm.
    public static func load(in repository: Repository) throws -> Membership? {
        try loadAll(in: repository).first
    }

    /// The membership in `realm` (nil: the first); nil when this repository has joined no
    /// realm. A realm it is not in is a usage error naming the realms it is in.
    public static func load(in repository: Repository, realm: String?) throws -> Membership? {
        let all = try loadAll(in: repository)
        guard let realm, !all.isEmpty else { return all.first }
        if let problem = Names.problem(with: realm) {
            throw RealmError(.usage, "--realm: name '\(realm)' \(problem)")
        }
        guard let found = all.first(where: { $0.realm == realm }) else {
            throw RealmError(.usage, "this repository is not in realm '\(realm)' (its realms: \(all.map(\.realm).joined(separator: ", ")))",
                             hint: "name one of them with --realm, or join it with 'git realm admin join <realm-url>'")
        }
        return found
    }

    /// Every realm this repository is in, the first (`[realm]`) first, then the further ones
    /// (`[realm "<name>"]`) in the file's order. [] when it has joined none.
    public static func loadAll(in repository: Repository) throws -> [Membership] {
        let entries: [(key: String, value: String)]
        let displayPath: String
        if let workdir = repository.workdir, fileExists(workdir + "/" + fileName) {
            displayPath = fileName
            entries = try ConfigFile.read(path: workdir + "/" + fileName)
        } else if let head = try repository.headCommit(),
                  let bytes = try repository.blob(at: fileName, in: head) {
            displayPath = "HEAD:" + fileName
            let temp = try TemporaryDirectory(prefix: "gitrealm")
            defer { removeFile(temp.path + "/config"); removeDirectory(temp.path) }
            try writeFile(temp.path + "/config", bytes)
            entries = try ConfigFile.read(path: temp.path + "/config")
        } else {
            return []
        }
        func value(_ key: String) -> String? { entries.last(where: { $0.key == key })?.value }
        var result: [Membership] = []
        let first = [ConfigKey.Membership.name, ConfigKey.Membership.url, ConfigKey.Membership.repo].map(value)
        if first.contains(where: { $0 != nil }) {
            guard let realm = first[0], let url = first[1], let repo = first[2] else {
                throw RealmError(.usage, "\(displayPath): needs realm.name, realm.url and realm.repo",
                                 hint: "run 'git realm admin join <realm-url>' again to rewrite it")
            }
            result.append(Membership(realm: realm, url: url, repo: repo))
        }
        var further: [String] = []
        for (key, _) in entries {
            if let (realm, _) = ConfigKey.Membership.furtherRealm(key), !further.contains(realm) { further.append(realm) }
        }
        for realm in further {
            guard let url = value(ConfigKey.Membership.field("url", realm: realm)),
                  let repo = value(ConfigKey.Membership.field("repo", realm: realm)) else {
                throw RealmError(.usage, "\(displayPath): [realm \"\(Printable.line(realm))\"] needs url and repo",
                                 hint: "run 'git realm admin join <realm-url>' again to rewrite it")
            }
            if result.contains(where: { $0.realm == realm }) {
                throw RealmError(.usage, "\(displayPath): realm '\(Printable.line(realm))' is named twice")
            }
            result.append(Membership(realm: realm, url: url, repo: repo))
        }
        for membership in result {
            for (field, name) in [(ConfigKey.Membership.name, membership.realm), (ConfigKey.Membership.repo, membership.repo)] {
                if let problem = Names.problem(with: name) {
                    throw RealmError(.usage, "\(displayPath): \(field): name '\(Printable.line(name))' \(problem)")
                }
            }
        }
        return result
    }

    /// Writes this membership into the working tree's file: as its `[realm]` section when the
    /// file names no first realm or names this one, else as a `[realm "<name>"]` section.
    public func write(to workdir: String) throws {
        let path = workdir + "/" + Self.fileName
        let entries = fileExists(path) ? try ConfigFile.read(path: path) : []
        let first = entries.last { $0.key == ConfigKey.Membership.name }?.value
        if first == nil || first == realm {
            try ConfigFile.set(path: path, key: ConfigKey.Membership.name, value: realm)
            try ConfigFile.set(path: path, key: ConfigKey.Membership.url, value: url)
            try ConfigFile.set(path: path, key: ConfigKey.Membership.repo, value: repo)
        } else {
            try ConfigFile.set(path: path, key: ConfigKey.Membership.field("url", realm: realm), value: url)
            try ConfigFile.set(path: path, key: ConfigKey.Membership.field("repo", realm: realm), value: repo)
        }
    }

    /// Removes this membership from the working tree's file; the whole file when it was the
    /// only realm (what leaving a realm always did). Returns the realms that remain.
    @discardableResult
    public static func remove(realm: String, from repository: Repository) throws -> [Membership] {
        guard let workdir = repository.workdir else { return [] }
        let path = workdir + "/" + fileName
        let all = try loadAll(in: repository)
        let rest = all.filter { $0.realm != realm }
        if rest.isEmpty {
            removeFile(path)
            return []
        }
        if all.first?.realm == realm, (try ConfigFile.read(path: path)).contains(where: { $0.key == ConfigKey.Membership.name }) {
            for key in [ConfigKey.Membership.name, ConfigKey.Membership.url, ConfigKey.Membership.repo] {
                try ConfigFile.unset(path: path, key: key)
            }
        } else {
            for field in ["url", "repo"] { try ConfigFile.unset(path: path, key: ConfigKey.Membership.field(field, realm: realm)) }
            try removeEmptySection("[realm \"\(realm)\"]", in: path)
        }
        return rest
    }

    /// Drops the header line `header` when nothing but blank lines follow it before the next
    /// section (git leaves an emptied section's header behind; a comment keeps it).
    private static func removeEmptySection(_ header: String, in path: String) throws {
        let lines = String(decoding: try readFile(path, limit: Limits.documentBytes), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        guard let at = lines.firstIndex(where: { $0.trimmingWhitespace() == header }) else { return }
        let body = lines[(at + 1)...].prefix { !$0.trimmingWhitespace().hasPrefix("[") }
        guard body.allSatisfy({ $0.trimmingWhitespace().isEmpty }) else { return }
        var kept = lines
        kept.removeSubrange(at..<(at + 1 + body.count))
        try writeFile(path, Array(kept.joined(separator: "\n").utf8))
    }
}
