import RealmGit
import RealmModel
import RealmSupport

/// This repository's membership: the committed `.gitrealm` file (git-config syntax, like
/// `.gitmodules`) naming the realm, its URL and this repo's name in it.
///
///     [realm]
///         name = letemcook
///         url = https://git.example.com/realms/letemcook.git
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

    /// Reads the working tree's file, or HEAD's when there is no working tree (bare repos,
    /// hooks run on a server). nil when this repository has not joined a realm.
    public static func load(in repository: Repository) throws -> Membership? {
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
            return nil
        }
        func value(_ key: String) -> String? { entries.last(where: { $0.key == ConfigKey.Membership.field(key) })?.value }
        guard let realm = value("name"), let url = value("url"), let repo = value("repo") else {
            throw RealmError(.usage, "\(displayPath): needs realm.name, realm.url and realm.repo",
                             hint: "run 'git realm admin join <realm-url>' again to rewrite it")
        }
        for (field, name) in [(ConfigKey.Membership.name, realm), (ConfigKey.Membership.repo, repo)] {
            if let problem = Names.problem(with: name) {
                throw RealmError(.usage, "\(displayPath): \(field): name '\(name)' \(problem)")
            }
        }
        return Membership(realm: realm, url: url, repo: repo)
    }

    public func write(to workdir: String) throws {
        let path = workdir + "/" + Self.fileName
        try ConfigFile.set(path: path, key: ConfigKey.Membership.name, value: realm)
        try ConfigFile.set(path: path, key: ConfigKey.Membership.url, value: url)
        try ConfigFile.set(path: path, key: ConfigKey.Membership.repo, value: repo)
    }
}
