import Testing
import TestSupport
@testable import RealmGit
@testable import RealmSupport
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide test environment, set up once before anything touches libgit2 or spawns git:
/// the hermetic environment every test shares (see `HermeticEnvironment`), then libgit2.
enum TestEnvironment {
    static let root: String = {
        let base = HermeticEnvironment.processRoot
        Git.initialize()
        return base
    }()
}

/// The identity used for commits made with the git program in tests.
let gitIdentity = [
    "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.com",
]

struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

/// A temporary directory for one test, removed afterwards.
final class GitSandbox {
    let dir: String

    init() {
        var template = Array("\(TestEnvironment.root)/t.XXXXXX".utf8CString)
        dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit {
        _ = try? ProcessRunner.run("rm", ["-rf", dir])
    }

    func path(_ relative: String) -> String { "\(dir)/\(relative)" }

    /// Runs git with `-C path(relative)`; throws on non-zero exit; returns stdout
    /// without the trailing newline.
    @discardableResult
    func git(_ arguments: [String], in relative: String? = nil, stdin: String = "",
             environment: [String: String] = [:]) throws -> String {
        let args = (relative.map { ["-C", path($0)] } ?? ["-C", dir]) + arguments
        let result = try ProcessRunner.run("git", args, environment: gitIdentity.merging(environment) { $1 },
                                           stdin: Array(stdin.utf8))
        guard result.status == 0 else {
            throw CommandFailed(description: "git \(args.joined(separator: " ")) -> \(result.status): \(result.stderrText)")
        }
        var out = result.stdoutText
        while out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    /// A fresh repository at `name` (branch main).
    @discardableResult
    func makeRepo(_ name: String = "repo", bare: Bool = false) throws -> String {
        try git(["init", "--quiet", "-b", "main"] + (bare ? ["--bare"] : []) + [path(name)])
        return path(name)
    }

    func write(_ relative: String, _ text: String) {
        let full = path(relative)
        var prefix = ""
        for component in full.split(separator: "/").dropLast() {
            prefix += "/\(component)"
            mkdir(prefix, 0o755)
        }
        let file = fopen(full, "w")!
        _ = text.utf8CString.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count - 1, file) }
        fclose(file)
    }

    /// Writes files into a repository, stages them and commits with git.
    @discardableResult
    func commit(_ repo: String, _ files: [String: String?], message: String) throws -> OID {
        for (file, content) in files {
            if let content {
                write("\(repo)/\(file)", content)
                try git(["add", "--", file], in: repo)
            } else {
                try git(["rm", "--quiet", "--", file], in: repo)
            }
        }
        try git(["commit", "--quiet", "--allow-empty", "-m", message], in: repo)
        return OID(hex: try git(["rev-parse", "HEAD"], in: repo))!
    }
}

func canonicalPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
func text(_ b: [UInt8]?) -> String? { b.map { String(decoding: $0, as: UTF8.self) } }
