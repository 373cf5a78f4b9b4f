import CGit2
#if canImport(Glibc)
import Glibc
#endif

public struct ProcessResult: Sendable {
    /// Exit status; 128 + signal number when the process was killed by a signal.
    public var status: Int32
    public var stdout: [UInt8]
    /// Empty when stderr was passed through.
    public var stderr: [UInt8]
    /// The timeout expired and the process group was killed.
    public var timedOut: Bool
    /// The signal that terminated the process, if any.
    public var signal: Int32?

    public init(status: Int32, stdout: [UInt8], stderr: [UInt8], timedOut: Bool, signal: Int32? = nil) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
        self.signal = signal
    }

    /// stdout decoded leniently as UTF-8.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded leniently as UTF-8.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// Exited with status 0 (and did not time out).
    public var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs programs with posix_spawn (no Foundation).
public enum ProcessRunner {
    /// Grace period between SIGTERM and SIGKILL after a timeout.
    static let killGrace = 2.0

    /// Runs `executable` (looked up in PATH — the child's PATH when `environment`
    /// overrides it — unless it contains "/") with `arguments`, feeds `stdin`,
    /// and captures stdout and stderr (unless `passthroughStderr`, when the
    /// child writes to this process's stderr). Both pipes are polled while stdin
    /// is written, so large outputs cannot deadlock.
    ///
    /// `environment`: nil inherits this process's environment; otherwise the
    /// given variables are merged over it. `removingEnvironment` names variables
    /// to drop from the inherited environment.
    ///
    /// `timeout` (seconds): the child is started in its own process group; when
    /// the time is up the group gets SIGTERM, then SIGKILL after a grace period,
    /// and the result has `timedOut == true`. (Being in its own process group, a
    /// child with a timeout cannot read from the controlling terminal: do not
    /// combine timeouts with interactive prompts.) Without a timeout the child
    /// stays in our process group.
    ///
    /// A non-zero exit is not an error (inspect `status`); failing to start is.
    /// If the child exits while a grandchild keeps the output pipes open (e.g. a
    /// backgrounded ssh ControlMaster), capture stops shortly after the exit.
    public static func run(_ executable: String, _ arguments: [String], directory: String? = nil,
                           environment: [String: String]? = nil, stdin: [UInt8] = [], timeout: Double? = nil,
                           passthroughStderr: Bool = false, removingEnvironment: [String] = []) throws(GitError) -> ProcessResult {
        let env = buildEnvironment(overrides: environment, removing: removingEnvironment)
        let searchPath = environment?["PATH"] ?? envString("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        guard let path = findExecutable(executable, searchPath: searchPath) else {
            throw GitError.notFound("\(executable): command not found")
        }

        // Pipes (close-on-exec: only the dup2'd copies reach the child).
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        func closeAll() {
            for fd in inPipe + outPipe + errPipe where fd >= 0 { close(fd) }
        }
        guard GNU.pipeCloexec(&inPipe) == 0, GNU.pipeCloexec(&outPipe) == 0,
              passthroughStderr || GNU.pipeCloexec(&errPipe) == 0 else {
            let e = errno
            closeAll()
            throw GitError.system("create pipes for \(executable)", errno: e)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        if !passthroughStderr { posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2) }
        if let directory {
            guard let addchdir = GNU.addchdir else {
                closeAll()
                throw GitError(code: GIT_ERROR.rawValue, message: "this C library lacks posix_spawn_file_actions_addchdir_np")
            }
            let rc = addchdir(&actions, directory)
            guard rc == 0 else { closeAll(); throw GitError.system("chdir \(directory) for \(executable)", errno: rc) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        // Signals a parent may ignore (ignored dispositions survive exec).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM, SIGUSR1, SIGUSR2] {
            sigaddset(&defaults, s)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        if timeout != nil {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = CStringArray([executable] + arguments)
        var pid: pid_t = 0
        let rc: Int32
        if let env {
            let envp = CStringArray(raw: env)
            rc = posix_spawn(&pid, path, &actions, &attributes, argv.base, envp.base)
            withExtendedLifetime(envp) {}
        } else {
            rc = posix_spawn(&pid, path, &actions, &attributes, argv.base, environ)
        }
        withExtendedLifetime(argv) {}

        // The child's ends belong to the child now.
        close(inPipe[0]); inPipe[0] = -1
        close(outPipe[1]); outPipe[1] = -1
        if !passthroughStderr { close(errPipe[1]); errPipe[1] = -1 }
        guard rc == 0 else {
            closeAll()
            throw GitError.system("start \(executable)", errno: rc)
        }

        var io = ChildIO(pid: pid, stdinFD: inPipe[1], stdoutFD: outPipe[0], stderrFD: passthroughStderr ? -1 : errPipe[0],
                         input: stdin, ownGroup: timeout != nil)
        return Trace.region(([executable] + arguments.prefix(6)).joined(separator: " ")) { io.run(timeout: timeout) }
    }

    static func buildEnvironment(overrides: [String: String]?, removing: [String]) -> [[CChar]]? {
        if overrides == nil && removing.isEmpty { return nil }
        var skip = Set(removing)
        for key in overrides?.keys ?? [:].keys { skip.insert(key) }
        var entries: [[CChar]] = []
        var p = environ
        while let entry = p.pointee {
            let bytes = cStringBytes(entry)
            let key = bytes.firstIndex(of: UInt8(ascii: "=")).map { Array(bytes[..<$0]) } ?? bytes
            if !skip.contains(String(decoding: key, as: UTF8.self)) {
                entries.append(bytes.map { CChar(bitPattern: $0) })
            }
            p += 1
        }
        for (key, value) in (overrides ?? [:]).sorted(by: { $0.key < $1.key }) {
            entries.append(Array("\(key)=\(value)".utf8).map { CChar(bitPattern: $0) })
        }
        return entries
    }

    static func findExecutable(_ name: String, searchPath: String) -> String? {
        if name.contains("/") { return name }
        if name.isEmpty { return nil }
        for dir in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = "\(dir.isEmpty ? "." : String(dir))/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}

/// glibc extensions that Swift's Glibc module does not expose (they are
/// declared only under _GNU_SOURCE), looked up once with dlsym.
private enum GNU {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    static let pipe2: Pipe2? = symbol("pipe2", Pipe2.self)
    static let addchdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np", AddChdir.self)

    private static func symbol<T>(_ name: String, _ type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let sym = dlsym(handle, name) else { return nil }
        return unsafeBitCast(sym, to: type)
    }

    /// A close-on-exec pipe.
    static func pipeCloexec(_ fds: inout [Int32]) -> Int32 {
        if let pipe2 { return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress, O_CLOEXEC) } }
        // Fallback: not atomic with respect to spawns on other threads.
        guard pipe(&fds) == 0 else { return -1 }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return 0
    }
}

/// The parent's side of a running child: feeds stdin, drains stdout/stderr,
/// enforces the timeout and reaps the child.
private struct ChildIO {
    let pid: pid_t
    var stdinFD: Int32
    var stdoutFD: Int32
    var stderrFD: Int32
    let input: [UInt8]
    let ownGroup: Bool
    var written = 0
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var sawEPIPE = false

    init(pid: pid_t, stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32, input: [UInt8], ownGroup: Bool) {
        self.pid = pid; self.stdinFD = stdinFD; self.stdoutFD = stdoutFD; self.stderrFD = stderrFD
        self.input = input; self.ownGroup = ownGroup
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func closeFD(_ fd: inout Int32) {
        if fd >= 0 { close(fd); fd = -1 }
    }

    mutating func run(timeout: Double?) -> ProcessResult {
        // Writing to a pipe whose reader is gone raises SIGPIPE: block it on this
        // thread while we write, and consume it afterwards, so neither this
        // process nor its signal disposition is affected.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var oldMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &oldMask)
        defer {
            if sawEPIPE {
                var zero = timespec()
                while sigtimedwait(&pipeSignal, nil, &zero) == SIGPIPE {}
            }
            pthread_sigmask(SIG_SETMASK, &oldMask, nil)
        }

        if input.isEmpty {
            ChildIO.closeFD(&stdinFD)
        } else {
            _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
        }

        let deadline = timeout.map { ChildIO.now() + max(0, $0) }
        var waitStatus: Int32?
        var timedOut = false
        var termSentAt: Double?
        var killSent = false
        var buffer = [UInt8](repeating: 0, count: 65536)

        loop: while true {
            var fds: [pollfd] = []
            if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if fds.isEmpty && (waitStatus != nil || deadline == nil) { break }
            let exitedBeforePoll = waitStatus != nil

            var waitMs: Double = fds.isEmpty ? 10 : 100
            let now = ChildIO.now()
            if let deadline, !timedOut { waitMs = min(waitMs, max(0, (deadline - now) * 1000)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(waitMs.rounded(.up)))
            if ready < 0 && errno != EINTR { break }

            if ready > 0 {
                for f in fds where f.revents != 0 {
                    if f.fd == stdoutFD { ChildIO.drain(&stdoutFD, into: &stdout, buffer: &buffer) }
                    else if f.fd == stderrFD { ChildIO.drain(&stderrFD, into: &stderr, buffer: &buffer) }
                    else if f.fd == stdinFD { ChildIO.feed(f.revents, fd: &stdinFD, input: input, written: &written, sawEPIPE: &sawEPIPE) }
                }
            }

            if waitStatus == nil {
                var status: Int32 = 0
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { waitStatus = status }
            }
            // The child is gone, but something it left behind holds the pipes
            // open and is silent: stop capturing.
            if exitedBeforePoll && ready == 0 { break }

            if let deadline {
                let t = ChildIO.now()
                if !timedOut && waitStatus == nil && t >= deadline {
                    timedOut = true
                    termSentAt = t
                    signalChild(SIGTERM)
                } else if let sent = termSentAt, !killSent, t >= sent + ProcessRunner.killGrace {
                    killSent = true
                    signalChild(SIGKILL)
                } else if let sent = termSentAt, killSent, t >= sent + 2 * ProcessRunner.killGrace {
                    break loop  // give up on pipes held by escaped descendants
                }
                if timedOut && waitStatus != nil && ownGroup && !killSent {
                    // Reap stragglers in the group too.
                    killSent = true
                    signalChild(SIGKILL)
                }
            }
        }

        ChildIO.closeFD(&stdinFD)
        ChildIO.closeFD(&stdoutFD)
        ChildIO.closeFD(&stderrFD)
        if waitStatus == nil {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            waitStatus = status
        }
        let raw = waitStatus ?? 0
        let signalNumber = raw & 0x7f
        if signalNumber == 0 {
            return ProcessResult(status: (raw >> 8) & 0xff, stdout: stdout, stderr: stderr, timedOut: timedOut)
        }
        return ProcessResult(status: 128 + signalNumber, stdout: stdout, stderr: stderr, timedOut: timedOut, signal: signalNumber)
    }

    private func signalChild(_ signal: Int32) {
        if ownGroup { kill(-pid, signal) } else { kill(pid, signal) }
    }

    private static func drain(_ fd: inout Int32, into output: inout [UInt8], buffer: inout [UInt8]) {
        let descriptor = fd
        let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if n > 0 {
            output.append(contentsOf: buffer[0..<n])
        } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
            ChildIO.closeFD(&fd)
        }
    }

    private static func feed(_ revents: Int16, fd: inout Int32, input: [UInt8], written: inout Int, sawEPIPE: inout Bool) {
        if revents & Int16(POLLERR | POLLNVAL) != 0 {
            ChildIO.closeFD(&fd)
            return
        }
        let offset = written
        let remaining = input.count - offset
        let descriptor = fd
        let n = input.withUnsafeBytes { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return write(descriptor, base + offset, min(remaining, 65536))
        }
        if n > 0 {
            written += n
            if written == input.count { ChildIO.closeFD(&fd) }
        } else if n < 0 && errno != EINTR && errno != EAGAIN {
            if errno == EPIPE { sawEPIPE = true }
            ChildIO.closeFD(&fd)  // the child stopped reading; that is its business
        } else if revents & Int16(POLLHUP) != 0 {
            ChildIO.closeFD(&fd)
        }
    }
}
