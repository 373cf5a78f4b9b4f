/// Network operations run the `git` program, so that users' credential
/// helpers, SSH configuration, proxies, `url.<base>.insteadOf` and transport
/// settings all apply exactly as they do for their own `git fetch`/`git push`.
public enum GitRemote {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The full argv, starting with "git".
        public var command: [String]
        /// git's exit status (128 + signal when killed; see `timedOut`).
        public var status: Int32
        public var stderr: String
        /// The remote refused an update because the ref moved: non-fast-forward,
        /// "fetch first", a stale `--force-with-lease`, a ref lock that found a
        /// different value, or the rest of an `--atomic` push failing for that
        /// reason. Fetch again and retry. (A hook declining the push is not this.)
        public var isRejected: Bool
        /// The timeout expired and git was killed.
        public var timedOut: Bool
        /// git's stdout (the `--porcelain` report for pushes).
        public var stdout: String
        /// A ref named in a fetch refspec does not exist on the remote
        /// ("couldn't find remote ref").
        public var isMissingRemoteRef: Bool {
            stderr.contains("couldn't find remote ref")
        }

        public init(command: [String], status: Int32, stderr: String, isRejected: Bool, timedOut: Bool = false, stdout: String = "") {
            self.command = command
            self.status = status
            self.stderr = stderr
            self.isRejected = isRejected
            self.timedOut = timedOut
            self.stdout = stdout
        }

        /// The command and git's message, without credentials in their URLs (`GitURL`).
        public var description: String {
            let what = GitURL.redactingURLs(in: command.joined(separator: " "))
            let detail = GitURL.redactingURLs(in: stderr.trimmingSpaces)
            if timedOut { return "`\(what)` timed out" + (detail.isEmpty ? "" : ": \(detail)") }
            return "`\(what)` failed (exit \(status))" + (detail.isEmpty ? "" : ": \(detail)")
        }
    }

    /// Variables that tell git which repository to use (git sets several of them
    /// for hooks). They are removed from the child's environment because every
    /// command here names its repository with `-C`.
    public static let repositoryEnvironment = [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX",
        "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    ]

    /// `git -C repoDir fetch --quiet --no-tags --no-write-fetch-head [--prune] <url> <refspecs...>`.
    /// With `prune`, refs under the destination of glob refspecs that are gone
    /// on the remote are deleted (use it for the sync-branch namespace).
    /// A non-glob refspec whose source is missing on the remote makes git fail
    /// (`isMissingRemoteRef`); pass `ignoreMissing: true` to fetch whatever of
    /// those refs exists instead (costs one extra `ls-remote` round trip, only
    /// in that case).
    public static func fetch(repoDir: String, url: String, refspecs: [String], prune: Bool = false,
                             timeout: Double? = nil, ignoreMissing: Bool = false) throws(Failure) {
        var arguments = ["-C", repoDir, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head"]
        if prune { arguments.append("--prune") }
        do throws(Failure) {
            _ = try git(arguments + ["--end-of-options", url] + refspecs, timeout: timeout)
        } catch {
            guard ignoreMissing, error.isMissingRemoteRef else { throw error }
            let present = Set(try lsRemote(url: url, timeout: timeout).map { $0.name })
            let kept = refspecs.filter { spec in
                var source = spec.hasPrefix("+") ? String(spec.dropFirst()) : spec
                if let colon = source.firstIndex(of: ":") { source = String(source[..<colon]) }
                return source.contains("*") || present.contains(source)
            }
            if kept.isEmpty { return }
            _ = try git(arguments + ["--end-of-options", url] + kept, timeout: timeout)
        }
    }

    /// `git -C repoDir push --porcelain --no-verify [--atomic] [--force-with-lease=<ref>:<expect>...] <url> <refspecs...>`.
    /// A source may be an OID present in repoDir ("<hex>:refs/heads/main").
    /// `--no-verify`: repoDir's own pre-push hooks (git-realm's, git-lfs's, a team's) guard
    /// that repository's pushes, not these writes to another repository.
    /// A lease (full ref name, as in the refspec destination) with
    /// `expected == nil` requires the remote ref not to exist; a lease makes the
    /// update forced when it holds, and a "+" on a leased refspec is dropped
    /// (git would otherwise let the "+" override the lease).
    /// Throws with `isRejected` when an update was refused because the remote
    /// moved (see `Failure.isRejected`); with `atomic` nothing was updated then.
    /// Returns the destination refs the remote already had at exactly the pushed
    /// value (git reports them "up to date" and checks no lease for them).
    @discardableResult
    public static func push(repoDir: String, url: String, refspecs: [String], atomic: Bool = true,
                            leases: [(ref: String, expected: OID?)] = [], timeout: Double? = nil) throws(Failure) -> [String] {
        var arguments = ["-C", repoDir, "push", "--porcelain", "--no-verify"]
        if atomic { arguments.append("--atomic") }
        for lease in leases {
            arguments.append("--force-with-lease=\(lease.ref):\(lease.expected?.hex ?? "")")
        }
        arguments += ["--end-of-options", url] + refspecsHonouringLeases(refspecs, leases: leases)
        let result = try run(arguments, timeout: timeout)
        let rejectedLines = result.stdoutText.split(separator: "\n").filter { $0.hasPrefix("!") }.map(String.init)
        if result.status != 0 || !rejectedLines.isEmpty || result.timedOut {
            throw failure(arguments, result, isRejected: !result.timedOut && pushWasRejected(rejectedLines, stderr: result.stderrText))
        }
        // --porcelain: "<flag>\t<src>:<dst>\t<summary>"; "=" is up to date.
        return result.stdoutText.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, fields[0] == "=", let colon = fields[1].lastIndex(of: ":") else { return nil }
            return String(fields[1][fields[1].index(after: colon)...])
        }
    }

    /// A "+" (force) on a refspec makes git ignore `--force-with-lease` for that
    /// ref (git 2.39: "+<new>:<ref>" with a stale lease is a forced update). A
    /// matching lease forces the update by itself, so the "+" is dropped from
    /// every refspec whose destination has a lease.
    static func refspecsHonouringLeases(_ refspecs: [String], leases: [(ref: String, expected: OID?)]) -> [String] {
        let leased = Set(leases.map(\.ref))
        return refspecs.map { spec in
            guard spec.hasPrefix("+"), let colon = spec.lastIndex(of: ":") else { return spec }
            let destination = String(spec[spec.index(after: colon)...])
            return leased.contains(destination) ? String(spec.dropFirst()) : spec
        }
    }

    /// Phrases by which git (or the remote) reports that a ref moved under us.
    static let movedPhrases = ["fetch first", "non-fast-forward", "stale info", "cannot lock ref",
                               "but expected", "already exists", "incorrect old value"]

    /// Classifies a failed push from its porcelain "!" lines, falling back to
    /// stderr when git printed no per-ref report.
    static func pushWasRejected(_ rejectedLines: [String], stderr: String) -> Bool {
        func mentionsMove(_ text: String) -> Bool { movedPhrases.contains { text.contains($0) } }
        let reasons = rejectedLines.map { $0.lowercased() }
        if reasons.contains(where: mentionsMove) { return true }
        // Refused for other reasons only (a hook declined, a hidden ref, ...).
        if !reasons.isEmpty { return false }
        let text = stderr.lowercased()
        if text.contains("hook declined") { return false }
        return mentionsMove(text) || text.contains("[rejected]") || text.contains("atomic push failed")
    }

    /// `git ls-remote <url> [patterns...]` -> [(ref, oid)] in git's order
    /// (peeled tag lines "<tag>^{}" included as git prints them).
    public static func lsRemote(url: String, patterns: [String] = [], timeout: Double? = nil) throws(Failure) -> [(name: String, oid: OID)] {
        let output = try git(["ls-remote", "--end-of-options", url] + patterns, timeout: timeout)
        var refs: [(name: String, oid: OID)] = []
        for line in output.split(separator: "\n") {
            guard let tab = line.firstIndex(of: "\t"), let oid = OID(hex: String(line[..<tab])) else { continue }
            refs.append((String(line[line.index(after: tab)...]), oid))
        }
        return refs
    }

    // MARK: running git

    /// Runs git; throws unless it exits 0. Returns stdout.
    static func git(_ arguments: [String], timeout: Double?) throws(Failure) -> String {
        let result = try run(arguments, timeout: timeout)
        guard result.succeeded else {
            let stderr = result.stderrText.lowercased()
            let rejected = !result.timedOut && (stderr.contains("[rejected]") || stderr.contains("non-fast-forward"))
            throw failure(arguments, result, isRejected: rejected)
        }
        return result.stdoutText
    }

    static func run(_ arguments: [String], timeout: Double?) throws(Failure) -> ProcessResult {
        do throws(GitError) {
            return try ProcessRunner.run("git", arguments, timeout: timeout, removingEnvironment: repositoryEnvironment)
        } catch {
            throw Failure(command: ["git"] + arguments, status: -1, stderr: error.message, isRejected: false)
        }
    }

    static func failure(_ arguments: [String], _ result: ProcessResult, isRejected: Bool) -> Failure {
        Failure(command: ["git"] + arguments, status: result.status, stderr: result.stderrText,
                isRejected: isRejected, timedOut: result.timedOut, stdout: result.stdoutText)
    }
}
