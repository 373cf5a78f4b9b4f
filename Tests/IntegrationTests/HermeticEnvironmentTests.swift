import Foundation
import Testing
import TestSupport

/// Tests run in one hermetic environment (`HermeticEnvironment`), whatever the caller exported.
/// The caller here is made up (the test process's real environment is shared by tests running
/// in parallel, so it is not changed): the sandbox starts from it exactly as it starts from the
/// test process's environment.
@Suite struct HermeticEnvironmentTests {
    @Test func aCallersGitEnvironmentReachesNoCommand() throws {
        // Files a leaked variable would make git read: a global config, an XDG config, and a
        // repository GIT_DIR would send every command to.
        let scratch = try Sandbox()
        try scratch.write("hostile/.gitconfig", "[user]\n\tname = Hostile Global\n\temail = global@hostile.test\n")
        try scratch.write("hostile/xdg/git/config", "[user]\n\tname = Hostile XDG\n[core]\n\thooksPath = /nonexistent\n")
        let elsewhere = try scratch.makeRepo("elsewhere")
        let hostile = [
            "GIT_CONFIG_PARAMETERS": "'user.name'='Hostile Parameter' 'user.email'='parameter@hostile.test'",
            "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.name", "GIT_CONFIG_VALUE_0": "Hostile Count",
            "GIT_CONFIG_GLOBAL": scratch.path("hostile/.gitconfig"),
            "GIT_AUTHOR_NAME": "Hostile Author", "GIT_AUTHOR_EMAIL": "author@hostile.test",
            "GIT_AUTHOR_DATE": "2001-02-03T04:05:06Z",
            "GIT_COMMITTER_NAME": "Hostile Committer", "GIT_COMMITTER_EMAIL": "committer@hostile.test",
            "GIT_DIR": elsewhere + "/.git", "GIT_WORK_TREE": elsewhere,
            "GIT_REALM_SKIP_HOOKS": "1", "EMAIL": "email@hostile.test", "NO_COLOR": "1",
            "HOME": scratch.path("hostile"), "XDG_CONFIG_HOME": scratch.path("hostile/xdg"),
        ]
        let outer = HermeticEnvironment.original.merging(hostile) { $1 }

        // Control: with this environment as is, git takes its identity and repository from it.
        let control = try scratch.run("git", ["var", "GIT_AUTHOR_IDENT"], environment: hostile)
        #expect(control.stdout.contains("Hostile Author"), "the made-up environment has effect: \(control)")

        let box = try Sandbox(outer: outer)
        let app = try box.makeRepo("app")
        #expect(try box.git(["log", "-1", "--format=%an <%ae>|%cn <%ce>"], in: app).trimmingCharacters(in: .whitespacesAndNewlines)
                == "Test User <test@example.com>|Test User <test@example.com>", "the commit has the sandbox's identity")
        #expect(try !box.git(["log", "-1", "--format=%ad", "--date=iso"], in: app).hasPrefix("2001"), "and today's date")
        #expect(try box.git(["rev-parse", "--show-toplevel"], in: app).trimmingCharacters(in: .whitespacesAndNewlines) == URL(fileURLWithPath: app).resolvingSymlinksInPath().path)
        #expect(try scratch.git(["rev-list", "--count", "HEAD"], in: elsewhere).trimmingCharacters(in: .whitespacesAndNewlines) == "1", "GIT_DIR's repository untouched")
        let config = try box.git(["config", "--list", "--show-origin"], in: app)
        #expect(!config.lowercased().contains("hostile"), "\(config)")

        // What any child (git-realm, git, a hook, an extraction command) inherits.
        let seen = try box.run("env", [], in: app).stdout.split(separator: "\n").reduce(into: [String: String]()) { env, line in
            if let equals = line.firstIndex(of: "=") { env[String(line[..<equals])] = String(line[line.index(after: equals)...]) }
        }
        let set = ["HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL"]
        for name in hostile.keys.sorted() where !set.contains(name) {
            #expect(seen[name] == nil, "\(name) reached the child")
        }
        #expect(seen["HOME"] == box.home)
        #expect(seen["XDG_CONFIG_HOME"] == box.home + "/.config")
        #expect(seen["GIT_CONFIG_GLOBAL"] == box.home + "/.gitconfig")
        #expect(seen.keys.filter { $0.hasPrefix("GIT_") }.sorted()
                == ["GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_REALM_COLOR", "GIT_TERMINAL_PROMPT"])

        // git-realm writes the realm with the sandbox's identity.
        let url = try box.makeRealm()
        let joined = try box.realm(["admin", "join", url], in: app)
        #expect(joined.status == 0, "\(joined)")
        let realmLog = try box.git(["--git-dir", url, "log", "--format=%an <%ae> %cn <%ce>"])
        #expect(!realmLog.contains("Hostile") && !realmLog.contains("hostile.test"), "\(realmLog)")
    }
}
