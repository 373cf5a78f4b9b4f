import Foundation
import Testing

/// `git realm sync` under pressure: twenty repos writing one realm at the same moment, syncs
/// killed with SIGKILL at random points and run again, syncs that lose the race to write and
/// must re-apply their change. The realm must stay valid, linear and complete: every version
/// published exactly once, every notification kept.
///
/// Serialized: each test starts many processes of its own, and the machine may have two cores.
@Suite(.serialized) struct SyncStressTests {
    static let contractPath = "domains/s3-access/contracts/s3-permissions.yaml"

    // MARK: twenty at once

    @Test func twentyReposSyncAtTheSameMoment() throws {
        let clock = ContinuousClock()
        let began = clock.now
        let box = try Sandbox()
        let url = try box.makeRealm()
        let hub = try box.makeRepo("hub")
        ok(try box.realm(["admin", "join", url], in: hub), "hub joins")
        let numbers = (1...20).map { String(format: "%02d", $0) }
        for n in numbers {
            let repo = try box.makeRepo("repo-\(n)", files: ["config/value.yaml": Stress.value(["a"])])
            ok(try box.realm(["admin", "join", url], in: repo), "repo-\(n) joins")
            ok(try box.realm(["admin", "domain", "create", "d-\(n)", "--repos", "repo-\(n),hub", "--contract", "c-\(n)"], in: repo),
               "domain d-\(n)")
            ok(try box.realm(["export", "c-\(n)", "--source", "config/value.yaml", "--from-file", "config/value.yaml"], in: repo),
               "repo-\(n) exports c-\(n)")
        }
        for n in numbers {
            try box.write("repo-\(n)/config/value.yaml", Stress.value(["a", "b-\(n)"]))
            try box.git(["commit", "--quiet", "-am", "add a read path"], in: "repo-\(n)")
        }
        let before = try Stress.tip(box, url)
        let setUp = clock.now - began

        // All twenty at once: each builds on the tip it fetched; those whose push finds the realm
        // moved fetch again and re-apply (a few land per round: the last need some 9 attempts).
        let runs = try numbers.map { try Launched(box, "git", ["realm", "sync", "--json"], in: "repo-\($0)") }
        let results = runs.map { $0.wait() }
        print("twentyReposSyncAtTheSameMoment: set up in \(setUp), twenty syncs took \(clock.now - began - setUp)")

        for (n, result) in zip(numbers, results) {
            #expect(result.status == 0, "repo-\(n): \(result)")
            guard result.status == 0 else { continue }
            let published = try box.json(result)["published"] as? [[String: Any]] ?? []
            #expect(published.count == 1, "repo-\(n) publishes once: \(result.stdout)")
            #expect(published.first?["contract"] as? String == "c-\(n)")
            #expect(published.first?["to"] as? String == "1.1.0", "adding a read path is a minor bump")
        }
        for n in numbers {
            let contract = try #require(try box.realmFile(url, "domains/d-\(n)/contracts/c-\(n).yaml"))
            #expect(Stress.version(of: contract) == "1.1.0", "c-\(n) at main: \(contract)")
            #expect(contract.contains("- b-\(n)"), "c-\(n) carries its new value")
        }

        // History: linear, one commit per sync, each touching its own contract only.
        #expect(try box.git(["--git-dir", url, "rev-list", "--merges", "--count", "main"]).trimmed == "0")
        let subjects = try box.git(["--git-dir", url, "log", "--format=%s", "\(before)..main"]).lines
        #expect(subjects.sorted() == numbers.map { "repo-\($0): sync (c-\($0) 1.0.0 -> 1.1.0)" }, "\(subjects)")
        let touched = try box.git(["--git-dir", url, "log", "--format=", "--name-only", "\(before)..main"]).lines
        #expect(touched.sorted() == numbers.map { "domains/d-\($0)/contracts/c-\($0).yaml" })
        #expect(try box.run("git", ["--git-dir", url, "fsck", "--no-progress"]).status == 0)

        // Notes: one notification per sync for hub, each on the commit that published it.
        let notes = try Stress.notes(box, url)
        let notifications = notes.filter { $0.record["kind"] as? String == "notification" }
        #expect(notifications.count == 20, "\(notes.map(\.record))")
        let publishing = try Stress.subjectsByCommit(box, url)
        for n in numbers {
            let mine = notifications.filter { $0.record["contract"] as? String == "c-\(n)" }
            #expect(mine.count == 1, "c-\(n): \(mine.map(\.record))")
            #expect(mine.first?.record["to"] as? String == "hub")
            #expect(mine.first?.record["version"] as? String == "1.1.0")
            #expect(mine.first.flatMap { publishing[$0.commit] }?.hasPrefix("repo-\(n): sync") == true,
                    "c-\(n)'s notification is on repo-\(n)'s sync commit")
        }

        // The consumer catches up with all twenty; the realm reads cleanly.
        let caughtUp = ok(try box.realm(["sync", "--json"], in: hub), "hub syncs")
        let imports = try box.json(caughtUp)["imports"] as? [[String: Any]] ?? []
        #expect(imports.filter { $0["acknowledged"] as? Bool == true && $0["to"] as? String == "1.1.0" }.count == 20,
                "\(caughtUp.stdout)")
        let acks = try Stress.notes(box, url).filter { $0.record["kind"] as? String == "acknowledgement" }
        #expect(acks.count == 20)
        ok(try box.realm(["status", "--fetch", "--json"], in: hub), "status reads the realm")
    }

    @Test func exporterAndImporterSyncAtTheSameMoment() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeScenario()
        let gate = Gate(box, "aperture")
        try box.write("aperture/config/s3.yaml", Stress.value(["r0"]))
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "s3 config"], in: aperture)
        ok(try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml",
                          "--command", gate.command(printing: "config/s3.yaml")], in: aperture), "export")
        var minor = 0
        for round in 1...3 {
            // aperture publishes a version fungal has not seen yet ...
            try Stress.commitValue(box, "aperture/config/s3.yaml", Stress.value((0...(2 * round - 1)).map { "r\($0)" }))
            ok(try box.realm(["sync"], in: aperture), "round \(round): aperture publishes")
            minor += 1
            let earlier = "1.\(minor).0", next = "1.\(minor + 1).0"
            // ... then publishes the next one while fungal acknowledges the earlier one. In round 1
            // aperture holds after its fetch until fungal has written: its push must lose and re-apply.
            try Stress.commitValue(box, "aperture/config/s3.yaml", Stress.value((0...(2 * round)).map { "r\($0)" }))
            let forced = round == 1
            if forced { try gate.arm() }
            let publish = try Launched(box, "git", ["realm", "sync", "--json"], in: "aperture")
            var acknowledge: Sandbox.Result
            if forced {
                #expect(gate.awaitWaiting(), "aperture reached its gate")
                acknowledge = try box.realm(["sync", "--json"], in: fungal)
                try gate.open()
            } else {
                acknowledge = try Launched(box, "git", ["realm", "sync", "--json"], in: "fungal-image-analysis").wait()
            }
            let published = publish.wait()
            try gate.reset()
            #expect(published.status == 0, "round \(round) aperture: \(published)")
            #expect(acknowledge.status == 0, "round \(round) fungal: \(acknowledge)")
            guard published.status == 0, acknowledge.status == 0 else { return }
            minor += 1

            let p = try box.json(published)["published"] as? [[String: Any]] ?? []
            #expect(p.count == 1 && p.first?["from"] as? String == earlier && p.first?["to"] as? String == next, "\(published.stdout)")
            let acked = (try box.json(acknowledge)["imports"] as? [[String: Any]] ?? []).filter { $0["acknowledged"] as? Bool == true }
            #expect(acked.count == 1, "\(acknowledge.stdout)")
            let ackedVersion = acked.first?["to"] as? String ?? "?"
            if forced { #expect(ackedVersion == earlier, "fungal wrote first, so it acknowledged the earlier version") }
            #expect([earlier, next].contains(ackedVersion))

            // Both landed: the contract at the new version, fungal's binding at what it acknowledged.
            #expect(Stress.version(of: try box.realmFile(url, Self.contractPath) ?? "") == next)
            let binding = try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml") ?? ""
            #expect(binding.contains("resolved_version: \"\(ackedVersion)\""), "\(binding)")
            let recent = try box.git(["--git-dir", url, "log", "--format=%s", "-2", "main"]).lines
            #expect(recent.contains { $0.hasPrefix("aperture: sync (s3-permissions \(earlier) -> \(next))") }, "\(recent)")
            #expect(recent.contains { $0.hasPrefix("fungal-image-analysis: sync (ack s3-permissions \(ackedVersion))") }, "\(recent)")
            if forced {
                #expect(recent.first?.hasPrefix("aperture: sync") == true, "aperture's change was re-applied on top of fungal's")
            }
            let notes = try Stress.notes(box, url).map(\.record)
            #expect(notes.filter { $0["kind"] as? String == "notification" && $0["version"] as? String == next }.count == 1)
            #expect(notes.contains { $0["kind"] as? String == "acknowledgement" && $0["version"] as? String == ackedVersion
                && $0["from"] as? String == "fungal-image-analysis" })
        }
        #expect(try box.git(["--git-dir", url, "rev-list", "--merges", "--count", "main"]).trimmed == "0")
        #expect(try box.run("git", ["--git-dir", url, "fsck", "--no-progress"]).status == 0)
    }

    // MARK: killed

    @Test func syncKilledAtRandomPointsThenRunAgain() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeScenario()
        try box.write("aperture/config/s3.yaml", Stress.value(["p0"]))
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "s3 config"], in: aperture)
        ok(try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml"], in: aperture),
           "export")
        let start = try Stress.tip(box, url)

        // One sync run to its end, to see how long a sync takes here (a debug build on a busy
        // machine is slower): the kills below spread over that time and a little after it.
        try Stress.commitValue(box, "aperture/config/s3.yaml", Stress.value(["p0", "p1"]))
        let clock = ContinuousClock()
        let began = clock.now
        ok(try box.realm(["sync"], in: aperture), "first sync")
        let elapsed = clock.now - began
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let window = min(300, max(30, Int(milliseconds * 1.25)))
        let rounds = Int(ProcessInfo.processInfo.environment["SYNC_STRESS_KILL_ROUNDS"] ?? "") ?? 10
        var outcomes: [String] = []

        // Kills that landed while the sync's write to the realm was in flight: its `git push` to
        // the realm was running (not yet exited) at the moment of the kill.
        var duringWrite: [Int] = []
        var aimed: [Int] = []

        for i in 0..<rounds {
            let old = "1.\(i + 1).0", new = "1.\(i + 2).0"
            try Stress.commitValue(box, "aperture/config/s3.yaml", Stress.value((0...(i + 2)).map { "p\($0)" }))
            // Rounds 0, 1 | 2, 3 | ... kill the sync alone (its git children run on, orphaned), then
            // the sync with every client-side process under it (fetch, push, hook), as a crash of
            // the whole tree would. The realm's own receive-pack is left alone, as a server would
            // be. Even rounds kill after a random delay in the i-th slice of the window: before
            // the fetch, during it, while building the commit, during the push, after it, after
            // the process has exited. Odd rounds aim at the write: they kill as soon as the sync's
            // push to the realm is seen running, or a little later.
            let tree = (i / 2) % 2 == 1
            let aim = i % 2 == 1
            let slice = max(1, window / rounds)
            let delay = aim ? (i / 2) % 3 : Int.random(in: (i * slice)..<((i + 1) * slice))
            // The binary itself (not `git realm`), so the pid killed is the sync's.
            let sync = try Launched(box, "git-realm", ["sync"], in: "aperture")
            var shot = ProcessTable.Shot(phase: "exited", pushing: false, receiving: false)
            if aim {
                aimed.append(i)
                if ProcessTable.awaitPush(of: sync) { usleep(UInt32(delay * 1000)) }
            } else {
                usleep(UInt32(delay * 1000))
            }
            if sync.process.isRunning { shot = ProcessTable.freezeAndKill(sync, tree: tree) }
            if shot.pushing { duringWrite.append(i) }
            let killed = sync.wait()
            #expect(ProcessTable.awaitGone(marker: sync.marker), "round \(i): processes of the killed sync ended")
            let context = "round \(i) (killed \(tree ? "tree" : "process") \(aim ? "\(delay) ms after its push began" : "after \(delay) ms"), during \(shot.phase)\(shot.receiving ? " (the realm receiving)" : ""), \(killed.status < 0 ? "by SIGKILL" : "exit \(killed.status)"))"

            // The realm: valid, at the old or the new version, never in between.
            #expect(try box.run("git", ["--git-dir", url, "fsck", "--no-progress"]).status == 0, "\(context): realm fsck")
            let contract = try #require(try box.realmFile(url, Self.contractPath), "\(context)")
            let version = Stress.version(of: contract)
            #expect(version == old || version == new, "\(context): \(contract)")
            if version == new { #expect(contract.contains("- p\(i + 2)"), "\(context): the new version has its value") }
            if version == old { #expect(!contract.contains("- p\(i + 2)"), "\(context): the old version kept its value") }
            let status = try box.realm(["status", "--fetch", "--json"], in: fungal)
            #expect(status.status == 0, "\(context): the realm decodes: \(status)")
            outcomes.append("\(aim ? "push+" : "")\(delay) ms \(tree ? "tree" : "process") \(shot.phase)\(shot.receiving ? "+receiving" : "") \(killed.status < 0 ? "killed" : "finished") -> \(version == new ? "landed" : "not landed")")

            // The participant: valid, no temporary files; a git command that takes locks works.
            #expect(try box.run("git", ["fsck", "--no-progress"], in: aperture).status == 0, "\(context): aperture fsck")
            #expect(try box.run("git", ["status", "--porcelain"], in: aperture).status == 0, "\(context): git status")
            let leftovers = Stress.files(under: aperture) { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "\(context): temporary files left: \(leftovers)")
            // A lock file left behind must be harmless: the sync below takes the same locks.
            let locks = Stress.files(under: aperture + "/.git") { $0.hasSuffix(".lock") }
            if !locks.isEmpty { outcomes.append("locks left: \(locks)") }

            // Run again: it completes, and the version went up exactly once.
            let again = try box.realm(["sync", "--json"], in: aperture)
            #expect(again.status == 0, "\(context): sync again: \(again)")
            let republished = try box.json(again)["published"] as? [[String: Any]] ?? []
            if version == new {
                #expect(republished.isEmpty, "\(context): already published, nothing to do: \(again.stdout)")
            } else {
                #expect(republished.count == 1 && republished.first?["to"] as? String == new, "\(context): \(again.stdout)")
            }
            let after = try #require(try box.realmFile(url, Self.contractPath))
            #expect(Stress.version(of: after) == new, "\(context): \(after)")
            #expect(after.components(separatedBy: "- version: \"\(new)\"").count == 2, "\(context): one evolution entry for \(new)")
            let notified = try Stress.notes(box, url).filter {
                $0.record["kind"] as? String == "notification" && $0.record["version"] as? String == new
            }
            #expect(notified.count == 1, "\(context): one notification for \(new): \(notified.map(\.record))")
        }

        // The kills hit the write itself: every round aimed at the push killed the sync while its
        // push to the realm was running, but for a push too short to catch (one in four at most).
        #expect(duringWrite.count >= aimed.count - aimed.count / 4,
                "kills during the realm write: rounds \(duringWrite), aimed: \(aimed); \(outcomes)")

        // One commit per sync, one after the other; fungal catches up with the last.
        #expect(try box.git(["--git-dir", url, "rev-list", "--count", "\(start)..main"]).trimmed == "\(rounds + 1)")
        #expect(try box.git(["--git-dir", url, "rev-list", "--merges", "--count", "main"]).trimmed == "0")
        #expect(try Stress.notes(box, url).filter { $0.record["kind"] as? String == "notification" }.count == rounds + 1)
        let caughtUp = ok(try box.realm(["sync", "--json"], in: fungal), "fungal syncs")
        let acked = (try box.json(caughtUp)["imports"] as? [[String: Any]] ?? []).filter { $0["acknowledged"] as? Bool == true }
        #expect(acked.map { $0["to"] as? String } == ["1.\(rounds + 1).0"], "\(caughtUp.stdout)")
        print("syncKilledAtRandomPoints (a sync took \(elapsed); \(duringWrite.count) of \(rounds) kills during the realm write): "
              + outcomes.joined(separator: "; "))
    }

    /// SIGKILL between creating a fetched ref's lock file and renaming it into place (git fetch
    /// updating refs/realm/<realm>/*, or git-realm setting them after its push) leaves the lock
    /// behind. That window is microseconds wide and the random kills above do not hit it, so the
    /// lock is made here by hand, as such a kill leaves it: an empty `<ref>.lock`.
    @Test func lockLeftOnAFetchedRealmRefDoesNotBlockTheNextSync() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeScenario()
        try box.write("aperture/config/s3.yaml", Stress.value(["p0"]))
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "s3 config"], in: aperture)
        ok(try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml"], in: aperture),
           "export")
        try Stress.commitValue(box, "aperture/config/s3.yaml", Stress.value(["p0", "p1"]))
        ok(try box.realm(["sync"], in: aperture), "first sync (the fetched notes ref exists from now on)")

        let refs = aperture + "/.git/refs/realm/letemcook/"
        // main: the next fetch must update it. notes: the next fetch has nothing to update there,
        // but the sync sets it after its push. A lock left long ago, and one left just now.
        for (round, (lock, age)) in [("main.lock", 600.0), ("notes/realm.lock", 0.0)].enumerated() {
            let new = "1.\(round + 2).0"
            try Stress.commitValue(box, "aperture/config/s3.yaml", Stress.value((0...(round + 2)).map { "p\($0)" }))
            #expect(box.exists(refs + String(lock.dropLast(".lock".count))), "\(lock): the ref exists as a loose ref")
            try box.write(refs + lock, "")
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: refs + lock)
            let again = try box.realm(["sync", "--json"], in: aperture)
            #expect(again.status == 0, "\(lock) left behind: \(again)")
            #expect(!box.exists(refs + lock), "\(lock) was removed")
            #expect(Stress.version(of: try box.realmFile(url, Self.contractPath) ?? "") == new)
            #expect(try box.git(["rev-parse", "refs/realm/letemcook/main"], in: aperture) == (try box.git(["--git-dir", url, "rev-parse", "main"])),
                    "\(lock): the fetched realm is the realm")
        }
        #expect(try box.run("git", ["fsck", "--no-progress"], in: aperture).status == 0)
    }

    // MARK: lost races

    @Test func syncThatLosesTheRaceIsReapplied() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let hub = try box.makeRepo("hub")
        ok(try box.realm(["admin", "join", url], in: hub), "hub joins")
        let names = ["alpha", "beta"]
        var gates: [String: Gate] = [:]
        for name in names {
            let repo = try box.makeRepo(name, files: ["config/value.yaml": Stress.value([name])])
            ok(try box.realm(["admin", "join", url], in: repo), "\(name) joins")
            ok(try box.realm(["admin", "domain", "create", "d-\(name)", "--repos", "\(name),hub", "--contract", "c-\(name)"], in: repo),
               "domain d-\(name)")
            let gate = Gate(box, name)
            gates[name] = gate
            ok(try box.realm(["export", "c-\(name)", "--source", "config/value.yaml",
                              "--command", gate.command(printing: "config/value.yaml")], in: repo), "\(name) exports")
        }
        let start = try Stress.tip(box, url)

        for round in 1...5 {
            let loser = names[round % 2], winner = names[(round + 1) % 2]
            for name in names {
                try Stress.commitValue(box, "\(name)/config/value.yaml", Stress.value((0...round).map { "\(name)-\($0)" }))
            }
            let old = "1.\(round - 1).0", new = "1.\(round).0"
            // The loser fetches, then holds while the winner writes; its push then finds the realm moved.
            let gate = try #require(gates[loser])
            try gate.arm()
            let slow = try Launched(box, "git", ["realm", "sync", "--json"], in: loser)
            #expect(gate.awaitWaiting(), "round \(round): \(loser) reached its gate")
            let fast = try box.realm(["sync", "--json"], in: winner)
            try gate.open()
            let late = slow.wait()
            try gate.reset()
            #expect(fast.status == 0, "round \(round) \(winner): \(fast)")
            #expect(late.status == 0, "round \(round) \(loser): \(late)")
            guard fast.status == 0, late.status == 0 else { return }

            let winnerCommit = try box.json(fast)["commit"] as? String
            let loserCommit = try box.json(late)["commit"] as? String
            #expect(loserCommit == (try Stress.tip(box, url)), "round \(round): the loser's commit is main")
            #expect(try box.git(["--git-dir", url, "rev-parse", "\(loserCommit ?? "HEAD")^"]).trimmed == winnerCommit,
                    "round \(round): the loser's change was re-applied on top of the winner's")
            for name in names {
                let contract = try box.realmFile(url, "domains/d-\(name)/contracts/c-\(name).yaml") ?? ""
                #expect(Stress.version(of: contract) == new, "round \(round): c-\(name) \(old) -> \(new): \(contract)")
                #expect(contract.contains("- \(name)-\(round)"))
            }
        }
        let subjects = try box.git(["--git-dir", url, "log", "--format=%s", "\(start)..main"]).lines
        #expect(subjects.count == 10, "\(subjects)")
        for name in names {
            for round in 1...5 {
                #expect(subjects.contains("\(name): sync (c-\(name) 1.\(round - 1).0 -> 1.\(round).0)"), "\(name) round \(round)")
            }
        }
        #expect(try box.git(["--git-dir", url, "rev-list", "--merges", "--count", "main"]).trimmed == "0")
        #expect(try Stress.notes(box, url).filter { $0.record["kind"] as? String == "notification" }.count == 10)
        #expect(try box.run("git", ["--git-dir", url, "fsck", "--no-progress"]).status == 0)
    }
}

// MARK: - helpers

@discardableResult
private func ok(_ result: Sandbox.Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Sandbox.Result {
    #expect(result.status == 0, "\(what): \(result)", sourceLocation: sourceLocation)
    return result
}

private enum Stress {
    static func value(_ reads: [String]) -> String {
        "read:\n" + reads.map { "  - \($0)\n" }.joined() + "write: []\n"
    }

    static func commitValue(_ box: Sandbox, _ file: String, _ text: String) throws {
        try box.write(file, text)
        let repo = String(file.prefix { $0 != "/" })
        try box.git(["commit", "--quiet", "-am", "change \(file)"], in: repo)
    }

    static func tip(_ box: Sandbox, _ url: String) throws -> String {
        try box.git(["--git-dir", url, "rev-parse", "main"]).trimmed
    }

    /// The `version:` of a contract file (the top-level one, not an evolution entry's).
    static func version(of contract: String) -> String? {
        for line in contract.split(separator: "\n") where line.hasPrefix("version: ") {
            return line.dropFirst("version: ".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// Every line of every note in the realm's `refs/notes/realm`, with the commit it annotates.
    static func notes(_ box: Sandbox, _ url: String) throws -> [(commit: String, record: [String: Any])] {
        var records: [(commit: String, record: [String: Any])] = []
        for entry in try box.git(["--git-dir", url, "notes", "--ref=realm", "list"]).lines {
            let parts = entry.split(separator: " ").map(String.init)
            guard parts.count == 2 else { continue }
            for line in try box.git(["--git-dir", url, "cat-file", "-p", parts[0]]).lines {
                let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                records.append((parts[1], record))
            }
        }
        return records
    }

    static func subjectsByCommit(_ box: Sandbox, _ url: String) throws -> [String: String] {
        var subjects: [String: String] = [:]
        for line in try box.git(["--git-dir", url, "log", "--format=%H %s", "main"]).lines {
            let hash = String(line.prefix(40))
            subjects[hash] = String(line.dropFirst(41))
        }
        return subjects
    }

    /// Paths under `root` (recursively, hidden files included) whose name satisfies `match`.
    static func files(under root: String, _ match: (String) -> Bool) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let path = walker.nextObject() as? String {
            if match((path as NSString).lastPathComponent) { found.append(path) }
        }
        return found
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    fileprivate var lines: [String] { split(separator: "\n").map(String.init) }
}

/// A gate in an export command: while armed, the command (run by `sync` after it fetched the
/// realm, before it pushes) says it is waiting and holds until the test opens the gate. So a
/// test can make another write land in between, and this sync's push lose the race.
private struct Gate {
    let box: Sandbox
    let base: String

    init(_ box: Sandbox, _ name: String) {
        self.box = box
        base = box.path("gates/\(name)")
        try? FileManager.default.createDirectory(atPath: box.path("gates"), withIntermediateDirectories: true)
    }

    /// Prints `file`; held at the gate while it is armed (for at most 30 s).
    func command(printing file: String) -> String {
        "if [ -e '\(base).armed' ]; then : > '\(base).waiting'; i=0; "
            + "while [ ! -e '\(base).open' ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i+1)); done; fi; cat \(file)"
    }

    func arm() throws { try box.write(base + ".armed", "") }
    func open() throws { try box.write(base + ".open", "") }
    func reset() throws {
        for suffix in [".armed", ".waiting", ".open"] { try? FileManager.default.removeItem(atPath: base + suffix) }
    }

    /// Waits (at most 60 s) until the command is held at the gate.
    func awaitWaiting() -> Bool {
        for _ in 0..<6000 {
            if box.exists(base + ".waiting") { return true }
            usleep(10_000)
        }
        return false
    }
}

/// A process started without waiting for it. Its output goes to files, so twenty of them never
/// block on pipes; its environment carries a marker every process it starts inherits.
private final class Launched: @unchecked Sendable {
    static let markerKey = "GIT_REALM_STRESS_MARKER"
    let process = Process()
    let marker: String
    private let outPath: String
    private let errPath: String

    init(_ box: Sandbox, _ executable: String, _ arguments: [String], in directory: String) throws {
        let id = String(UUID().uuidString.prefix(8))
        marker = "stress-\(id)"
        try FileManager.default.createDirectory(atPath: box.path("logs"), withIntermediateDirectories: true)
        outPath = box.path("logs/\(id).out")
        errPath = box.path("logs/\(id).err")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: box.path(directory))
        var environment = box.environment
        environment[Self.markerKey] = marker
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }

    /// Waits for the process; a process killed by a signal reports `-signal` as its status.
    func wait() -> Sandbox.Result {
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
        return Sandbox.Result(status: status,
                              stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                              stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

/// The processes of this user, read from /proc.
private enum ProcessTable {
    struct Entry {
        var pid: pid_t
        var parent: pid_t
    }

    static func entries() -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { name -> Entry? in
            guard let pid = pid_t(name), let stat = read("/proc/\(name)/stat"),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, fields[0] != "Z", let parent = pid_t(fields[1]) else { return nil }
            return Entry(pid: pid, parent: parent)
        }
    }

    static func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        // readDataToEndOfFile traps when the process vanishes mid-read; readToEnd throws.
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The realm's side of a local transport (git-upload-pack, git-receive-pack): a server, not
    /// part of the client that is killed.
    /// git runs it as `git-receive-pack`, as `git receive-pack`, or through `sh -c` (its
    /// spelling of a local transport): each form is the server's, and killing one of them
    /// would leave the realm's own ref locks behind, as no client kill can on a real server.
    static func isServerSide(_ pid: pid_t) -> Bool {
        let command = commandLine(pid)
        let name = command.first.map { ($0 as NSString).lastPathComponent } ?? ""
        let servers = ["git-upload-pack", "git-receive-pack"]
        if servers.contains(name) { return true }
        if name == "git", command.count > 1, ["upload-pack", "receive-pack"].contains(command[1]) { return true }
        if name == "sh", command.count > 2, command[1] == "-c" {
            return servers.contains { command[2].hasPrefix($0) || command[2].contains(" \($0) ") }
        }
        return false
    }

    static func commandLine(_ pid: pid_t) -> [String] {
        read("/proc/\(pid)/cmdline")?.split(separator: "\0").map(String.init) ?? []
    }

    /// What a sync was doing when it was killed, seen while it and (for a tree kill) its client
    /// processes were stopped, so nothing moved on between the look and the kill.
    struct Shot {
        /// push, fetch, ls-remote (a git child of the sync running), or "its own work".
        var phase: String
        /// The sync's `git push` to the realm was running: the realm write was in flight.
        var pushing: Bool
        /// The realm's git-receive-pack for that push was running.
        var receiving: Bool
    }

    /// Waits (at most 60 s) until the sync runs `git push`; false when it exits first.
    static func awaitPush(of sync: Launched) -> Bool {
        while sync.process.isRunning {
            let children = entries().filter { $0.parent == sync.pid }
            if children.contains(where: { commandLine($0.pid).contains("push") }) { return true }
            usleep(500)
        }
        return false
    }

    /// SIGSTOPs the sync (and, for `tree`, every client process under it), looks at what runs
    /// under it, then SIGKILLs what it stopped. A child that exits meanwhile stays a zombie of the
    /// stopped sync, and zombies do not count as running.
    static func freezeAndKill(_ sync: Launched, tree: Bool) -> Shot {
        let victims = tree ? clientTree(of: sync.pid) : [sync.pid]
        for pid in victims { kill(pid, SIGSTOP) }
        let all = entries()
        let children = all.filter { $0.parent == sync.pid }.map { commandLine($0.pid) }
        let phase = ["push", "fetch", "ls-remote"].first { verb in children.contains { $0.contains(verb) } } ?? "its own work"
        let needle = "\(Launched.markerKey)=\(sync.marker)"
        let receiving = all.contains { entry in
            isReceivePack(entry.pid)
                && (read("/proc/\(entry.pid)/environ")?.split(separator: "\0").contains { $0 == needle } ?? false)
        }
        for pid in victims { kill(pid, SIGKILL) }
        return Shot(phase: phase, pushing: phase == "push", receiving: receiving)
    }

    static func isReceivePack(_ pid: pid_t) -> Bool {
        let command = commandLine(pid)
        return command.first.map { ($0 as NSString).lastPathComponent } == "git-receive-pack"
            || command.prefix(2) == ["git", "receive-pack"]
    }

    /// `root` and every process under it, except the server side of a local transport and what
    /// runs under that.
    static func clientTree(of root: pid_t) -> [pid_t] {
        let children = Dictionary(grouping: entries(), by: \.parent)
        var victims = [root], queue = [root]
        while let pid = queue.popLast() {
            for child in children[pid] ?? [] where !isServerSide(child.pid) {
                victims.append(child.pid)
                queue.append(child.pid)
            }
        }
        return victims
    }

    /// Waits (at most 60 s) until no live process carries `marker` in its environment.
    static func awaitGone(marker: String) -> Bool {
        let needle = "\(Launched.markerKey)=\(marker)"
        for _ in 0..<3000 {
            let alive = entries().contains { entry in
                read("/proc/\(entry.pid)/environ")?.split(separator: "\0").contains { $0 == needle } ?? false
            }
            if !alive { return true }
            usleep(20_000)
        }
        return false
    }
}
