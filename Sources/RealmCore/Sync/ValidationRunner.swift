#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmSupport

/// Runs a validation script this repository declares in its own `.gitrealm` (`validate`,
/// `ci-validate`; see RepoDeclarations), never one a realm names. The path must stay inside the
/// repository and name a file git tracks as executable.
/// Exit 0 valid, 1 invalid, 2 warning (a failure only with `strict`).
public struct ValidationRunner {
    public enum Outcome: String, Sendable { case valid, invalid, warning, timedOut = "timed-out" }

    public struct Report: Sendable {
        public var script: String
        public var outcome: Outcome
        public var status: Int32
        public var output: String
        public func fails(strict: Bool) -> Bool {
            outcome == .invalid || outcome == .timedOut || (strict && outcome == .warning)
        }
    }

    public let repository: Repository
    public var timeout: Double = 300

    public init(repository: Repository, timeout: Double = 300) {
        self.repository = repository
        self.timeout = timeout
    }

    /// The script's absolute path, after checking that it stays inside the repository, is a
    /// regular file git tracks as executable (mode 100755), and is executable in the working
    /// tree. Anything else is refused: nothing runs through `sh`, nothing untracked runs.
    public func resolve(_ script: String) throws -> String {
        guard let workdir = repository.workdir else {
            throw RealmError(.usage, "validation script \(script): needs a working tree")
        }
        let relative: String
        do { relative = try RepoPath.confined(script, what: "validation script") } catch {
            throw RealmError(.refused, "validation script '\(script)' leaves the repository; only tracked files inside it may run")
        }
        guard let mode = try repository.indexMode(relative) else {
            throw RealmError(.refused, "validation script '\(script)' is not a file git tracks in this repository; refusing to run it")
        }
        guard mode == 0o100755 else {
            throw RealmError(.refused, "validation script '\(script)' is not tracked as executable (mode \(String(mode, radix: 8))); refusing to run it",
                             hint: "git update-index --chmod=+x \(relative)")
        }
        let path = try RepoPath.resolve(relative, in: workdir, what: "validation script")
        guard access(path, X_OK) == 0, !isDirectory(path) else {
            throw RealmError(.refused, "validation script '\(script)' is not an executable file in the working tree; refusing to run it")
        }
        return path
    }

    /// Runs `scripts` in order and returns the first report that fails (with `strict`, a
    /// warning fails too), else the last one.
    public func runAll(_ scripts: [String], strict: Bool, environment: [String: String] = [:]) throws -> Report {
        var last: Report?
        for script in scripts {
            let report = try run(script, environment: environment)
            if report.fails(strict: strict) { return report }
            last = report
        }
        guard let last else { throw RealmError(.internalError, "no validation script to run") }
        return last
    }

    public func run(_ script: String, environment: [String: String] = [:]) throws -> Report {
        let path = try resolve(script)
        let result = try ProcessRunner.run(path, [], directory: repository.workdir, environment: environment, timeout: timeout)
        let outcome: Outcome
        if result.timedOut { outcome = .timedOut }
        else {
            switch result.status {
            case 0: outcome = .valid
            case 2: outcome = .warning
            default: outcome = .invalid
            }
        }
        return Report(script: script, outcome: outcome, status: result.status, output: result.stdoutText + result.stderrText)
    }
}
