import Testing
import TestSupport
import RealmGit
@testable import RealmCore
#if canImport(Glibc)
import Glibc
#endif

/// Temporary repositories for one RealmCore test, made and changed with the git program as a
/// user would, in the hermetic environment every test shares (`HermeticEnvironment`).
final class CoreRepos {
    /// This process's environment made hermetic, then libgit2 started.
    static let root: String = {
        let base = HermeticEnvironment.processRoot
        Git.initialize()
        return base
    }()

    static let identity = [
        "GIT_AUTHOR_NAME": "Core Test", "GIT_AUTHOR_EMAIL": "core@example.com",
        "GIT_COMMITTER_NAME": "Core Test", "GIT_COMMITTER_EMAIL": "core@example.com",
    ]

    let dir: String

    init() {
        var template = Array("\(Self.root)/core.XXXXXX".utf8CString)
        dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit {
        _ = try? ProcessRunner.run("rm", ["-rf", dir])
    }

    func path(_ relative: String) -> String { "\(dir)/\(relative)" }

    /// Runs git in `path(relative)`; throws on a non-zero exit; stdout without its last newline.
    @discardableResult
    func git(_ arguments: [String], in relative: String, environment: [String: String] = [:]) throws -> String {
        let result = try ProcessRunner.run("git", ["-C", path(relative)] + arguments,
                                           environment: Self.identity.merging(environment) { $1 })
        guard result.status == 0 else {
            throw Failed(description: "git \(arguments.joined(separator: " ")) -> \(result.status): \(result.stderrText)")
        }
        var out = result.stdoutText
        while out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    /// A repository with one commit of `files`, opened with libgit2.
    func makeRepo(_ name: String, files: [String: String]) throws -> Repository {
        try ProcessRunner.run("mkdir", ["-p", path(name)])
        try git(["init", "--quiet", "-b", "main"], in: name)
        for (file, text) in files { try write("\(name)/\(file)", text) }
        try git(["add", "--all"], in: name)
        try git(["commit", "--quiet", "-m", "initial"], in: name)
        return try Repository.open(at: path(name))
    }

    func write(_ relative: String, _ text: String) throws {
        let full = path(relative)
        try ProcessRunner.run("mkdir", ["-p", String(full[..<full.lastIndex(of: "/")!])])
        guard let file = fopen(full, "w") else { throw Failed(description: "cannot write \(full)") }
        _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
        fclose(file)
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }
}

/// The RealmError `body` throws; records an issue when it throws none or another error.
func realmError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> RealmError? {
    do {
        try body()
        Issue.record("no error thrown", sourceLocation: sourceLocation)
    } catch let error as RealmError {
        return error
    } catch {
        Issue.record("\(error) is not a RealmError", sourceLocation: sourceLocation)
    }
    return nil
}
