import Foundation
import Synchronization
import Testing

/// The cache under git's own directory (docs/cache.md): keyed by object ids, invisible until
/// asked, a miss whenever an entry does not read back whole, safe with commands in parallel.
@Suite struct CacheTests {
    static let trace = ["GIT_REALM_TRACE": "1"]

    /// The trace lines of a run: `extract: ...`, `cache hit: ...`, `cache miss: ...`.
    static func events(_ result: Sandbox.Result, _ prefix: String) -> [Substring] {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("git-realm trace: \(prefix)") }
    }

    static func stats(_ box: Sandbox, in repo: String) throws -> [String: Any] {
        let result = try box.realm(["admin", "cache", "stats", "--json"], in: repo)
        #expect(result.status == 0, "\(result)")
        return try box.json(result)
    }

    static func kind(_ stats: [String: Any], _ kind: String) -> [String: Int] {
        ((stats["kinds"] as? [String: Any])?[kind] as? [String: Int]) ?? [:]
    }

    static func cacheDir(_ box: Sandbox, _ repo: String) throws -> String {
        let common = try box.git(["rev-parse", "--git-common-dir"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        return (common.hasPrefix("/") ? common : repo + "/" + common) + "/git-realm/cache"
    }

    /// SyncTests.story with a value and a published contract over `RealmCache.worthBytes`
    /// (16 KiB): large enough for contract reads and comparisons to be cached too.
    static func largeStory(_ box: Sandbox) throws -> (realm: String, aperture: String, fungal: String) {
        let story = try SyncTests.story(box)
        let paths = (0..<1200).map { String(format: "p%04d/data/*", $0) }
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, " + paths.joined(separator: ", ") + "]\nwrite: []\n")
        try box.git(["commit", "-qam", "many paths"], in: story.aperture)
        let sync = try box.realm(["sync"], in: story.aperture)
        #expect(sync.status == 0 && sync.stdout.contains("Published s3-permissions"), "\(sync)")
        return story
    }

    @Test func aWarmStatusExtractsNothingAndNoCacheDoes() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try Self.largeStory(box)
        #expect(try box.realm(["admin", "cache", "clear"], in: aperture).status == 0)
        let cold = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(cold.status == 0, "\(cold)")
        #expect(Self.events(cold, "extract: export s3-permissions (file config/s3.yaml)").count == 1, "\(cold.stderr)")
        #expect(!Self.events(cold, "cache miss: value").isEmpty)

        let warm = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(warm.status == 0, "\(warm)")
        #expect(Self.events(warm, "extract:").isEmpty, "a warm cache extracts nothing: \(warm.stderr)")
        #expect(!Self.events(warm, "cache hit: value").isEmpty)
        #expect(!Self.events(warm, "cache hit: drift").isEmpty)
        #expect(warm.stdout == cold.stdout, "the cache is invisible")

        let bypass = try box.realm(["status", "--no-cache"], in: aperture, environment: Self.trace)
        #expect(bypass.status == 0, "\(bypass)")
        #expect(Self.events(bypass, "extract:").count == 1, "\(bypass.stderr)")
        #expect(Self.events(bypass, "cache ").isEmpty, "--no-cache reads and writes nothing: \(bypass.stderr)")
        #expect(bypass.stdout == cold.stdout)

        // Without a trace, nothing is said about the cache.
        let quiet = try box.realm(["status"], in: aperture)
        #expect(!quiet.stderr.contains("trace"), "\(quiet)")

        // sync and check take --no-cache too, and use the cache without it.
        let check = try box.realm(["check", "--mode=exporter"], in: aperture, environment: Self.trace)
        #expect(check.status == 0, "\(check)")
        #expect(Self.events(check, "extract:").isEmpty, "\(check.stderr)")
        let checkBypass = try box.realm(["check", "--mode=exporter", "--no-cache"], in: aperture, environment: Self.trace)
        #expect(Self.events(checkBypass, "extract:").count == 1 && Self.events(checkBypass, "cache ").isEmpty, "\(checkBypass.stderr)")
        let sync = try box.realm(["sync", "--dry-run"], in: aperture, environment: Self.trace)
        #expect(sync.status == 0, "\(sync)")
        #expect(Self.events(sync, "extract:").isEmpty, "\(sync.stderr)")
        let syncBypass = try box.realm(["sync", "--dry-run", "--no-cache"], in: aperture, environment: Self.trace)
        #expect(Self.events(syncBypass, "extract:").count == 1 && Self.events(syncBypass, "cache ").isEmpty, "\(syncBypass.stderr)")
    }

    @Test func aChangedSourceIsAMissAndItsDriftIsShown() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        #expect(try box.realm(["status"], in: aperture).status == 0)
        // A new blob in the working tree (not committed, not staged): a new key.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, models/*]\nwrite: []\n")
        let changed = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(changed.status == 0, "\(changed)")
        #expect(Self.events(changed, "extract:").count == 1, "\(changed.stderr)")
        #expect(changed.stdout.contains("+ models/*"), "\(changed.stdout)")
        // Then warm again for that content, with the same drift shown.
        let again = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(again, "extract:").isEmpty, "\(again.stderr)")
        #expect(again.stdout == changed.stdout)
        // Back to the old content: its entry is still there.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: []\n")
        let back = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(back, "extract:").isEmpty, "\(back.stderr)")
        #expect(!back.stdout.contains("models/*"))
        // The same bytes written again (a new mtime, same blob): still a hit.
        Thread.sleep(forTimeInterval: 1.1)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: []\n")
        let touched = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(touched, "extract:").isEmpty, "keyed by content, not by mtime: \(touched.stderr)")
        // A published change (a new contract blob): the value's entry is reused, the comparison
        // is made against the new contract.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, models/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "models"], in: aperture)
        #expect(try box.realm(["sync"], in: aperture).status == 0)
        let published = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(published, "extract:").isEmpty, "\(published.stderr)")
        #expect(!published.stdout.contains("Contract change detected"), "\(published.stdout)")
    }

    @Test func statsCountAndClearEmpties() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try Self.largeStory(box)
        #expect(try box.realm(["admin", "cache", "clear"], in: aperture).status == 0)
        var stats = try Self.stats(box, in: aperture)
        #expect(stats["entries"] as? Int == 0 && stats["hits"] as? Int == 0 && stats["misses"] as? Int == 0, "\(stats)")
        #expect(try box.realm(["status"], in: aperture).status == 0)   // value, contract, drift: misses, stored
        #expect(try box.realm(["status"], in: aperture).status == 0)   // hits
        #expect(try box.realm(["status", "--no-cache"], in: aperture).status == 0)   // not counted
        stats = try Self.stats(box, in: aperture)
        let value = Self.kind(stats, "value"), drift = Self.kind(stats, "drift"), contract = Self.kind(stats, "contract")
        #expect(value["entries"] == 1 && value["hits"] == 1 && value["misses"] == 1, "\(stats)")
        #expect(drift["entries"] == 1 && drift["hits"] == 1 && drift["misses"] == 1, "\(stats)")
        #expect((contract["entries"] ?? 0) >= 1 && (contract["hits"] ?? 0) >= 1, "\(stats)")
        #expect((stats["bytes"] as? Int ?? 0) > 0)
        let history = stats["history"] as? [String: Any]
        #expect(history?["bytes"] is Int, "\(stats)")
        let text = try box.realm(["admin", "cache", "stats"], in: aperture)
        #expect(text.status == 0 && text.stdout.contains("value: 1 entries"), "\(text)")

        let clear = try box.realm(["admin", "cache", "clear"], in: aperture)
        #expect(clear.status == 0, "\(clear)")
        stats = try Self.stats(box, in: aperture)
        #expect(stats["entries"] as? Int == 0 && stats["hits"] as? Int == 0 && stats["misses"] as? Int == 0, "\(stats)")
        #expect((stats["history"] as? [String: Any])?["files"] as? Int == 0, "the history index goes too")
        let after = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(after, "extract:").count == 1, "\(after.stderr)")
    }

    /// Every way an entry can be wrong on disk is a miss: the command extracts again, says
    /// nothing, and writes a good entry back.
    @Test func aDamagedOrForeignEntryIsAMiss() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try Self.largeStory(box)
        let good = try box.realm(["status"], in: aperture)
        #expect(good.status == 0)
        let dir = try Self.cacheDir(box, aperture) + "/value"
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(entries.count == 1, "\(entries)")
        let entry = dir + "/" + entries[0]
        let original = try Data(contentsOf: URL(fileURLWithPath: entry))
        let otherEntry = try Self.cacheDir(box, aperture) + "/drift/" + FileManager.default.contentsOfDirectory(atPath: Self.cacheDir(box, aperture) + "/drift")[0]
        var flipped = original
        flipped[flipped.count - 3] ^= 0x01
        let damages: [(String, Data)] = [
            ("truncated", original.prefix(original.count - 5)),
            ("empty", Data()),
            ("a flipped payload byte", flipped),
            ("another key's entry", try Data(contentsOf: URL(fileURLWithPath: otherEntry))),
            ("not an entry", Data("read: [evil/*]\n".utf8)),
            ("binary noise", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })),
        ]
        for (what, bytes) in damages {
            try bytes.write(to: URL(fileURLWithPath: entry))
            let result = try box.realm(["status"], in: aperture, environment: Self.trace)
            #expect(result.status == 0, "\(what): \(result)")
            #expect(Self.events(result, "extract:").count == 1, "\(what) is a miss: \(result.stderr)")
            #expect(result.stdout == good.stdout, "\(what)")
            #expect(!result.stderr.contains("error"), "\(what): \(result.stderr)")
            // Written back whole: the next one is a hit.
            let next = try box.realm(["status"], in: aperture, environment: Self.trace)
            #expect(Self.events(next, "extract:").isEmpty, "\(what): \(next.stderr)")
        }
        // A directory where the entry should be: a miss, and the command still works.
        try FileManager.default.removeItem(atPath: entry)
        try FileManager.default.createDirectory(atPath: entry, withIntermediateDirectories: false)
        let blocked = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(blocked.status == 0 && blocked.stdout == good.stdout, "\(blocked)")
    }

    /// Several status, check and sync --dry-run at once, on a cold cache and on entries being
    /// replaced: none fails, none reads a torn entry (each sees the value it would see alone).
    @Test func concurrentCommandsNeverSeeATornEntry() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, " + (0..<400).map { "p\($0)/*" }.joined(separator: ", ") + "]\nwrite: []\n")
        #expect(try box.realm(["status", "--fetch", "--no-cache"], in: aperture).status == 0)
        let expected = try box.realm(["status", "--no-cache"], in: aperture)
        #expect(expected.status == 0)
        for round in 0..<3 {
            if round > 0 { #expect(try box.realm(["admin", "cache", "clear"], in: aperture).status == 0) }
            let commands: [[String]] = Array(repeating: ["status"], count: 6) + [["sync", "--dry-run"], ["check", "--mode=exporter"], ["admin", "cache", "stats"]]
            let results = concurrently(box, commands, in: aperture)
            for (args, result) in zip(commands, results) {
                #expect(result.status == (args.first == "check" ? 1 : 0), "\(args): \(result)")
                if args == ["status"] { #expect(result.stdout == expected.stdout, "\(result)") }
            }
        }
        let stats = try Self.stats(box, in: aperture)
        #expect(Self.kind(stats, "value")["entries"] == 1, "\(stats)")
        let warm = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(warm, "extract:").isEmpty && warm.stdout == expected.stdout, "\(warm)")
    }

    /// Below 16 KiB, decoding a contract and comparing costs less than creating an entry:
    /// only the extracted value is cached, and a warm status still extracts nothing.
    @Test func smallContractsAndComparisonsAreNotCached() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        #expect(try box.realm(["status"], in: aperture).status == 0)
        let warm = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(warm, "extract:").isEmpty && !Self.events(warm, "cache hit: value").isEmpty, "\(warm.stderr)")
        #expect(Self.events(warm, "cache hit: contract").isEmpty && Self.events(warm, "cache hit: drift").isEmpty, "\(warm.stderr)")
        let stats = try Self.stats(box, in: aperture)
        #expect(Self.kind(stats, "value")["entries"] == 1, "\(stats)")
        #expect(Self.kind(stats, "contract")["entries"] == 0 && Self.kind(stats, "drift")["entries"] == 0, "\(stats)")
    }

    @Test func theCacheStaysWithinItsBoundsDroppingTheLeastRecentlyUsed() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        try box.git(["config", "realm.cacheMaxEntries", "4"], in: aperture)
        for i in 0..<8 {
            try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, p\(i)/*]\nwrite: []\n")
            #expect(try box.realm(["status"], in: aperture).status == 0)
            let stats = try Self.stats(box, in: aperture)
            // Evicted to three quarters of the bound by a command's first store; that command
            // then adds at most its other two.
            #expect((stats["entries"] as? Int ?? 99) <= 4 + 2, "round \(i): \(stats)")
            #expect(stats["max_entries"] as? Int == 4)
        }
        // The newest entries are the ones kept.
        let warm = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(warm, "extract:").isEmpty, "\(warm.stderr)")
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, p0/*]\nwrite: []\n")
        let oldest = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(oldest, "extract:").count == 1, "the oldest was dropped: \(oldest.stderr)")
        // A bound in bytes too.
        try box.git(["config", "realm.cacheMaxBytes", "1k"], in: aperture)
        try box.git(["config", "--unset", "realm.cacheMaxEntries"], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, " + (0..<100).map { "q\($0)/*" }.joined(separator: ", ") + "]\nwrite: []\n")
        #expect(try box.realm(["status"], in: aperture).status == 0)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, r/*]\nwrite: []\n")
        #expect(try box.realm(["status"], in: aperture).status == 0)
        let stats = try Self.stats(box, in: aperture)
        #expect((stats["bytes"] as? Int ?? 1 << 30) < 4096, "\(stats)")
    }

    @Test func realmCacheFalseTurnsItOffEverywhere() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        try box.git(["config", "realm.cache", "false"], in: aperture)
        for _ in 0..<2 {
            let result = try box.realm(["status"], in: aperture, environment: Self.trace)
            #expect(result.status == 0, "\(result)")
            #expect(Self.events(result, "extract:").count == 1 && Self.events(result, "cache ").isEmpty, "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: try Self.cacheDir(box, aperture)), "nothing written")
    }

    /// The pre-push hook reads the pushed commit's blobs: the same key as the working tree's
    /// when the content is the same, so the status after it extracts nothing.
    @Test func prePushAndStatusShareEntriesForTheSameContent() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeExportScenario()
        let log = box.path("trace.log")
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, models/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "models"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture, environment: ["GIT_REALM_TRACE": log])
        #expect(push.status != 0 && push.stderr.contains("+ models/*"), "\(push)")
        let firstLog = try box.read("trace.log")
        #expect(firstLog.contains("extract: export s3-permissions (file config/s3.yaml at "), "\(firstLog)")
        try box.write("trace.log", "")
        let again = try box.run("git", ["push", "origin", "main"], in: aperture, environment: ["GIT_REALM_TRACE": log])
        #expect(again.status != 0 && again.stderr.contains("+ models/*"), "the cached comparison blocks as well: \(again)")
        let secondLog = try box.read("trace.log")
        #expect(!secondLog.contains("extract:"), "\(secondLog)")
        let status = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(status, "extract:").isEmpty && status.stdout.contains("+ models/*"), "\(status)")
    }

    /// A command's value is keyed by its declared sources: a change elsewhere is a hit, a
    /// change to a source a miss.
    @Test func aCommandExportIsKeyedByItsSources() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        let gitrealm = try box.read("aperture/.gitrealm")
        #expect(gitrealm.contains("file = config/s3.yaml"), "\(gitrealm)")
        try box.write("aperture/.gitrealm", gitrealm.replacingOccurrences(of: "file = config/s3.yaml", with: "command = cat config/s3.yaml"))
        let cold = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(cold, "extract: export s3-permissions (command cat config/s3.yaml)").count == 1, "\(cold.stderr)")
        try box.write("aperture/README.md", "elsewhere\n")
        let warm = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(warm, "extract:").isEmpty, "\(warm.stderr)")
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, models/*]\nwrite: []\n")
        let changed = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(changed, "extract:").count == 1 && changed.stdout.contains("+ models/*"), "\(changed)")
        // The command itself is part of the key.
        try box.write("aperture/.gitrealm", gitrealm.replacingOccurrences(of: "file = config/s3.yaml", with: "command = cat ./config/s3.yaml"))
        let other = try box.realm(["status"], in: aperture, environment: Self.trace)
        #expect(Self.events(other, "extract:").count == 1, "\(other.stderr)")
    }

    /// Runs `commands` (git realm arguments) in `repo` all at once.
    func concurrently(_ box: Sandbox, _ commands: [[String]], in repo: String) -> [Sandbox.Result] {
        let results = Mutex<[Int: Sandbox.Result]>([:])
        DispatchQueue.concurrentPerform(iterations: commands.count) { i in
            let result = (try? box.realm(commands[i], in: repo)) ?? Sandbox.Result(status: -1, stdout: "", stderr: "spawn failed")
            results.withLock { $0[i] = result }
        }
        let all = results.withLock { $0 }
        return (0..<commands.count).map { all[$0]! }
    }
}
