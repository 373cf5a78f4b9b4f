import Foundation
import Testing

/// Hook shims are installed the git-lfs way.
@Suite struct HookInstallTests {
    @Test func installedHooksAreShimsThatRunGitRealm() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeScenario()
        let shim = try box.read("aperture/.git/hooks/pre-push")
        #expect(shim.hasPrefix("#!/bin/sh\n# git-realm hook shim"))
        #expect(shim.contains("exec git realm hook pre-push \"$@\""))
        // The shim in the source tree is the one installed.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("hooks")
        #expect(try String(contentsOf: source.appendingPathComponent("pre-push"), encoding: .utf8) == shim)
        #expect(try String(contentsOf: source.appendingPathComponent("post-merge"), encoding: .utf8) == box.read("aperture/.git/hooks/post-merge"))
        #expect(try String(contentsOf: source.appendingPathComponent("post-rewrite"), encoding: .utf8) == box.read("aperture/.git/hooks/post-rewrite"))
        // It runs: a push goes through it.
        try box.git(["init", "--quiet", "--bare", box.path("origin.git")])
        try box.git(["remote", "add", "origin", box.path("origin.git")], in: aperture)
        let push = try box.run("git", ["push", "--quiet", "origin", "main"], in: aperture)
        #expect(push.status == 0, "\(push)")
        // Without git-realm on PATH the shim says how to remove itself.
        let lost = try box.run("/bin/sh", [".git/hooks/post-merge"], in: aperture, environment: ["PATH": "/usr/bin:/bin"])
        #expect(lost.stderr.contains("'git-realm' was not found on your PATH"))
        #expect(lost.stderr.contains("remove this hook"))
    }

    @Test func honoursCoreHooksPath() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let repo = try box.makeRepo("aperture")
        try box.git(["config", "core.hooksPath", "githooks"], in: repo)
        #expect(try box.realm(["admin", "join", url], in: repo).status == 0)
        #expect(box.exists("aperture/githooks/pre-push"))
        #expect(!box.exists("aperture/.git/hooks/pre-push"))
        let removed = try box.realm(["hooks", "uninstall"], in: repo)
        #expect(removed.stdout.contains("pre-push: removed"))
        #expect(!box.exists("aperture/githooks/pre-push"))
    }

    @Test func foreignHookIsNeverOverwrittenWithoutForce() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let repo = try box.makeRepo("aperture")
        let foreign = "#!/bin/sh\necho mine\n"
        try box.write("aperture/.git/hooks/pre-push", foreign)
        let join = try box.realm(["admin", "join", url], in: repo)
        #expect(join.status == 5, "\(join)")
        #expect(join.stderr.contains("hook already exists"))
        #expect(join.stderr.contains("--manual"))
        // Nothing changed anywhere.
        #expect(try box.read("aperture/.git/hooks/pre-push") == foreign)
        #expect(!box.exists("aperture/.gitrealm"))
        #expect(try box.realmFile(url, "repos/aperture.yaml") == nil)

        let manual = try box.realm(["admin", "join", url, "--manual"], in: repo)
        #expect(manual.status == 0, "\(manual)")
        #expect(manual.stdout.contains("git realm hook pre-push \"$@\""))
        #expect(try box.read("aperture/.git/hooks/pre-push") == foreign)

        let install = try box.realm(["hooks", "install"], in: repo)
        #expect(install.status == 5)
        let uninstall = try box.realm(["hooks", "uninstall"], in: repo)
        #expect(uninstall.stdout.contains("pre-push: left alone"))
        #expect(try box.read("aperture/.git/hooks/pre-push") == foreign)

        let forced = try box.realm(["hooks", "install", "--force"], in: repo)
        #expect(forced.status == 0)
        #expect(forced.stdout.contains("pre-push: overwritten"))
        #expect(try box.read("aperture/.git/hooks/pre-push").contains("git-realm hook shim"))
        let twice = try box.realm(["hooks", "install"], in: repo)
        #expect(twice.stdout.contains("pre-push: already installed"))
    }
}
