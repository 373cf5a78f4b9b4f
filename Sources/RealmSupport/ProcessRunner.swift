import RealmLimits
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public struct ProcessResult: Sendable {
    /// Exit status; 128 + signal number when the process was killed by a signal.
    public var status: Int32
    public var stdout: [UInt8]
    /// Empty when stderr was passed through.
    public var stderr: [UInt8]
    /// A timeout expired (the deadline or the inactivity timeout) and the process group was killed.
    public var timedOut: Bool
    /// The signal that terminated the process, if any.
    public var signal: Int32?
    /// The timeout that expired was the inactivity timeout: no output for that long.
    public var inactive: Bool
    /// The child wrote more than `outputLimit` bytes to stdout or stderr: capture stopped there
    /// and its process group was killed (what was captured is cut short).
    public var overflowed: Bool

    public init(status: Int32, stdout: [UInt8], stderr: [UInt8], timedOut: Bool, signal: Int32? = nil, inactive: Bool = false,
                overflowed: Bool = false) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
        self.signal = signal
        self.inactive = inactive
        self.overflowed = overflowed
    }

    /// stdout decoded leniently as UTF-8.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded leniently as UTF-8.
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// Exited with status 0 (and did not time out or overflow).
    public var succeeded: Bool { status == 0 && !timedOut && !overflowed }
}

/// Runs programs with posix_spawn (no Foundation).
///
/// Every child is the leader of its own process group, so that it and whatever it starts (git's
/// ssh, a script's children) can be signalled as one: the group gets SIGTERM when the child
/// exits (stragglers it left), when a timeout expires (then SIGKILL after a grace period), and
/// when this process gets SIGINT, SIGTERM or SIGHUP (the handlers forward the signal to every
/// live child group, then re-raise it with the default disposition: this process ends by that
/// signal, as it would have). A child in its own group is not in the terminal's foreground
/// group: it gets no Ctrl-C from the terminal but ours, forwarded, and cannot read the terminal
/// (a read stops it): children here never prompt (stdin is /dev/null unless input is given).
public enum ProcessRunner {
    /// Grace period between SIGTERM and SIGKILL after a timeout.
    static let killGrace = Limits.processKillGrace

    /// Runs `executable` (looked up in PATH — the child's PATH when `environment`
    /// overrides it — unless it contains "/") with `arguments`, feeds `stdin`,
    /// and captures stdout and stderr (unless `passthroughStderr`, when the
    /// child writes to this process's stderr). Both pipes are polled while stdin
    /// is written, so large outputs cannot deadlock. With no `stdin` bytes the
    /// child's standard input is /dev/null.
    ///
    /// `environment`: nil inherits this process's environment; otherwise the
    /// given variables are merged over it. `removingEnvironment` names variables
    /// to drop from the inherited environment.
    ///
    /// `timeout` (seconds): the deadline for the whole run. `inactivityTimeout` (seconds): the
    /// longest the child may go without writing a byte to stdout or stderr (or reading one of
    /// its input). When either expires, the child's process group gets SIGTERM, then SIGKILL
    /// after a grace period, and the result has `timedOut == true` (and `inactive` for the
    /// second).
    ///
    /// `outputLimit` (bytes): the most stdout or stderr may hold (output read from a remote
    /// server, say); past it the pipes are closed, the group is killed as on a timeout, and the
    /// result has `overflowed == true`.
    ///
    /// A non-zero exit is not an error (inspect `status`); failing to start is.
    /// If the child exits while a grandchild keeps the output pipes open (e.g. a
    /// backgrounded ssh ControlMaster that left the group), capture stops shortly after the exit.
    public static func run(_ executable: String, _ arguments: [String], directory: String? = nil,
                           environment: [String: String]? = nil, stdin: [UInt8] = [], timeout: Double? = nil,
                           inactivityTimeout: Double? = nil,
                           passthroughStderr: Bool = false, removingEnvironment: [String] = [],
                           outputLimit: Int? = nil) throws(SystemError) -> ProcessResult {
        let env = buildEnvironment(overrides: environment, removing: removingEnvironment)
        let searchPath = environment?["PATH"] ?? envString("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        guard let path = findExecutable(executable, searchPath: searchPath) else {
            throw SystemError(.notFound, "\(executable): command not found")
        }
        ChildGroups.installSignalHandlers()

        // Pipes (close-on-exec: only the dup2'd copies reach the child).
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        func closeAll() {
            for fd in inPipe + outPipe + errPipe where fd >= 0 { close(fd) }
        }
        guard stdin.isEmpty || GNU.pipeCloexec(&inPipe) == 0, GNU.pipeCloexec(&outPipe) == 0,
              passthroughStderr || GNU.pipeCloexec(&errPipe) == 0 else {
            let e = errno
            closeAll()
            throw SystemError.system("create pipes for \(executable)", errno: e)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin.isEmpty {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        if !passthroughStderr { posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2) }
        if let directory {
            guard let addchdir = GNU.addchdir else {
                closeAll()
                throw SystemError(.system, "this C library lacks posix_spawn_file_actions_addchdir_np")
            }
            let rc = addchdir(&actions, directory)
            guard rc == 0 else { closeAll(); throw SystemError.system("chdir \(directory) for \(executable)", errno: rc) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (pgid = its pid), an empty signal mask, default dispositions.
        let flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)
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
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = CStringArray([executable] + arguments)
        var pid: pid_t = 0
        var rc: Int32 = 0
        var slot: Int?
        // The signals the handlers forward are held from the spawn until the child is in the
        // registry of live groups, so none can come in between and miss it.
        ChildGroups.withForwardedSignalsBlocked {
            if let env {
                let envp = CStringArray(raw: env)
                rc = posix_spawn(&pid, path, &actions, &attributes, argv.base, envp.base)
                withExtendedLifetime(envp) {}
            } else {
                rc = posix_spawn(&pid, path, &actions, &attributes, argv.base, environ)
            }
            if rc == 0 { slot = ChildGroups.add(pid) }
        }
        withExtendedLifetime(argv) {}

        // The child's ends belong to the child now.
        if inPipe[0] >= 0 { close(inPipe[0]); inPipe[0] = -1 }
        close(outPipe[1]); outPipe[1] = -1
        if !passthroughStderr { close(errPipe[1]); errPipe[1] = -1 }
        guard rc == 0 else {
            closeAll()
            throw SystemError.system("start \(executable)", errno: rc)
        }

        var io = ChildIO(pid: pid, slot: slot, stdinFD: inPipe[1], stdoutFD: outPipe[0],
                         stderrFD: passthroughStderr ? -1 : errPipe[0], input: stdin)
        io.outputLimit = outputLimit
        return Trace.region(traceLabel(executable, arguments)) {
            io.run(timeout: timeout, inactivity: inactivityTimeout)
        }
    }

    /// The command as the performance trace shows it: `-c <setting>` pairs left out (git-realm
    /// puts its own first), then the first six arguments.
    static func traceLabel(_ executable: String, _ arguments: [String]) -> String {
        var shown: [String] = []
        var skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == "-c" { skipNext = true; continue }
            shown.append(argument)
            if shown.count == 6 { break }
        }
        return ([executable] + shown).joined(separator: " ")
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

/// The process groups of the children running now, for the signal handlers (which may only
/// read memory that is already there: a fixed table of atomics, allocated before any handler is
/// installed).
enum ChildGroups {
    static let capacity = 64
    private static let slots: InlineArray<64, Atomic<Int32>> = InlineArray { _ in Atomic(0) }
    /// The signals that are forwarded to live child groups.
    static let forwarded: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Records a live group; nil when the table is full (the child then goes unforwarded).
    static func add(_ group: pid_t) -> Int? {
        for i in 0..<capacity where slots[i].compareExchange(expected: 0, desired: group, ordering: .sequentiallyConsistent).exchanged {
            return i
        }
        return nil
    }

    static func remove(_ slot: Int?) {
        if let slot { slots[slot].store(0, ordering: .sequentiallyConsistent) }
    }

    /// The groups recorded now (for tests and diagnostics).
    static var live: [pid_t] {
        (0..<capacity).compactMap { i in
            let g = slots[i].load(ordering: .sequentiallyConsistent)
            return g > 0 ? g : nil
        }
    }

    /// Sends `signal` to every live child group. Async-signal-safe: atomics and kill(2).
    static func signalAll(_ signal: Int32) {
        for i in 0..<capacity {
            let group = slots[i].load(ordering: .sequentiallyConsistent)
            if group > 0 { kill(-group, signal) }
        }
    }

    static func withForwardedSignalsBlocked(_ body: () -> Void) {
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        for s in forwarded { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, &old)
        body()
        pthread_sigmask(SIG_SETMASK, &old, nil)
    }

    private static let handlersInstalled: Bool = {
        _ = slots[0].load(ordering: .relaxed)   // the table exists before a handler can run
        var installed = sigset_t()
        sigemptyset(&installed)
        for s in forwarded {
            var current = sigaction()
            guard sigaction(s, nil, &current) == 0 else { continue }
            // A signal this process was told to ignore (nohup, a shell's background job) stays
            // ignored; one that someone else handles stays theirs.
            guard current.__sigaction_handler.sa_handler == nil else { continue }
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardAndReraise
            sigemptyset(&action.sa_mask)
            for other in forwarded { sigaddset(&action.sa_mask, other) }
            action.sa_flags = 0
            if sigaction(s, &action, nil) == 0 { sigaddset(&installed, s) }
        }
        // A parent may have started this process with these signals blocked (a thread of a
        // libdispatch program blocks nearly all, and posix_spawn passes the mask on): they would
        // then never arrive, and a SIGTERM would leave git-realm and its children running.
        pthread_sigmask(SIG_UNBLOCK, &installed, nil)
        // A normal exit (exit(3) while a child runs on another thread) ends the children too.
        atexit { ChildGroups.signalAll(SIGTERM) }
        return true
    }()

    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP, once, where their disposition is
    /// the default one.
    static func installSignalHandlers() { _ = handlersInstalled }
}

/// Forwards the signal to every live child group, then ends this process by the same signal
/// (default disposition; the signal is blocked in the handler, so it is delivered on return).
private func forwardAndReraise(_ signal: Int32) {
    ChildGroups.signalAll(signal)
    var action = sigaction()
    action.__sigaction_handler.sa_handler = nil   // SIG_DFL
    sigemptyset(&action.sa_mask)
    sigaction(signal, &action, nil)
    raise(signal)
}

/// The parent's side of a running child: feeds stdin, drains stdout/stderr,
/// enforces the timeouts, ends the child's group and reaps the child.
private struct ChildIO {
    let pid: pid_t
    let slot: Int?
    var stdinFD: Int32
    var stdoutFD: Int32
    var stderrFD: Int32
    let input: [UInt8]
    var written = 0
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var sawEPIPE = false
    var outputLimit: Int?

    init(pid: pid_t, slot: Int?, stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32, input: [UInt8]) {
        self.pid = pid; self.slot = slot; self.stdinFD = stdinFD; self.stdoutFD = stdoutFD; self.stderrFD = stderrFD
        self.input = input
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func closeFD(_ fd: inout Int32) {
        if fd >= 0 { close(fd); fd = -1 }
    }

    /// Whether the child has exited, without reaping it: while it is an unreaped zombie its pid,
    /// and so its group's id, cannot be reused, and signalling the group is safe.
    func hasExited() -> Bool {
        var info = siginfo_t()
        let r = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        return r == 0 && info.si_signo == SIGCHLD
    }

    mutating func run(timeout: Double?, inactivity: Double?) -> ProcessResult {
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

        if stdinFD >= 0 {
            if input.isEmpty { ChildIO.closeFD(&stdinFD) } else {
                _ = fcntl(stdinFD, F_SETFL, fcntl(stdinFD, F_GETFL) | O_NONBLOCK)
            }
        }

        let started = ChildIO.now()
        let deadline = timeout.map { started + max(0, $0) }
        let idleLimit = inactivity.map { max(0, $0) }
        var lastActivity = started
        var exited = false
        var groupEnded = false
        var timedOut = false
        var inactive = false
        var termSentAt: Double?
        var killSent = false
        var overflowed = false
        var buffer = [UInt8](repeating: 0, count: 65536)

        loop: while true {
            var fds: [pollfd] = []
            if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
            if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
            if stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
            if fds.isEmpty && (exited || (deadline == nil && idleLimit == nil)) { break }
            let exitedBeforePoll = exited

            // With the pipes closed and the child not yet reaped, look again soon: it usually
            // exits within a millisecond of closing them (10 ms here cost every git run 5-10 ms).
            var waitMs: Double = fds.isEmpty ? 1 : 100
            let now = ChildIO.now()
            if !timedOut {
                if let deadline { waitMs = min(waitMs, max(0, (deadline - now) * 1000)) }
                if let idleLimit { waitMs = min(waitMs, max(0, (lastActivity + idleLimit - now) * 1000)) }
            }
            let ready = poll(&fds, nfds_t(fds.count), Int32(waitMs.rounded(.up)))
            if ready < 0 && errno != EINTR { break }

            if ready > 0 {
                for f in fds where f.revents != 0 {
                    if f.fd == stdoutFD {
                        if ChildIO.drain(&stdoutFD, into: &stdout, buffer: &buffer) { lastActivity = ChildIO.now() }
                    } else if f.fd == stderrFD {
                        if ChildIO.drain(&stderrFD, into: &stderr, buffer: &buffer) { lastActivity = ChildIO.now() }
                    } else if f.fd == stdinFD {
                        if ChildIO.feed(f.revents, fd: &stdinFD, input: input, written: &written, sawEPIPE: &sawEPIPE) {
                            lastActivity = ChildIO.now()
                        }
                    }
                }
            }

            if !exited && hasExited() {
                exited = true
                // What the child left running in its group (a backgrounded process holding the
                // pipes, say) ends with it.
                if !groupEnded { groupEnded = true; kill(-pid, SIGTERM) }
            }
            // The child is gone, but something it left behind holds the pipes
            // open and is silent: stop capturing.
            if exitedBeforePoll && ready == 0 { break }

            if !overflowed, let limit = outputLimit, stdout.count > limit || stderr.count > limit {
                // Enough: the rest is not read, and the child ends as on a timeout.
                overflowed = true
                stdout = Array(stdout.prefix(limit))
                stderr = Array(stderr.prefix(limit))
                ChildIO.closeFD(&stdoutFD)
                ChildIO.closeFD(&stderrFD)
            }

            let t = ChildIO.now()
            if !timedOut && !exited {
                let pastDeadline = deadline.map { t >= $0 } ?? false
                let idle = idleLimit.map { t >= lastActivity + $0 } ?? false
                if pastDeadline || idle || overflowed {
                    timedOut = true
                    inactive = idle && !pastDeadline && !overflowed
                    termSentAt = t
                    groupEnded = true
                    kill(-pid, SIGTERM)
                }
            } else if let sent = termSentAt, !killSent, t >= sent + ProcessRunner.killGrace {
                killSent = true
                kill(-pid, SIGKILL)
            } else if let sent = termSentAt, killSent, t >= sent + 2 * ProcessRunner.killGrace {
                break loop  // give up on pipes held by escaped descendants
            }
            if timedOut && exited && !killSent {
                // Reap stragglers in the group too.
                killSent = true
                kill(-pid, SIGKILL)
            }
        }

        ChildIO.closeFD(&stdinFD)
        ChildIO.closeFD(&stdoutFD)
        ChildIO.closeFD(&stderrFD)
        // The pipes can close before the child is done (it closes them on its way out, or runs
        // on without them): wait for its exit, without reaping, so that the group is not
        // signalled while the child still works.
        if !exited {
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        }
        if !groupEnded { kill(-pid, SIGTERM) }
        // Out of the registry before the pid (and group id) can be reused.
        ChildGroups.remove(slot)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let signalNumber = raw & 0x7f
        // An overflow ends the child as a timeout does, but is reported as what it is.
        let expired = timedOut && !overflowed
        if signalNumber == 0 {
            return ProcessResult(status: (raw >> 8) & 0xff, stdout: stdout, stderr: stderr, timedOut: expired, inactive: inactive,
                                 overflowed: overflowed)
        }
        return ProcessResult(status: 128 + signalNumber, stdout: stdout, stderr: stderr, timedOut: expired,
                             signal: signalNumber, inactive: inactive, overflowed: overflowed)
    }

    /// Reads what is there; true when bytes came.
    private static func drain(_ fd: inout Int32, into output: inout [UInt8], buffer: inout [UInt8]) -> Bool {
        let descriptor = fd
        let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if n > 0 {
            output.append(contentsOf: buffer[0..<n])
            return true
        } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
            ChildIO.closeFD(&fd)
        }
        return false
    }

    /// Writes what the child will take; true when bytes went.
    private static func feed(_ revents: Int16, fd: inout Int32, input: [UInt8], written: inout Int, sawEPIPE: inout Bool) -> Bool {
        if revents & Int16(POLLERR | POLLNVAL) != 0 {
            ChildIO.closeFD(&fd)
            return false
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
            return true
        } else if n < 0 && errno != EINTR && errno != EAGAIN {
            if errno == EPIPE { sawEPIPE = true }
            ChildIO.closeFD(&fd)  // the child stopped reading; that is its business
        } else if revents & Int16(POLLHUP) != 0 {
            ChildIO.closeFD(&fd)
        }
        return false
    }
}
