import Foundation
import Testing

@Suite struct DemoTests {
    @Test func demoWalksTheScenarioAndKeepsItWhenAsked() throws {
        let box = try Sandbox()
        let kept = box.path("kept")
        let demo = try box.realm(["demo", "--keep", kept])
        #expect(demo.status == 0, "\(demo)")
        #expect(demo.stdout.contains("$ git realm admin init realm.git --name letemcook"))
        #expect(demo.stdout.contains("\n\n# Create the realm\n"), "a blank line, then the step's note")
        #expect(!demo.stdout.contains("\\n#"), "no escaped newline")
        #expect(demo.stdout.contains("aperture -> (s3-access) -> fungal-image-analysis"))
        #expect(demo.stdout.contains("error: push blocked: export 's3-permissions'"))
        #expect(demo.stdout.contains("s3-permissions: 1.4.0 → 1.5.0 (compatible, minor bump)"))
        #expect(demo.stdout.contains("Stale import: s3-permissions 1.5.0 available"))
        #expect(demo.stdout.contains("✓ Acknowledged s3-permissions 1.5.0"))
        // A session in status (the seeds' "Active sessions"), and one event printed by watch.
        #expect(demo.stdout.contains("Active sessions:\n    • aperture (you) - working on training-metrics-v2\n"))
        #expect(demo.stdout.contains("    • aperture - working on training-metrics-v2\n"), "fungal-image-analysis sees it")
        #expect(demo.stdout.contains("Watching realm 'letemcook' for fungal-image-analysis"))
        #expect(demo.stdout.contains("  🔔 aperture: Contract 's3-permissions' updated to 1.5.0: + training-metrics/experiments/*\n"))
        #expect(demo.stdout.contains("fungal-image-analysis acknowledged s3-permissions 1.5.0"))
        #expect(demo.stdout.contains("adding this domain creates a cycle"))
        // The coordinated change, on the git-native forge.
        #expect(demo.stdout.contains("✓ aperture: created \(kept)/aperture/.worktrees/feat-training-metrics-v2"), "\(demo)")
        #expect(demo.stdout.contains("✓ aperture PR #1 created (merge first - exports)"), "\(demo)")
        #expect(demo.stdout.contains("✓ fungal-image-analysis PR #1 created (merge second - imports)"), "\(demo)")
        #expect(demo.stdout.contains("Merge order: aperture#1 → fungal-image-analysis#1"), "\(demo)")
        #expect(demo.stdout.contains("• fungal-image-analysis PR #1 open (merge second - imports) - waiting for aperture#1 to merge"), "\(demo)")
        #expect(demo.stdout.contains("✓ fungal-image-analysis PR #1 merged"), "\(demo)")
        #expect(demo.stdout.contains(" feat: training metrics v2\n"), "fungal-image-analysis's main has the change: \(demo)")
        #expect(demo.stdout.hasSuffix("The realm and repos are in \(kept)\n"))
        #expect(demo.stdout.contains("Demo finished: every step behaved."))
        #expect(box.exists("kept/aperture/.gitrealm"))
        #expect(box.exists("kept/realm.git/HEAD"))
        // The demo had its own HOME: the user's global config is untouched.
        #expect(try box.run("git", ["config", "--global", "--get-regexp", "^realm\\."]).stdout.isEmpty)

        let again = try box.realm(["demo", "--keep", kept])
        #expect(again.status == 2, "a non-empty --keep directory is refused")
    }

    /// The seeds' story in a realm that requires signed commits, with a key made by ssh-keygen:
    /// every write signed, history verified, a forged push refused by the realm's server.
    @Test func signedDemo() throws {
        let box = try Sandbox()
        let demo = try box.realm(["demo", "--signed"])
        #expect(demo.status == 0, "\(demo)")
        #expect(demo.stdout.contains("--require-signed-commits"))
        #expect(demo.stdout.contains("realm commit(s) verified"), "\(demo)")
        #expect(demo.stdout.contains("by mallory@example.com is not signed"), "\(demo)")
        #expect(demo.stdout.contains("Demo finished: every step behaved."))
    }
}
