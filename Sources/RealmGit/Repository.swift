import CGit2
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

/// A git repository opened through libgit2. All methods are serialised by an
/// internal lock, so one instance may be shared between threads.
public final class Repository: @unchecked Sendable {
    /// The owned `git_repository *` (freed in deinit).
    let raw: OpaquePointer
    let lock = RecursiveLock()

    public let gitDir: String
    public let commonDir: String
    public let workdir: String?
    public var isBare: Bool { workdir == nil }

    /// Config chain built on first use (see Config.swift); guarded by `lock`.
    var configState: RepositoryConfig?
    /// Whether this handle was opened from GIT_DIR and friends (see `reopen()`).
    let openedFromEnvironment: Bool

    private init(raw: OpaquePointer, fromEnvironment: Bool) {
        self.raw = raw
        openedFromEnvironment = fromEnvironment
        gitDir = Repository.stripSlash(decodeCString(git_repository_path(raw)))
        commonDir = Repository.stripSlash(decodeCString(git_repository_commondir(raw)))
        if git_repository_is_bare(raw) == 1 {
            workdir = nil
        } else if let wd = git_repository_workdir(raw) {
            workdir = Repository.stripSlash(decodeCString(wd))
        } else {
            workdir = nil
        }
    }

    deinit { git_repository_free(raw) }

    private static func wrap(_ out: OpaquePointer?, _ what: String, fromEnvironment: Bool = false) throws(GitError) -> Repository {
        guard let out else { throw GitError(code: GIT_ERROR.rawValue, message: "\(what): no repository returned") }
        return Repository(raw: out, fromEnvironment: fromEnvironment)
    }

    /// A second, independent handle on the same repository, opened the way this one was.
    func reopen() throws(GitError) -> Repository {
        var out: OpaquePointer?
        if openedFromEnvironment {
            try check(git_repository_open_ext(&out, nil, GIT_REPOSITORY_OPEN_FROM_ENV.rawValue, nil), "reopen repository at \(gitDir)")
        } else {
            try check(git_repository_open_ext(&out, gitDir, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
                      "reopen repository at \(gitDir)")
        }
        return try Repository.wrap(out, "reopen repository", fromEnvironment: openedFromEnvironment)
    }

    /// Finds the repository containing `path` like `git rev-parse` does: from any
    /// subdirectory, in linked worktrees and in bare repositories. When `GIT_DIR`
    /// is set (as in hooks) it wins, together with `GIT_WORK_TREE`,
    /// `GIT_COMMON_DIR`, `GIT_INDEX_FILE`, ... (`GIT_REPOSITORY_OPEN_FROM_ENV`).
    /// Otherwise `GIT_CEILING_DIRECTORIES` and `GIT_DISCOVERY_ACROSS_FILESYSTEM`
    /// are honoured.
    public static func discover(from path: String) throws(GitError) -> Repository {
        Git.initialize()
        var out: OpaquePointer?
        if let dir = getenv("GIT_DIR"), dir.pointee != 0 {
            try check(git_repository_open_ext(&out, nil, GIT_REPOSITORY_OPEN_FROM_ENV.rawValue, nil),
                      "open repository at GIT_DIR=\(decodeCString(dir))")
            return try wrap(out, "open repository", fromEnvironment: true)
        }
        var flags: UInt32 = 0
        if envBool("GIT_DISCOVERY_ACROSS_FILESYSTEM") { flags |= GIT_REPOSITORY_OPEN_CROSS_FS.rawValue }
        let ceilings = getenv("GIT_CEILING_DIRECTORIES")
        try check(git_repository_open_ext(&out, path, flags, ceilings), "find a git repository containing \(path)")
        return try wrap(out, "open repository")
    }

    /// Opens the repository whose working tree or git directory is exactly `path`.
    public static func open(at path: String) throws(GitError) -> Repository {
        Git.initialize()
        var out: OpaquePointer?
        try check(git_repository_open_ext(&out, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
                  "open repository at \(path)")
        return try wrap(out, "open repository")
    }

    /// `git init [--bare] path`.
    public static func initialize(at path: String, bare: Bool) throws(GitError) -> Repository {
        Git.initialize()
        var out: OpaquePointer?
        try check(git_repository_init(&out, path, bare ? 1 : 0), "initialise repository at \(path)")
        return try wrap(out, "initialise repository")
    }

    func locked<R>(_ body: () throws(GitError) -> R) throws(GitError) -> R {
        try lock.locked(body)
    }

    static func stripSlash(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }
}

