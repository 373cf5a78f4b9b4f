import RealmGit

/// Runs a contract's validation script (`validation.exporter`, `.importer`, `.ci_only`) from
/// this repository's own tree. The path must stay inside the repository and name a file git
/// tracks, so a realm can never make anyone run code they do not have.
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

    /// Refuses paths that leave the repo or that git does not track.
    public func resolve(_ script: String) throws -> String {
        guard let workdir = repository.workdir else {
            throw RealmError(.usage, "validation script \(script): needs a working tree")
        }
        let parts = script.split(separator: "/", omittingEmptySubsequences: true)
        if script.hasPrefix("/") || parts.contains("..") || parts.isEmpty || script.contains("\0") {
            throw RealmError(.refused, "validation script '\(script)' leaves the repository; only tracked files inside it may run")
        }
        let relative = parts.filter { $0 != "." }.joined(separator: "/")
        guard try repository.isTracked(relative) else {
            throw RealmError(.refused, "validation script '\(script)' is not a file git tracks in this repository; refusing to run it")
        }
        return workdir + "/" + relative
    }

    public func run(_ script: String, environment: [String: String] = [:]) throws -> Report {
        let path = try resolve(script)
        let result = try ProcessRunner.run("/bin/sh", ["-c", "if [ -x \"$0\" ]; then exec \"$0\"; else exec sh \"$0\"; fi", path],
                                           directory: repository.workdir, environment: environment, timeout: timeout)
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
