import Foundation
import Testing

/// How `git realm sync` talks to the realm: it builds on the realm as last fetched and lets the
/// push's leases prove that state current (docs/sync.md, "One round trip"), and it writes to
/// the realm without running this repository's own hooks.
@Suite struct SyncRoundTripTests {
    /// aperture publishes 1.5.0; fungal acknowledges it (a realm write aperture has not fetched).
    static func staleExporter(_ box: Sandbox) throws -> (url: String, aperture: String, fungal: String, published: String) {
        let (url, aperture, fungal) = try SyncTests.story(box)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "experiments"], in: aperture)
        let publish = try box.realm(["sync"], in: aperture)
        #expect(publish.status == 0, "\(publish)")
        let published = try box.git(["--git-dir", url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let ack = try box.realm(["sync"], in: fungal)
        #expect(ack.status == 0, "\(ack)")
        #expect(try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml")?.contains("resolved_version: \"1.5.0\"") == true)
        return (url, aperture, fungal, published)
    }

    @Test func syncBuiltOnAStaleFetchIsRebuiltOnTheRealmsTip() throws {
        let box = try Sandbox()
        let (url, aperture, _, published) = try Self.staleExporter(box)
        let ackTip = try box.git(["--git-dir", url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // aperture's fetched realm is still its own 1.5.0 commit, before fungal's acknowledgement.
        #expect(try box.git(["rev-parse", "refs/realm/letemcook/main"], in: aperture).trimmingCharacters(in: .whitespacesAndNewlines) == published)

        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*, models/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "models"], in: aperture)
        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        #expect(sync.stdout.contains("s3-permissions: 1.5.0 → 1.6.0"))

        // The new version sits on top of the acknowledgement, which is kept, notes included.
        let tip = try box.git(["--git-dir", url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try box.git(["--git-dir", url, "rev-parse", "main~1"]).trimmingCharacters(in: .whitespacesAndNewlines) == ackTip)
        #expect(try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml")?.contains("version: \"1.6.0\"") == true)
        #expect(try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml")?.contains("resolved_version: \"1.5.0\"") == true)
        let ackNote = try box.git(["--git-dir", url, "notes", "--ref=realm", "show", published])
        #expect(ackNote.contains("\"kind\":\"acknowledgement\""), "the acknowledgement note survives")
        #expect(try box.git(["--git-dir", url, "notes", "--ref=realm", "show", tip]).contains("\"version\":\"1.6.0\""))
        // Its fetched realm is the realm now.
        #expect(try box.git(["rev-parse", "refs/realm/letemcook/main"], in: aperture).trimmingCharacters(in: .whitespacesAndNewlines) == tip)
        #expect(try box.run("git", ["--git-dir", url, "fsck", "--no-progress"]).status == 0)
    }

    /// A sync stores its new objects (contract blob, trees, commit, notes) as one pack, not as
    /// a loose file each, and git reads them like any others.
    @Test func syncWritesItsObjectsAsOnePack() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try SyncTests.story(box)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "experiments"], in: aperture)
        try box.git(["gc", "--quiet"], in: aperture)
        func counts() throws -> [String: Int] {
            var fields: [String: Int] = [:]
            for line in try box.git(["count-objects", "-v"], in: aperture).split(separator: "\n") {
                let parts = line.split(separator: ":")
                if parts.count == 2 { fields[String(parts[0])] = Int(parts[1].filter { $0 != " " }) }
            }
            return fields
        }
        let before = try counts()
        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        let after = try counts()
        #expect(after["count"] == before["count"], "no loose objects: \(before) -> \(after)")
        #expect(after["packs"] == (before["packs"] ?? 0) + 1)
        #expect((after["in-pack"] ?? 0) > (before["in-pack"] ?? 0))
        #expect(try box.run("git", ["fsck", "--no-progress", "--no-dangling"], in: aperture).status == 0)
        #expect(try box.git(["show", "refs/realm/letemcook/main:domains/s3-access/contracts/s3-permissions.yaml"], in: aperture)
                .contains("version: \"1.5.0\""))
        #expect(try box.git(["--git-dir", url, "notes", "--ref=realm", "show", "main"]).contains("\"version\":\"1.5.0\""))
    }

    /// A sync killed after its push landed but before it recorded the new tip here: run again
    /// within the same second it builds the very same commits, which git reports "up to date"
    /// without checking a lease. That proves nothing, so it fetches and finds nothing to do.
    @Test func syncWhoseChangeAlreadyLandedFindsNothingToDo() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try SyncTests.story(box)
        var sameSecond = false
        for round in 0..<10 where !sameSecond {
            let main = try box.git(["rev-parse", "refs/realm/letemcook/main"], in: aperture).trimmingCharacters(in: .whitespacesAndNewlines)
            let notes = try box.run("git", ["rev-parse", "--verify", "-q", "refs/realm/letemcook/notes/realm"], in: aperture).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, p\(round)]\nwrite: []\n")
            try box.git(["commit", "-qam", "p\(round)"], in: aperture)
            let began = time(nil)
            let first = try box.realm(["sync"], in: aperture)
            #expect(first.status == 0, "\(first)")
            let landed = try box.git(["--git-dir", url, "rev-parse", "main"])
            // Forget, here, that it landed.
            try box.git(["update-ref", "refs/realm/letemcook/main", main], in: aperture)
            if !notes.isEmpty { try box.git(["update-ref", "refs/realm/letemcook/notes/realm", notes], in: aperture) }
            let again = try box.realm(["sync", "--json"], in: aperture)
            sameSecond = time(nil) == began
            #expect(again.status == 0, "\(again)")
            let published = try box.json(again)["published"] as? [[String: Any]] ?? []
            #expect(published.isEmpty, "round \(round): already published, nothing to do: \(again.stdout)")
            #expect(try box.git(["--git-dir", url, "rev-parse", "main"]) == landed)
            #expect(try box.git(["rev-parse", "refs/realm/letemcook/main"], in: aperture) == landed)
        }
        #expect(sameSecond, "both runs never fell within one second: the case was not exercised")
    }

    @Test func syncWithNothingToWriteReportsTheRealmAsItIsNow() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try SyncTests.story(box)
        #expect(try box.realm(["sync"], in: fungal).status == 0)
        // aperture publishes; fungal has not fetched since.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "experiments"], in: aperture)
        #expect(try box.realm(["sync"], in: aperture).status == 0)
        let before = try box.git(["--git-dir", url, "rev-parse", "main"])

        let dry = try box.realm(["sync", "--dry-run", "--json"], in: fungal)
        #expect(dry.status == 0, "\(dry)")
        let imports = try #require(try box.json(dry)["imports"] as? [[String: Any]])
        #expect(imports.first?["status"] as? String == "stale", "\(dry.stdout)")
        #expect(imports.first?["to"] as? String == "1.5.0")
        #expect(try box.git(["--git-dir", url, "rev-parse", "main"]) == before, "--dry-run writes nothing")
    }

    @Test func realmWritesDoNotRunThisRepositorysPrePushHooks() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try SyncTests.story(box)
        // A team's own pre-push hook that refuses every push and leaves a mark.
        try box.write("team-hooks/pre-push", "#!/bin/sh\ntouch \"\(box.path("hook-ran"))\"\nexit 1\n")
        try box.run("chmod", ["+x", box.path("team-hooks/pre-push")])
        try box.git(["config", "core.hooksPath", box.path("team-hooks")], in: aperture)

        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "experiments"], in: aperture)
        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        #expect(try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml")?.contains("version: \"1.5.0\"") == true)
        #expect(!box.exists("hook-ran"), "the repository's pre-push hook guards its own pushes, not realm writes")
    }

    @Test func performanceTraceSaysWhereTheTimeWent() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        let quiet = try box.realm(["status", "--fetch"], in: aperture)
        #expect(quiet.status == 0, "\(quiet)")
        #expect(!quiet.stderr.contains("git-realm trace:"), "off unless asked for")

        let traced = try box.realm(["status", "--fetch"], in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        #expect(traced.status == 0, "\(traced)")
        let lines = traced.stderr.split(separator: "\n").filter { $0.hasPrefix("git-realm trace: ") }
        #expect(lines.contains { $0.contains("): git -C ") && $0.contains(" fetch ") }, "\(traced.stderr)")
        #expect(lines.contains { $0.contains("): libgit2 initialised") })
        #expect(lines.last?.contains("): command ran") == true)
        #expect(traced.stdout == quiet.stdout)

        // To a file, appended.
        let log = box.path("trace.log")
        for _ in 0..<2 {
            #expect(try box.realm(["status"], in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": log]).status == 0)
        }
        #expect(try box.read("trace.log").components(separatedBy: "): command ran").count == 3)
    }

    /// Whether the git-realm under test links an mbedTLS-built libgit2 (Debian's).
    static let libgit2UsesMbedTLS: Bool = {
        guard let box = try? Sandbox(), let libraries = try? box.run("ldd", [Sandbox.binary]) else { return false }
        return libraries.stdout.contains("libmbedx509")
    }()

    /// git-realm never uses libgit2's network transports, so an mbedTLS-built libgit2 (Debian's)
    /// starts without parsing the system CA bundle (Sources/CGit2Setup/ca_bundle.c).
    @Test(.enabled(if: libgit2UsesMbedTLS, "libgit2 is built with another TLS library than mbedTLS: no CA bundle to skip"))
    func libgit2StartsWithoutTheCABundleItNeverUses() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try SyncTests.story(box)
        let traced = try box.realm(["status"], in: aperture, environment: ["GIT_REALM_TRACE_PERFORMANCE": "1"])
        #expect(traced.stderr.contains("libgit2 initialised (CA bundle not parsed)"), "\(traced.stderr)")
    }
}
