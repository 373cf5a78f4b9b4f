import Foundation
import Testing

/// `git realm watch` as a user runs it: the real binary in the background, a real realm, SIGTERM.
@Suite struct WatchTests {
    /// A running `git realm watch`: its output as it arrives.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var out = Data()
        private var err = Data()

        /// `viaGit`: as `git realm watch` (git runs git-realm as its child); else the binary itself.
        init(_ box: Sandbox, _ arguments: [String], in directory: String, viaGit: Bool = false,
             environment: [String: String] = [:]) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = (viaGit ? ["git", "realm", "watch"] : ["git-realm", "watch"]) + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.environment = box.environment.merging(environment) { $1 }
            let stdout = Pipe(), stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            process.standardInput = FileHandle.nullDevice
            stdout.fileHandleForReading.readabilityHandler = { [self] h in let d = h.availableData; lock.withLock { out.append(d) } }
            stderr.fileHandleForReading.readabilityHandler = { [self] h in let d = h.availableData; lock.withLock { err.append(d) } }
            try process.run()
        }

        var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
        var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

        /// Waits until `condition` holds on stdout (true) or `seconds` pass (false).
        func wait(upTo seconds: Double, for condition: (String) -> Bool) -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if condition(stdout) { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return condition(stdout)
        }

        /// SIGTERM, then the exit status (nil: still running after 20 s; then killed).
        func terminate() -> Int32? {
            kill(process.processIdentifier, SIGTERM)
            let end = Date().addingTimeInterval(20)
            while process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { Sandbox.killTree(process.processIdentifier); return nil }
            return process.terminationStatus
        }
    }

    /// Processes whose working directory lies in `root` (a child watch left behind would).
    static func processes(under root: String) -> [String] {
        var found: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
            guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd"), cwd.hasPrefix(root) else { continue }
            found.append("\(entry): \((try? String(contentsOfFile: "/proc/\(entry)/cmdline", encoding: .utf8)) ?? "?")")
        }
        return found
    }

    static func children(of parent: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent ? pid : nil
        }
    }

    @Test func printsTheNotificationWithinTwoIntervalsOfTheSyncAndRunsExecWithTheEvent() throws {
        let box = try Sandbox()
        let (_, aperture, fungal) = try SyncTests.story(box)
        #expect(try box.realm(["import", "s3-permissions", "--from", "aperture", "--range", ">=1.0.0, <2.0.0",
                               "--binding", "cdk/stack.py"], in: fungal).status == 0)
        let interval = 3.0
        let events = box.path("events.txt")
        // The command is the user's own, run directly: here a shell they chose, the event only in its environment.
        let watch = try Running(box, ["--interval", String(interval), "--json", "--exec", "sh", "-c",
                                      "env | grep '^GIT_REALM_EVENT_' | sort >> \"$0\"", events], in: fungal)
        Thread.sleep(forTimeInterval: interval + 1)   // watching has started (what is there is not reported)
        #expect(watch.stdout.isEmpty, "nothing new yet: \(watch.stdout) \(watch.stderr)")

        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "experiments"], in: aperture)
        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        let synced = Date()
        let arrived = watch.wait(upTo: 2 * interval) { $0.contains("\"kind\":\"notification\"") }
        let elapsed = Date().timeIntervalSince(synced)
        #expect(arrived, "no notification within two intervals (\(elapsed) s): \(watch.stdout) \(watch.stderr)")
        // One JSON object per line.
        let line = try #require(watch.stdout.split(separator: "\n").first { $0.contains("notification") })
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["contract"] as? String == "s3-permissions")
        #expect(object?["version"] as? String == "1.5.0")
        #expect(object?["repo"] as? String == "aperture")

        #expect(watch.wait(upTo: 5) { _ in (try? box.read("events.txt"))?.contains("GIT_REALM_EVENT_KIND=notification") == true })
        let env = (try? box.read("events.txt")) ?? ""
        #expect(env.contains("GIT_REALM_EVENT_CONTRACT=s3-permissions"), "\(env)")
        #expect(env.contains("GIT_REALM_EVENT_VERSION=1.5.0"), "\(env)")
        #expect(env.contains("GIT_REALM_EVENT_REPO=aperture"), "\(env)")
        #expect(env.contains("GIT_REALM_EVENT_JSON={"), "\(env)")

        #expect(watch.terminate() == 0, "SIGTERM stops watch cleanly: \(watch.stderr)")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(Self.processes(under: fungal).isEmpty, "no child left behind")
    }

    @Test func reportsSessionChangesAndStopsOnSIGINT() throws {
        let box = try Sandbox()
        let (_, aperture, fungal) = try SyncTests.story(box)
        let watch = try Running(box, ["--interval", "1"], in: aperture, viaGit: true)
        #expect(watch.wait(upTo: 10) { $0.contains("Watching realm 'letemcook' for aperture") })
        Thread.sleep(forTimeInterval: 2)
        let started = try box.realm(["session", "start", "--rfc", "training-metrics-v2"], in: fungal)
        #expect(started.status == 0, "\(started)")
        #expect(watch.wait(upTo: 10) { $0.contains("fungal-image-analysis session started") && $0.contains("working on training-metrics-v2") },
                "\(watch.stdout) \(watch.stderr)")
        #expect(try box.realm(["session", "stop"], in: fungal).status == 0)
        #expect(watch.wait(upTo: 10) { $0.contains("fungal-image-analysis session ended") }, "\(watch.stdout)")
        // Ctrl-C reaches git, which passes it to git-realm, waits for it, then reports the signal
        // itself (exit 130, git's doing); git-realm stops cleanly and leaves no child.
        // As a terminal's Ctrl-C: SIGINT to every process of the foreground job (git and git-realm).
        let git = watch.process.processIdentifier
        for pid in Self.children(of: git) + [git] { kill(pid, SIGINT) }
        let end = Date().addingTimeInterval(20)
        while watch.process.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!watch.process.isRunning, "SIGINT stops watch")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(Self.processes(under: aperture).isEmpty, "no child left behind")
    }

    /// Polling is one ls-remote an interval; the realm is fetched only when something moved.
    @Test func pollsWithLsRemoteAndFetchesOnlyWhenSomethingMoved() throws {
        let box = try Sandbox()
        let (_, aperture, fungal) = try SyncTests.story(box)
        let watch = try Running(box, ["--interval", "0.5"], in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        #expect(watch.wait(upTo: 10) { $0.contains("Watching realm") })
        Thread.sleep(forTimeInterval: 3)
        func count(_ word: String) -> Int { watch.stderr.split(separator: "\n").filter { $0.contains(" \(word) ") }.count }
        #expect(count("ls-remote") >= 3, "\(watch.stderr)")
        #expect(count("fetch") == 1, "only the first fetch while nothing moves: \(watch.stderr)")
        #expect(try box.realm(["session", "start"], in: fungal).status == 0)
        #expect(watch.wait(upTo: 10) { $0.contains("fungal-image-analysis session started") }, "\(watch.stdout)")
        #expect(count("fetch") == 2, "one fetch for what moved: \(watch.stderr)")
        #expect(watch.terminate() == 0)
    }

    @Test func reportsAProposalThatConcernsThisRepo() throws {
        let box = try Sandbox()
        let (_, aperture, fungal) = try SyncTests.story(box, governed: true)
        #expect(try box.realm(["import", "s3-permissions", "--from", "aperture", "--range", ">=1.0.0, <2.0.0",
                               "--binding", "cdk/stack.py"], in: fungal).status == 0)
        let watch = try Running(box, ["--interval", "0.5", "--json"], in: fungal)
        Thread.sleep(forTimeInterval: 3)
        // Narrowing what fungal-image-analysis acknowledges waits for the grace period: a proposal.
        try box.write("aperture/config/s3.yaml", "read: []\nwrite: []\n")
        try box.git(["commit", "-qam", "narrow"], in: aperture)
        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0 && sync.stdout.contains("sync/aperture/"), "\(sync)")
        #expect(watch.wait(upTo: 10) { $0.contains("\"kind\":\"proposal\"") && $0.contains("sync/aperture/") },
                "\(watch.stdout) \(watch.stderr)")
        #expect(watch.terminate() == 0)
    }

    /// An unreachable realm is said once and polled less and less often; when it answers again, watch says so.
    @Test func backsOffWhileTheRealmIsUnreachable() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try SyncTests.story(box)
        let watch = try Running(box, ["--interval", "0.5"], in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        #expect(watch.wait(upTo: 10) { $0.contains("Watching realm") })
        try FileManager.default.moveItem(atPath: url, toPath: url + ".away")
        func count() -> Int { watch.stderr.split(separator: "\n").filter { $0.contains(" ls-remote ") }.count }
        let end = Date().addingTimeInterval(10)
        while !watch.stderr.contains("will try again") && Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        #expect(watch.stderr.contains("cannot reach realm 'letemcook'") && watch.stderr.contains("will try again"), "\(watch.stderr)")
        let first = count()
        Thread.sleep(forTimeInterval: 3.5)
        // Without backoff: 7 polls in 3.5 s; waiting 1, 2, 4 s: at most 2.
        #expect(count() - first <= 2, "\(watch.stderr)")
        #expect(watch.stderr.components(separatedBy: "will try again").count - 1 == 1, "said once: \(watch.stderr)")
        try FileManager.default.moveItem(atPath: url + ".away", toPath: url)
        let back = Date().addingTimeInterval(15)
        while !watch.stderr.contains("the realm answers again") && Date() < back { Thread.sleep(forTimeInterval: 0.05) }
        #expect(watch.stderr.contains("the realm answers again"), "\(watch.stderr)")
        #expect(watch.terminate() == 0)
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        let r = try box.realm(["watch", "--interval", "0"], in: aperture)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("--interval"), "\(r)")
    }
}
