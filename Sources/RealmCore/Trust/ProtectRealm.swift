#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmSupport

/// `git realm admin protect <bare-realm>`: installs the pre-receive hook that runs the history
/// verifier on the server, so a push that members would refuse is refused before it lands.
public struct ProtectRealm {
    public var path: String
    public var force = false

    public init(path: String, force: Bool = false) {
        self.path = path
        self.force = force
    }

    public static let shim = """
        #!/bin/sh
        # git-realm: refuse realm pushes that members would refuse (docs/trust.md).
        exec git realm hook pre-receive "$@"

        """

    public struct Result: Sendable {
        public var hook: String
        public var replaced: Bool
    }

    public func run() throws -> Result {
        let repository: Repository
        do { repository = try Repository.open(at: absolutePath(path)) } catch {
            throw RealmError(.usage, "\(path): not a git repository")
        }
        guard repository.isBare else {
            throw RealmError(.usage, "\(path): not a bare repository; protect the repository the realm's URL points to")
        }
        let hook = repository.gitDir.hasSuffix("/") ? repository.gitDir + "hooks/pre-receive" : repository.gitDir + "/hooks/pre-receive"
        var replaced = false
        if fileExists(hook) {
            let existing = (try? readTextFile(hook)) ?? ""
            if existing == Self.shim { return Result(hook: hook, replaced: false) }
            guard force else {
                throw RealmError(.refused, "\(hook) exists and is not git-realm's; nothing was changed",
                                 hint: "add 'git realm hook pre-receive' to it by hand, or use --force to replace it")
            }
            replaced = true
        }
        try makeDirectories(String(hook.dropLast("/pre-receive".count)))
        try writeFile(hook, Array(Self.shim.utf8), mode: 0o755)
        return Result(hook: hook, replaced: replaced)
    }
}
