import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The realm behind real servers on 127.0.0.1: sshd with a throwaway host key, git http-backend
/// behind lighttpd with basic auth, and a TCP server that accepts and never answers. Real git,
/// real ssh, no mocks. The servers' tests are skipped (with the reason) where sshd or lighttpd
/// is not installed; scripts/test.sh installs both.
///
/// Serialized: each test runs servers and processes of its own.
@Suite(.serialized) struct NetworkTests {
    // MARK: ssh

    @Test(.enabled(if: LocalServers.sshd != nil, "sshd is not installed (openssh-server)"))
    func realmOverSSHWithTheRightKeyAndAnUnknownHostKey() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let app = try box.makeRepo("app")
        let sshd = try SSHServer(box)
        defer { sshd.stop() }
        let realmURL = "ssh://\(LocalServers.userName)@127.0.0.1:\(sshd.port)\(url)"

        // The user's own ssh command (core.sshCommand): git-realm appends its options to it.
        try box.git(["config", "--global", "core.sshCommand", sshd.sshCommand(knownHosts: sshd.knownHosts)])
        let join = try box.realm(["admin", "join", realmURL], in: app)
        #expect(join.status == 0, "join over ssh (fetch and push): \(join)\n\(sshd.log)")
        let status = try box.realm(["status", "--fetch"], in: app)
        #expect(status.status == 0 && !status.stderr.contains("warning"), "fetch over ssh: \(status)")
        #expect(try box.realmFile(url, "repos/app.yaml") != nil, "the join was pushed through sshd")

        // A host key nobody knows: ssh would ask "Are you sure you want to continue connecting?".
        // It must not: BatchMode fails at once with ssh's own message, shown to the user, even
        // with an askpass program that would answer and a DISPLAY for it.
        let empty = box.path("empty_known_hosts")
        try box.write(empty, "")
        try box.git(["config", "--global", "core.sshCommand", sshd.sshCommand(knownHosts: empty)])
        let askpass = try AskPass(box)
        try box.git(["config", "realm.timeout", "120"], in: app)
        let sync = try box.realm(["sync"], in: app, environment: askpass.environment)
        #expect(sync.status == 4, "\(sync)")
        #expect(sync.stderr.contains("error: cannot fetch realm 'letemcook' from \(realmURL)"), "\(sync)")
        #expect(sync.stderr.contains("Host key verification failed"), "ssh's own message is shown: \(sync)")
        #expect(!sync.stderr.contains("timed out"), "it failed at once, not by a timeout: \(sync)")
        #expect(!askpass.wasRun, "no askpass program was run")
    }

    // MARK: smart HTTP

    @Test(.enabled(if: LocalServers.lighttpd != nil, "lighttpd is not installed"))
    func realmOverHTTPWithBasicAuthThroughACredentialHelper() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let app = try box.makeRepo("app")
        let http = try HTTPServer(box, projectRoot: (url as NSString).deletingLastPathComponent)
        defer { http.stop() }
        let realmURL = "http://127.0.0.1:\(http.port)/git/\((url as NSString).lastPathComponent)"

        // A credential helper in the user's git config supplies the password: it still works.
        try box.git(["config", "--global", "credential.helper",
                     "!f() { test \"$1\" = get && echo username=\(HTTPServer.user) && echo password=\(HTTPServer.password); }; f"])
        let join = try box.realm(["admin", "join", realmURL], in: app)
        #expect(join.status == 0, "join over http (fetch and push through http-backend): \(join)\n\(http.log)")
        #expect(try box.realmFile(url, "repos/app.yaml") != nil, "the join was pushed through http-backend")
        let status = try box.realm(["status", "--fetch"], in: app)
        #expect(status.status == 0 && !status.stderr.contains("warning"), "fetch over http: \(status)")

        // Without it git would ask for a user name: it must not, whatever the environment says
        // (GIT_TERMINAL_PROMPT=1, an askpass program that would answer).
        try box.git(["config", "--global", "--unset", "credential.helper"])
        try box.git(["config", "realm.timeout", "120"], in: app)
        let askpass = try AskPass(box)
        var environment = askpass.environment
        environment["GIT_TERMINAL_PROMPT"] = "1"
        let sync = try box.realm(["sync"], in: app, environment: environment)
        #expect(sync.status == 4, "\(sync)")
        #expect(sync.stderr.contains("cannot fetch realm 'letemcook' from \(realmURL)"), "\(sync)")
        #expect(sync.stderr.contains("terminal prompts disabled"), "git's own message is shown: \(sync)")
        #expect(!askpass.wasRun, "no askpass program was run")

        // A password in the URL is never printed.
        let withPassword = "http://\(HTTPServer.user):wrong-secret@127.0.0.1:\(http.port)/git/\((url as NSString).lastPathComponent)"
        try box.git(["config", "-f", ".gitrealm", "realm.url", withPassword], in: app)
        let denied = try box.realm(["sync"], in: app)
        #expect(denied.status == 4, "\(denied)")
        #expect(denied.stderr.contains("http://127.0.0.1:\(http.port)/git/"), "\(denied)")
        #expect(!denied.output.contains("wrong-secret"), "\(denied)")
    }

    // MARK: a server that never answers

    @Test func hangingServerFallsBackOrFailsWithinTheTimeouts() throws {
        let box = try Sandbox()
        let (_, _, fungal) = try box.makeScenario()
        #expect(try box.realm(["status", "--fetch"], in: fungal).status == 0)
        let server = try HangingServer()
        defer { server.stop() }
        let hangingURL = "http://127.0.0.1:\(server.port)/realm.git"
        try box.git(["config", "-f", ".gitrealm", "realm.url", hangingURL], in: fungal)
        try box.git(["config", "realm.inactivityTimeout", "1"], in: fungal)
        try box.git(["config", "realm.timeout", "20"], in: fungal)

        // status --fetch: the last fetched state, and a warning that says how old it is.
        var (status, seconds) = try timed { try box.realm(["status", "--fetch"], in: fungal) }
        print("hangingServer: status --fetch returned after \(seconds) s")
        #expect(status.status == 0, "\(status)")
        #expect(status.stderr.contains("warning: fetch failed, showing the state fetched just now: cannot fetch realm 'letemcook' from \(hangingURL): timed out: no response for 1 s"),
                "\(status)")
        #expect(status.stdout.contains("Domains:"), "the last fetched state is shown: \(status)")
        #expect(seconds < 20, "ended by the inactivity timeout, not the deadline")
        #expect(server.connections > 0, "git did connect")

        // The checks fall back the same way, exit code unchanged.
        let check: Sandbox.Result
        (check, seconds) = try timed { try box.realm(["check", "--mode=importer", "--fetch"], in: fungal) }
        #expect(check.status == 0, "\(check)")
        #expect(check.stderr.contains("warning: cannot fetch realm 'letemcook' from \(hangingURL): timed out: no response for 1 s; using the state fetched just now"),
                "\(check)")

        // sync: unreachable, exit 4, one line naming the URL.
        let sync: Sandbox.Result
        (sync, seconds) = try timed { try box.realm(["sync"], in: fungal) }
        print("hangingServer: sync failed after \(seconds) s")
        #expect(sync.status == 4, "\(sync)")
        let errors = sync.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors == ["error: cannot fetch realm 'letemcook' from \(hangingURL): timed out: no response for 1 s"], "\(sync)")
        #expect(seconds < 20)

        // The overall deadline holds too, for a server that is slow rather than silent (the
        // inactivity timeout is longer here than the deadline); and over ssh.
        try box.git(["config", "realm.inactivityTimeout", "30"], in: fungal)
        try box.git(["config", "realm.timeout", "2"], in: fungal)
        try box.git(["config", "-f", ".gitrealm", "realm.url", "ssh://git@127.0.0.1:\(server.port)/realm.git"], in: fungal)
        let deadline: Sandbox.Result
        (deadline, seconds) = try timed { try box.realm(["sync"], in: fungal) }
        print("hangingServer: sync over ssh failed after \(seconds) s")
        #expect(deadline.status == 4, "\(deadline)")
        #expect(deadline.stderr.contains("timed out: not done after 2 s") || deadline.stderr.contains("Connection timed out"),
                "\(deadline)")
        #expect(seconds < 20)
    }

    // MARK: signals

    @Test(arguments: [SIGTERM, SIGINT])
    func signalToStatusFetchLeavesNoGitChild(_ signal: Int32) throws {
        let box = try Sandbox()
        let (_, _, fungal) = try box.makeScenario()
        #expect(try box.realm(["status", "--fetch"], in: fungal).status == 0)
        let server = try HangingServer()
        defer { server.stop() }
        try box.git(["config", "-f", ".gitrealm", "realm.url", "http://127.0.0.1:\(server.port)/realm.git"], in: fungal)

        // The binary itself, so the pid signalled is git-realm's.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git-realm", "status", "--fetch"]
        process.currentDirectoryURL = URL(fileURLWithPath: fungal)
        process.environment = box.environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier

        // Wait until its git fetch is waiting on the server.
        var group: pid_t?
        for _ in 0..<1000 where group == nil {
            if server.connections > 0, let child = ProcessList.children(of: pid).first(where: { ProcessList.commandLine($0).contains("fetch") }) {
                group = ProcessList.group(of: child)
            } else {
                usleep(10_000)
            }
        }
        let childGroup = try #require(group, "git-realm started git fetch and it connected")
        #expect(childGroup != getpgrp(), "the git child has a process group of its own")
        let members = ProcessList.members(of: childGroup)
        #expect(members.count >= 2, "git fetch and its transport helper: \(members.map(ProcessList.commandLine))")

        let signals = (ProcessList.read("/proc/\(pid)/status") ?? "").split(separator: "\n").filter { $0.hasPrefix("Sig") }
        kill(pid, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signal,
                "git-realm ended by the signal it got (re-raised): \(process.terminationReason) \(process.terminationStatus) \(signals)")
        var alive = ProcessList.members(of: childGroup)
        for _ in 0..<500 where !alive.isEmpty {
            usleep(10_000)
            alive = ProcessList.members(of: childGroup)
        }
        #expect(alive.isEmpty, "left running: \(alive.map(ProcessList.commandLine))")
    }

    // MARK: three at once in one clone

    @Test func threeSyncsAtOnceInOneClone() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeScenario()
        try box.write("aperture/config/s3.yaml", "read:\n  - r0\nwrite: []\n")
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "s3 config"], in: aperture)
        let export = try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml"], in: aperture)
        #expect(export.status == 0, "\(export)")

        // Each round the realm moves behind this clone's back first, so all three find their
        // fetched copy stale and fetch at the same moment, updating the same refs: git's ref
        // locks and compare-and-swap make all but one of those updates fail ("cannot lock ref
        // ... is at X but expected Y"), which is not an unreachable realm. Odd rounds also have
        // a change to publish (one sync publishes it), even rounds nothing.
        var version = 0
        for round in 1...6 {
            try box.editRealmByHand(url, message: "round \(round)") { clone in
                try "round \(round)\n".write(toFile: clone + "/README.md", atomically: true, encoding: .utf8)
            }
            let publishes = round % 2 == 1
            if publishes {
                version += 1
                try box.write("aperture/config/s3.yaml", "read:\n" + (0...version).map { "  - r\($0)\n" }.joined() + "write: []\n")
                try box.git(["commit", "--quiet", "-am", "round \(round)"], in: aperture)
            }
            let runs = try (0..<3).map { _ in try Background(box, ["realm", "sync", "--json"], in: aperture) }
            let results = runs.map { $0.wait() }
            var published = 0
            for result in results {
                #expect(result.status == 0, "round \(round): \(result)")
                guard result.status == 0 else { continue }
                published += (try box.json(result)["published"] as? [[String: Any]] ?? []).count
            }
            #expect(published == (publishes ? 1 : 0), "round \(round): one sync publishes, the others find nothing to do: \(results)")
            let contract = try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml") ?? ""
            #expect(contract.contains("version: \"1.\(version).0\""), "round \(round): \(contract)")
            #expect(try box.git(["rev-parse", "refs/realm/letemcook/main"], in: aperture) == (try box.git(["--git-dir", url, "rev-parse", "main"])),
                    "round \(round): the fetched realm is the realm")
        }
        #expect(try box.run("git", ["fsck", "--no-progress"], in: aperture).status == 0)
    }
}

// MARK: - helpers

private func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try body()
    let elapsed = clock.now - start
    return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

enum LocalServers {
    static func find(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/local/sbin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let sshd = find("sshd")
    static let lighttpd = find("lighttpd")

    static var userName: String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "root" }
        return String(cString: name)
    }

    /// A port nobody listens on now (bound to port 0 and released).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServerError("bind: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// Waits (at most 10 s) until something accepts connections on `port`.
    static func awaitListening(_ port: UInt16) -> Bool {
        for _ in 0..<500 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return true }
            usleep(20_000)
        }
        return false
    }
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A server process of a test, stopped by `stop()`. It runs detached (started by a shell that
/// exits at once), not as a child of the test process: Foundation's `Process` on Linux reaps its
/// children from one thread with a blocking waitpid, and a long-running child there held up the
/// reaping of every other process the test started.
final class Daemon: @unchecked Sendable {
    let pid: pid_t
    let logPath: String

    init(_ box: Sandbox, _ executable: String, _ arguments: [String], log: String) throws {
        logPath = log
        // Every descriptor but 0-2 closed first: Foundation leaves the test's own pipes open in
        // its children, and a daemon holding them would keep the shell's output from ending.
        let script = "for fd in $(ls /proc/$$/fd); do if [ \"$fd\" -gt 2 ]; then eval \"exec $fd>&-\"; fi; done; "
            + "\"$0\" \"$@\" </dev/null >>'\(log)' 2>&1 & echo $!"
        let started = try box.run("/bin/bash", ["-c", script, executable] + arguments)
        guard started.status == 0, let pid = pid_t(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ServerError("cannot start \(executable): \(started)")
        }
        self.pid = pid
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool {
        guard let stat = ProcessList.read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    /// SIGKILL: a throwaway server has nothing to save, and one started from a test thread
    /// inherits that thread's signal mask, in which SIGTERM is blocked (lighttpd never unblocks
    /// it). Waits (at most five seconds) until it is gone.
    func stop() {
        kill(pid, SIGKILL)
        for _ in 0..<250 where isRunning { usleep(20_000) }
    }
}

/// sshd on a free port of 127.0.0.1: a throwaway host key, one authorized client key, all in
/// the sandbox.
final class SSHServer {
    let port: UInt16
    let dir: String
    let knownHosts: String
    private let daemon: Daemon

    init(_ box: Sandbox) throws {
        guard let sshd = LocalServers.sshd else { throw ServerError("no sshd") }
        dir = box.path("sshd")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for key in ["host_key", "client_key"] {
            let made = try box.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", "\(dir)/\(key)"])
            guard made.status == 0 else { throw ServerError("ssh-keygen: \(made)") }
        }
        try FileManager.default.copyItem(atPath: "\(dir)/client_key.pub", toPath: "\(dir)/authorized_keys")
        port = try LocalServers.freePort()
        knownHosts = "\(dir)/known_hosts"
        try box.write(knownHosts, "[127.0.0.1]:\(port) " + (try box.read("\(dir)/host_key.pub")))
        try box.write("\(dir)/sshd_config", """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(dir)/host_key
            PidFile \(dir)/sshd.pid
            AuthorizedKeysFile \(dir)/authorized_keys
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            PrintMotd no
            AcceptEnv GIT_PROTOCOL
            LogLevel ERROR

            """)
        // sshd run by root wants its privilege-separation directory.
        if getuid() == 0 { try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        daemon = try Daemon(box, sshd, ["-D", "-e", "-f", "\(dir)/sshd_config"], log: "\(dir)/sshd.log")
        guard LocalServers.awaitListening(port) else {
            daemon.stop()
            throw ServerError("sshd did not start: \(daemon.log)")
        }
    }

    var log: String { daemon.log }

    /// The ssh command a user would configure for this server (key, known hosts).
    func sshCommand(knownHosts: String) -> String {
        "ssh -i \(dir)/client_key -o IdentitiesOnly=yes -o UserKnownHostsFile=\(knownHosts) -o GlobalKnownHostsFile=/dev/null"
    }

    func stop() { daemon.stop() }
}

/// git http-backend behind lighttpd on a free port of 127.0.0.1, `/git/<repo>` for the
/// repositories under `projectRoot`, basic auth for everything.
final class HTTPServer {
    static let user = "realm-user"
    static let password = "s3cret-pass"
    let port: UInt16
    private let daemon: Daemon

    init(_ box: Sandbox, projectRoot: String) throws {
        guard let lighttpd = LocalServers.lighttpd else { throw ServerError("no lighttpd") }
        let dir = box.path("lighttpd")
        try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
        let backend = try box.run("git", ["--exec-path"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/git-http-backend"
        try box.write("\(dir)/users", "\(Self.user):\(Self.password)\n")
        port = try LocalServers.freePort()
        try box.write("\(dir)/lighttpd.conf", """
            server.document-root = "\(dir)/www"
            server.port = \(port)
            server.bind = "127.0.0.1"
            server.modules = ("mod_auth", "mod_authn_file", "mod_alias", "mod_setenv", "mod_cgi")
            server.errorlog = "\(dir)/error.log"
            alias.url = ("/git" => "\(backend)")
            $HTTP["url"] =~ "^/git" {
              cgi.assign = ("" => "")
              setenv.add-environment = ("GIT_PROJECT_ROOT" => "\(projectRoot)", "GIT_HTTP_EXPORT_ALL" => "1")
            }
            auth.backend = "plain"
            auth.backend.plain.userfile = "\(dir)/users"
            auth.require = ("/git" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))

            """)
        daemon = try Daemon(box, lighttpd, ["-D", "-f", "\(dir)/lighttpd.conf"], log: "\(dir)/lighttpd.log")
        guard LocalServers.awaitListening(port) else {
            daemon.stop()
            throw ServerError("lighttpd did not start: \(daemon.log)")
        }
    }

    var log: String { daemon.log }
    func stop() { daemon.stop() }
}

/// Accepts TCP connections on 127.0.0.1 and never says a word; holds them until stopped.
final class HangingServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(errno)") }
        var address = LocalServers.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw ServerError("bind/listen: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var connections: Int { lock.withLock { accepted.count } }

    private func acceptLoop() {
        // Bounded: it stops by itself after five minutes.
        for _ in 0..<3000 {
            if lock.withLock({ stopped }) { break }
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 1, 100) > 0 {
                let fd = accept(listener, nil, nil)
                if fd >= 0 { lock.withLock { accepted.append(fd) } }
            }
        }
        done.signal()
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
        lock.withLock {
            for fd in accepted { close(fd) }
            accepted = []
        }
        close(listener)
    }
}

/// An askpass program that would answer any question, and records that it was asked.
struct AskPass {
    let marker: String
    let environment: [String: String]

    init(_ box: Sandbox) throws {
        marker = box.path("askpass-was-run")
        let script = box.path("askpass.sh")
        try box.write(script, "#!/bin/sh\necho \"$*\" >> '\(marker)'\necho yes\n")
        chmod(script, 0o755)
        environment = ["GIT_ASKPASS": script, "SSH_ASKPASS": script, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"]
    }

    var wasRun: Bool { FileManager.default.fileExists(atPath: marker) }
}

/// A `git` command started without waiting for it, its output in files.
private final class Background: @unchecked Sendable {
    let process = Process()
    private let outPath: String
    private let errPath: String

    init(_ box: Sandbox, _ arguments: [String], in directory: String) throws {
        let id = String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: box.path("logs"), withIntermediateDirectories: true)
        outPath = box.path("logs/\(id).out")
        errPath = box.path("logs/\(id).err")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? out.close(); try? err.close() }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: box.path(directory))
        process.environment = box.environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    func wait() -> Sandbox.Result {
        process.waitUntilExit()
        return Sandbox.Result(status: process.terminationStatus,
                              stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                              stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

/// Live processes, read from /proc.
enum ProcessList {
    /// (pid, parent, process group) of every live process (zombies left out).
    static func all() -> [(pid: pid_t, parent: pid_t, group: pid_t)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name in
            guard let pid = pid_t(name), let stat = read("/proc/\(name)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", let parent = pid_t(fields[1]), let group = pid_t(fields[2]) else { return nil }
            return (pid, parent, group)
        }
    }

    static func children(of parent: pid_t) -> [pid_t] { all().filter { $0.parent == parent }.map(\.pid) }
    static func members(of group: pid_t) -> [pid_t] { all().filter { $0.group == group }.map(\.pid) }
    static func group(of pid: pid_t) -> pid_t? { all().first { $0.pid == pid }?.group }

    static func commandLine(_ pid: pid_t) -> String {
        (read("/proc/\(pid)/cmdline") ?? "").split(separator: "\0").joined(separator: " ")
    }

    static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
