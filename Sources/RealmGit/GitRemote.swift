import RealmLimits
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

/// How long git may take to reach and talk to a remote, and how it reaches it without asking
/// anyone anything (docs/security.md, "Network"). Read from git config by `read(from:)`.
public struct NetworkPolicy: Sendable, Equatable {
    /// Seconds ssh may take to connect (`-o ConnectTimeout`); `realm.connectTimeout`.
    public var connectTimeout: Double
    /// Seconds without any output from git (progress included) before it is killed; also
    /// `http.lowSpeedTime` and ssh's `ServerAliveInterval` x `ServerAliveCountMax`;
    /// `realm.inactivityTimeout`.
    public var inactivityTimeout: Double
    /// Seconds the whole command may take; `realm.timeout`.
    public var deadline: Double
    /// `core.sshCommand` and `ssh.variant` from the repository's config: git would use them, and
    /// the ssh command git-realm gives git (`GIT_SSH_COMMAND`, which wins over both) is built on them.
    public var sshCommand: String?
    public var sshVariant: String?

    public init(connectTimeout: Double = Limits.networkConnectTimeout,
                inactivityTimeout: Double = Limits.networkInactivityTimeout,
                deadline: Double = Limits.networkDeadline, sshCommand: String? = nil, sshVariant: String? = nil) {
        self.connectTimeout = connectTimeout
        self.inactivityTimeout = inactivityTimeout
        self.deadline = deadline
        self.sshCommand = sshCommand
        self.sshVariant = sshVariant
    }

    /// The defaults of Limits, with no ssh configuration (git's environment still applies).
    public static let defaults = NetworkPolicy()

    /// The git config keys of the three timeouts, with their defaults.
    public static var keys: [(key: String, path: WritableKeyPath<NetworkPolicy, Double>, fallback: Double)] {[
        (ConfigKey.connectTimeout, \.connectTimeout, Limits.networkConnectTimeout),
        (ConfigKey.inactivityTimeout, \.inactivityTimeout, Limits.networkInactivityTimeout),
        (ConfigKey.timeout, \.deadline, Limits.networkDeadline),
    ]}

    /// Reads `realm.connectTimeout`, `realm.inactivityTimeout`, `realm.timeout`,
    /// `core.sshCommand` and `ssh.variant` (every config level and `git -c`). A value that is
    /// not a number of seconds in (0, Limits.networkTimeoutMaximum] is a problem: the default
    /// is used and the problem returned, for the caller to say.
    public static func read(from repository: Repository) -> (policy: NetworkPolicy, problems: [String]) {
        var policy = NetworkPolicy()
        var problems: [String] = []
        for (key, path, fallback) in keys {
            guard let text = (try? repository.configString(key)).flatMap({ $0 }) else { continue }
            if let seconds = parseSeconds(text) {
                policy[keyPath: path] = seconds
            } else {
                problems.append("\(key): '\(text)' is not a number of seconds (more than 0, at most \(Int(Limits.networkTimeoutMaximum))); using \(Int(fallback))")
            }
        }
        policy.sshCommand = (try? repository.configString(ConfigKey.sshCommand)).flatMap { $0 }
        policy.sshVariant = (try? repository.configString(ConfigKey.sshVariant)).flatMap { $0 }
        return (policy, problems)
    }

    /// "30", "2.5", "30s": seconds, positive, at most the maximum.
    static func parseSeconds(_ text: String) -> Double? {
        var t = Substring(text)
        while t.first == " " { t.removeFirst() }
        while t.last == " " { t.removeLast() }
        if t.hasSuffix("s") { t.removeLast() }
        guard let value = Double(t), value.isFinite, value > 0, value <= Limits.networkTimeoutMaximum else { return nil }
        return value
    }

    /// Every timeout at most `seconds` (the hooks' short fetch).
    public func limited(to seconds: Double) -> NetworkPolicy {
        var p = self
        p.connectTimeout = min(p.connectTimeout, seconds)
        p.inactivityTimeout = min(p.inactivityTimeout, seconds)
        p.deadline = min(p.deadline, seconds)
        return p
    }

    /// Whole seconds for options that take an integer (at least 1).
    static func whole(_ seconds: Double) -> Int { max(1, Int(seconds.rounded(.up))) }

    /// `-c` settings for git: http's low-speed abort, and no askpass program (`core.askPass`
    /// empty; the environment's `GIT_ASKPASS`/`SSH_ASKPASS` are removed). The low-speed time is
    /// a second longer than the inactivity timeout: git-realm's own measure, the same for every
    /// transport, comes first; curl's ends a git that outlived a git-realm killed with SIGKILL.
    var gitConfigArguments: [String] {
        ["-c", "http.lowSpeedLimit=\(Limits.networkLowSpeedLimit)",
         "-c", "http.lowSpeedTime=\(NetworkPolicy.whole(inactivityTimeout) + 1)",
         "-c", "\(ConfigKey.askPass)="]
    }

    /// The options appended to an OpenSSH command line.
    var sshOptions: String {
        let countMax = Limits.networkServerAliveCountMax
        let interval = max(1, NetworkPolicy.whole(inactivityTimeout) / countMax)
        return "-o ConnectTimeout=\(NetworkPolicy.whole(connectTimeout)) -o ServerAliveInterval=\(interval) "
            + "-o ServerAliveCountMax=\(countMax) -o BatchMode=yes"
    }

    /// The `GIT_SSH_COMMAND` to give git: the ssh command git would run, chosen the way git
    /// chooses it (`GIT_SSH_COMMAND`, `core.sshCommand`, `GIT_SSH`, `ssh`), with `sshOptions`
    /// appended when it is OpenSSH (`GIT_SSH_VARIANT`/`ssh.variant` say `ssh`, or, unset or
    /// `auto`, the program is named `ssh`). nil leaves git's choice alone: plink, TortoisePlink
    /// and wrappers of unknown kind get no options they may not understand (the deadline and the
    /// inactivity timeout still hold). ssh takes the first value of an option, so options the
    /// user wrote in the command win over these.
    func sshCommand(environment: (String) -> String?) -> String? {
        func nonEmpty(_ s: String?) -> String? { (s?.isEmpty ?? true) ? nil : s }
        let command: String
        let program: String
        if let c = nonEmpty(environment("GIT_SSH_COMMAND")) ?? nonEmpty(sshCommand) {
            command = c
            program = NetworkPolicy.firstWord(of: c)
        } else if let p = nonEmpty(environment("GIT_SSH")) {
            command = NetworkPolicy.shellQuoted(p)
            program = p
        } else {
            command = "ssh"
            program = "ssh"
        }
        let variant = (nonEmpty(environment("GIT_SSH_VARIANT")) ?? nonEmpty(sshVariant))?.lowercased() ?? "auto"
        let isOpenSSH: Bool
        switch variant {
        case "ssh": isOpenSSH = true
        case "auto":
            let name = (program.split(separator: "/").last.map(String.init) ?? program).lowercased()
            isOpenSSH = name == "ssh" || name == "ssh.exe"
        default: isOpenSSH = false
        }
        return isOpenSSH ? command + " " + sshOptions : nil
    }

    /// The first word of a shell command line, as git's split_cmdline reads it (quotes removed).
    static func firstWord(of command: String) -> String {
        var word = ""
        var quote: Character?
        var started = false
        for ch in command {
            if let q = quote {
                if ch == q { quote = nil } else { word.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                started = true
            } else if ch == " " || ch == "\t" || ch == "\n" {
                if started { break }
            } else {
                word.append(ch)
                started = true
            }
        }
        return word
    }

    static func shellQuoted(_ s: String) -> String {
        "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}

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
        /// A timeout expired (the deadline or the inactivity timeout) and git was killed.
        public var timedOut: Bool
        /// The timeout that expired was the inactivity timeout.
        public var inactive: Bool = false
        /// The timeouts git ran under (for the message).
        public var policy: NetworkPolicy?
        /// git's stdout (the `--porcelain` report for pushes).
        public var stdout: String
        /// A ref named in a fetch refspec does not exist on the remote
        /// ("couldn't find remote ref").
        public var isMissingRemoteRef: Bool {
            stderr.contains("couldn't find remote ref")
        }

        /// git could not update a ref in the local repository because another process holds its
        /// lock or moved it meanwhile (`cannot lock ref`, `Unable to create '...lock': File
        /// exists`): a concurrent git-realm in the same clone, not the remote. Only meaningful
        /// for fetches (a push's "cannot lock ref" is the remote's).
        public var isLocalRefLock: Bool {
            let text = stderr.lowercased()
            return text.contains("cannot lock ref") || (text.contains("unable to create") && text.contains(".lock"))
                || text.contains("unable to update local ref")
        }

        /// Why it timed out, in words: "no response for 30 s" or "not done after 300 s".
        public var timeoutReason: String {
            if inactive {
                return "timed out: no response for \(NetworkPolicy.whole(policy?.inactivityTimeout ?? 0)) s"
            }
            return "timed out: not done after \(NetworkPolicy.whole(policy?.deadline ?? 0)) s"
        }

        /// The one line to show: the timeout, or git's own first error line.
        public var reason: String {
            timedOut ? timeoutReason : GitRemote.firstErrorLine(stderr)
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
            let detail = GitURL.redactingURLs(in: stderr.trimmingWhitespace())
            if timedOut { return "`\(what)` \(timeoutReason)" + (detail.isEmpty ? "" : ": \(detail)") }
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

    /// `git -C repoDir fetch --quiet --progress --no-tags --no-write-fetch-head [--prune] <url> <refspecs...>`
    /// under `policy` (see `run`). `--progress` keeps git talking while data moves, which is
    /// what the inactivity timeout watches; the progress lines are removed from `stderr`.
    /// With `prune`, refs under the destination of glob refspecs that are gone
    /// on the remote are deleted (use it for the sync-branch namespace).
    /// A non-glob refspec whose source is missing on the remote makes git fail
    /// (`isMissingRemoteRef`); pass `ignoreMissing: true` to fetch whatever of
    /// those refs exists instead (costs one extra `ls-remote` round trip, only
    /// in that case).
    public static func fetch(repoDir: String, url: String, refspecs: [String], prune: Bool = false,
                             policy: NetworkPolicy = .defaults, ignoreMissing: Bool = false) throws(Failure) {
        // git waits this long for a fetched ref's lock held by a concurrent fetch in the clone.
        var arguments = ["-c", "\(ConfigKey.filesRefLockTimeout)=\(Limits.fetchRefLockTimeoutMilliseconds)",
                         "-C", repoDir, "fetch", "--quiet", "--progress", "--no-tags", "--no-write-fetch-head"]
        if prune { arguments.append("--prune") }
        let timeout = policy
        do throws(Failure) {
            _ = try git(arguments + ["--end-of-options", url] + refspecs, policy: timeout)
        } catch {
            guard ignoreMissing, error.isMissingRemoteRef else { throw error }
            let present = Set(try lsRemote(url: url, policy: timeout).map { $0.name })
            let kept = refspecs.filter { spec in
                var source = spec.hasPrefix("+") ? String(spec.dropFirst()) : spec
                if let colon = source.firstIndex(of: ":") { source = String(source[..<colon]) }
                return source.contains("*") || present.contains(source)
            }
            if kept.isEmpty { return }
            _ = try git(arguments + ["--end-of-options", url] + kept, policy: timeout)
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
                            leases: [(ref: String, expected: OID?)] = [], policy: NetworkPolicy = .defaults,
                            runHooks: Bool = false) throws(Failure) -> [String] {
        var arguments = ["-C", repoDir, "push", "--porcelain", "--progress"]
        // `runHooks`: a push of the user's own branch (`git realm push`) runs their pre-push hooks.
        if !runHooks { arguments.append("--no-verify") }
        if atomic { arguments.append("--atomic") }
        for lease in leases {
            arguments.append("--force-with-lease=\(lease.ref):\(lease.expected?.hex ?? "")")
        }
        arguments += ["--end-of-options", url] + refspecsHonouringLeases(refspecs, leases: leases)
        let result = try run(arguments, policy: policy)
        let rejectedLines = result.stdoutText.split(separator: "\n").filter { $0.hasPrefix("!") }.map(String.init)
        if result.status != 0 || !rejectedLines.isEmpty || result.timedOut {
            throw failure(arguments, result, policy: policy,
                          isRejected: !result.timedOut && pushWasRejected(rejectedLines, stderr: withoutProgress(result.stderrText)))
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
    public static func lsRemote(url: String, patterns: [String] = [], policy: NetworkPolicy = .defaults) throws(Failure) -> [(name: String, oid: OID)] {
        let output = try git(["ls-remote", "--end-of-options", url] + patterns, policy: policy)
        var refs: [(name: String, oid: OID)] = []
        for line in output.split(separator: "\n") {
            guard let tab = line.firstIndex(of: "\t"), let oid = OID(hex: String(line[..<tab])) else { continue }
            refs.append((String(line[line.index(after: tab)...]), oid))
        }
        return refs
    }

    // MARK: running git

    /// Runs git; throws unless it exits 0. Returns stdout.
    static func git(_ arguments: [String], policy: NetworkPolicy) throws(Failure) -> String {
        let result = try run(arguments, policy: policy)
        guard result.succeeded else {
            let stderr = result.stderrText.lowercased()
            let rejected = !result.timedOut && (stderr.contains("[rejected]") || stderr.contains("non-fast-forward"))
            throw failure(arguments, result, policy: policy, isRejected: rejected)
        }
        return result.stdoutText
    }

    /// Variables removed from a network child's environment besides `repositoryEnvironment`:
    /// programs that ask a person for a password. A credential helper (`credential.helper`)
    /// is not one of them and still runs.
    public static let promptEnvironment = ["GIT_ASKPASS", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE"]

    /// The environment a network git runs with: no terminal prompts, the ssh command with
    /// timeouts and BatchMode (when it is OpenSSH).
    static func environment(policy: NetworkPolicy, lookup: (String) -> String? = envString) -> [String: String] {
        var env = ["GIT_TERMINAL_PROMPT": "0"]
        if let ssh = policy.sshCommand(environment: lookup) { env["GIT_SSH_COMMAND"] = ssh }
        return env
    }

    /// Runs a network git: `-c` settings of the policy first, its environment, stdin /dev/null,
    /// its own process group, killed at the deadline or after the inactivity timeout.
    static func run(_ arguments: [String], policy: NetworkPolicy) throws(Failure) -> ProcessResult {
        let full = policy.gitConfigArguments + arguments
        do throws(SystemError) {
            var result = try ProcessRunner.run("git", full, environment: environment(policy: policy),
                                               timeout: policy.deadline, inactivityTimeout: policy.inactivityTimeout,
                                               removingEnvironment: repositoryEnvironment + promptEnvironment,
                                               outputLimit: Limits.remoteGitOutputBytes)
            if result.overflowed {
                result.status = result.status == 0 ? 1 : result.status
                result.stderr += Array("\nfatal: the remote's answer is larger than git-realm reads (\(Limits.remoteGitOutputBytes >> 20) MiB)\n".utf8)
            }
            result.stderr = Array(withoutProgress(result.stderrText).utf8)
            return result
        } catch {
            throw Failure(command: ["git"] + full, status: -1, stderr: error.message, isRejected: false)
        }
    }

    static func failure(_ arguments: [String], _ result: ProcessResult, policy: NetworkPolicy, isRejected: Bool) -> Failure {
        var f = Failure(command: ["git"] + policy.gitConfigArguments + arguments, status: result.status, stderr: result.stderrText,
                        isRejected: isRejected, timedOut: result.timedOut, stdout: result.stdoutText)
        f.inactive = result.inactive
        f.policy = policy
        return f
    }

    /// git's stderr without its progress meters (`--progress`): lines rewritten with "\r", and
    /// the lines that close a meter ("Receiving objects: 100% (3/3), done.", "remote: Total 3
    /// (delta 0), ..."). Messages (fatal:, error:, hint:, remote: text) are kept.
    static func withoutProgress(_ stderr: String) -> String {
        var kept: [Substring] = []
        for line in stderr.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.contains("\r") { continue }
            var body = line
            if body.hasPrefix("remote: ") { body = body.dropFirst("remote: ".count) }
            if body.hasSuffix(", done.") || body.hasSuffix(", done") || body.hasPrefix("Total ") { continue }
            if isMeter(body) { continue }
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }

    /// "Title words: 42% (5/12)" or "Title words: 12" (a meter without a total).
    private static func isMeter(_ line: Substring) -> Bool {
        guard let colon = line.firstIndex(of: ":"), line[..<colon].allSatisfy({ $0.isLetter || $0 == " " }),
              line.first?.isUppercase == true else { return false }
        let rest = line[line.index(after: colon)...].drop { $0 == " " }
        return rest.first?.isNumber == true && rest.allSatisfy { $0.isNumber || " %()/,.|KMGiBs".contains($0) }
    }

    /// The line of git's stderr that says what went wrong: the first `fatal:` or `error:` line,
    /// else the first line; URLs in it without credentials (`GitURL.redactingURLs`).
    public static func firstErrorLine(_ text: String) -> String {
        let lines = text.split(separator: "\n").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        let line = lines.first(where: { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }) ?? lines.first ?? "(no message)"
        return GitURL.redactingURLs(in: line)
    }

    /// A remote URL as shown to a person (errors, warnings, output): without credentials, as
    /// `GitURL.redacted` strips them everywhere git-realm stores or prints a URL.
    public static func displayURL(_ url: String) -> String { GitURL.redacted(url) }
}
