import Testing
@testable import RealmGit
@testable import RealmSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProcessRunnerTests {
    @Test func capturesLargeOutputOnBothPipes() throws {
        _ = TestEnvironment.root
        let size = 4 * 1024 * 1024
        let result = try ProcessRunner.run("sh", ["-c", "head -c \(size) /dev/zero; head -c \(size) /dev/zero | tr '\\0' e >&2; head -c \(size) /dev/zero | tr '\\0' o"])
        #expect(result.status == 0)
        #expect(result.stdout.count == 2 * size)
        #expect(result.stderr.count == size)
        #expect(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
        #expect(!result.timedOut)
    }

    /// A child that writes without end (a hostile server's answer through curl) is stopped at
    /// the limit and its group killed; what was read is cut there.
    @Test func outputLimitStopsAnEndlessWriter() throws {
        let result = try ProcessRunner.run("sh", ["-c", "yes git-realm"], timeout: 30, outputLimit: 100_000)
        #expect(result.overflowed)
        #expect(!result.timedOut && !result.succeeded)
        #expect(result.stdout.count == 100_000)
        let small = try ProcessRunner.run("sh", ["-c", "echo ok"], outputLimit: 100_000)
        #expect(small.succeeded && !small.overflowed && small.stdoutText == "ok\n")
    }

    @Test func feedsLargeStdinWhileReading() throws {
        _ = TestEnvironment.root
        var input = [UInt8]()
        for i in 0..<(6 * 1024 * 1024) { input.append(UInt8(truncatingIfNeeded: i &* 31)) }
        let result = try ProcessRunner.run("cat", [], stdin: input)
        #expect(result.status == 0)
        #expect(result.stdout == input)
        // Also through a process that writes stderr at the same time.
        let both = try ProcessRunner.run("sh", ["-c", "tee /dev/stderr"], stdin: input)
        #expect(both.stdout == input)
        #expect(both.stderr == input)
    }

    @Test func childThatIgnoresStdin() throws {
        _ = TestEnvironment.root
        let big = [UInt8](repeating: 65, count: 1 << 20)
        let result = try ProcessRunner.run("true", [], stdin: big)  // exits without reading: EPIPE, no SIGPIPE for us
        #expect(result.status == 0)
    }

    @Test func timesOutQuickly() throws {
        _ = TestEnvironment.root
        let start = ChildIOClock.now()
        let result = try ProcessRunner.run("sleep", ["10"], timeout: 0.5)
        let elapsed = ChildIOClock.now() - start
        #expect(result.timedOut)
        #expect(result.signal == SIGTERM)
        #expect(result.status == 128 + SIGTERM)
        #expect(elapsed < 4)
        // The whole process group goes: a grandchild holding the pipe is killed too.
        let start2 = ChildIOClock.now()
        let nested = try ProcessRunner.run("sh", ["-c", "sleep 10 & sleep 10; wait"], timeout: 0.5)
        #expect(nested.timedOut)
        #expect(ChildIOClock.now() - start2 < 5)
        // Ignoring SIGTERM gets SIGKILL after the grace period.
        let stubborn = try ProcessRunner.run("sh", ["-c", "trap '' TERM; sleep 10"], timeout: 0.3)
        #expect(stubborn.timedOut)
        #expect(stubborn.signal == SIGKILL)
    }

    @Test func statusDirectoryAndEnvironment() throws {
        let box = GitSandbox()
        #expect(try ProcessRunner.run("sh", ["-c", "exit 3"]).status == 3)
        #expect(try ProcessRunner.run("sh", ["-c", "kill -9 $$"]).signal == 9)
        #expect(try ProcessRunner.run("pwd", [], directory: box.dir).stdoutText == canonicalPath(box.dir) + "\n")
        let env = try ProcessRunner.run("sh", ["-c", "printf '%s|%s|%s' \"$REALM_A\" \"${HOME:+home}\" \"${GIT_TERMINAL_PROMPT-unset}\""],
                                        environment: ["REALM_A": "a b"], removingEnvironment: ["GIT_TERMINAL_PROMPT"])
        #expect(env.stdoutText == "a b|home|unset")
        let notFound = #expect(throws: SystemError.self) { try ProcessRunner.run("definitely-not-a-command-xyz", []) }
        #expect(notFound?.kind == .notFound)
        #expect(throws: SystemError.self) { try ProcessRunner.run("pwd", [], directory: box.path("missing")) }
        // PATH from the overriding environment is used for the lookup.
        box.write("bin/realm-hello", "#!/bin/sh\necho hello \"$@\"\n")
        chmod(box.path("bin/realm-hello"), 0o755)
        let found = try ProcessRunner.run("realm-hello", ["x"], environment: ["PATH": box.path("bin") + ":/usr/bin:/bin"])
        #expect(found.stdoutText == "hello x\n")
        // Stderr passthrough captures nothing.
        let passed = try ProcessRunner.run("sh", ["-c", "echo out; echo err >&2"], passthroughStderr: true)
        #expect(passed.stdoutText == "out\n")
        #expect(passed.stderr.isEmpty)
    }

    @Test func backgroundedGrandchildDoesNotHang() throws {
        _ = TestEnvironment.root
        let start = ChildIOClock.now()
        // The child exits at once; its background grandchild keeps stdout open for 5 s.
        let result = try ProcessRunner.run("sh", ["-c", "echo done; sleep 5 &"])
        #expect(result.stdoutText == "done\n")
        #expect(ChildIOClock.now() - start < 3)
    }
}

enum ChildIOClock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

@Suite struct ProcessGroupTests {
    /// Inactivity: no output for that long ends the child, however long the deadline.
    @Test func inactivityTimeoutEndsASilentChild() throws {
        _ = TestEnvironment.root
        let start = ChildIOClock.now()
        let silent = try ProcessRunner.run("sleep", ["30"], timeout: 60, inactivityTimeout: 0.5)
        #expect(silent.timedOut && silent.inactive)
        #expect(ChildIOClock.now() - start < 10)
        // A child that keeps talking is not inactive: the deadline ends it.
        let chatty = try ProcessRunner.run("sh", ["-c", "while :; do echo tick; sleep 0.1; done"], timeout: 1.5, inactivityTimeout: 1)
        #expect(chatty.timedOut && !chatty.inactive)
        #expect(chatty.stdoutText.hasPrefix("tick\n"))
        // Quiet but done in time: no timeout at all.
        let quick = try ProcessRunner.run("sh", ["-c", "sleep 0.2; echo ok"], timeout: 10, inactivityTimeout: 5)
        #expect(quick.succeeded && quick.stdoutText == "ok\n")
    }

    /// Each child leads a process group of its own; what it leaves running there ends with it.
    @Test func childHasItsOwnGroupAndTakesItWhenItExits() throws {
        _ = TestEnvironment.root
        let result = try ProcessRunner.run("sh", ["-c", "sleep 30 >/dev/null 2>&1 & echo $$ $!; ps -o pgid= -p $$"])
        let words = result.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { pid_t($0) }
        try #require(words.count == 3, "\(result.stdoutText)")
        let (shell, sleeper, group) = (words[0], words[1], words[2])
        #expect(group == shell, "the child leads its own group")
        #expect(group != getpgrp())
        var gone = false
        for _ in 0..<200 where !gone {
            gone = kill(sleeper, 0) != 0 || isZombie(sleeper)
            if !gone { usleep(10_000) }
        }
        #expect(gone, "the backgrounded sleep in the child's group was ended")
        #expect(ChildGroups.live.allSatisfy { $0 != shell }, "the group left the registry")
    }

    @Test func stdinIsDevNullWithoutInput() throws {
        _ = TestEnvironment.root
        let result = try ProcessRunner.run("sh", ["-c", "readlink /proc/self/fd/0; cat"])
        #expect(result.stdoutText == "/dev/null\n")
    }

    private func isZombie(_ pid: pid_t) -> Bool {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return true }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 512)
        guard fgets(&buffer, 512, file) != nil else { return true }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return true }
        return text[text.index(after: close)...].hasPrefix(" Z")
    }
}
