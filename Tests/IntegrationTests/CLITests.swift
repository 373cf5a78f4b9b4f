import Foundation
import Testing

/// How the executable presents itself: names it answers to, plugins, help and man pages.
@Suite struct CLITests {
    @Test func answersUnderEveryName() throws {
        let box = try Sandbox()
        let repo = try box.makeRepo("lonely")
        // git realm status, git realm-status and git-realm-status all run status.
        for (exe, args) in [("git", ["realm", "status"]), ("git", ["realm-status"]), ("git-realm-status", []), ("git-realm", ["status"])] {
            let r = try box.run(exe, args, in: repo)
            #expect(r.status == 3, "\(exe) \(args): \(r)")
            #expect(r.stderr.contains("has not joined a realm"))
        }
        let help = try box.run("git-realm-status", ["--help"], in: repo)
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: git realm status"), "\(help.stdout)")
        let nested = try box.run("git-realm-admin", ["init", "--help"])
        #expect(nested.stdout.contains("USAGE: git realm admin init"), "\(nested.stdout)")
    }

    @Test func otherGitRealmExecutablesRunAsPlugins() throws {
        let box = try Sandbox()
        try box.write("bin/git-realm-hello", "#!/bin/sh\necho \"hello from plugin: $*\"\n")
        chmod(box.path("bin/git-realm-hello"), 0o755)
        let r = try box.realm(["hello", "a", "b"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "hello from plugin: a b\n")
        let unknown = try box.realm(["no-such-thing"])
        #expect(unknown.status == 2, "unknown commands are bad input: exit 2")
        let badFlag = try box.realm(["status", "--bogus"])
        #expect(badFlag.status == 2)
        #expect(badFlag.stderr.contains("Unknown option '--bogus'"))
        #expect(unknown.stderr.contains("no-such-thing"))
    }

    @Test func helpSubcommandAndVersion() throws {
        let box = try Sandbox()
        let help = try box.realm(["help", "status"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: git realm status"))
        #expect(help.stdout.contains("--fetch"))
        let top = try box.realm(["-h"])
        #expect(top.stdout.contains("EVERYDAY SUBCOMMANDS:"))
        #expect(top.stdout.contains("status"))
        #expect(try box.realm(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    /// Every command has a man page, and every flag of it is in that page.
    @Test func manPagesCoverEveryCommandAndFlag() throws {
        let box = try Sandbox()
        let dump = try box.run(Sandbox.binary, ["--experimental-dump-help"])
        #expect(dump.status == 0)
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let root = try #require(tool["command"] as? [String: Any])
        let manDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("man")
        var missing: [String] = []
        func visit(_ command: [String: Any], path: [String]) {
            let page = (["git-realm"] + path).joined(separator: "-") + ".1"
            let name = command["commandName"] as? String ?? ""
            if name == "help" || command["shouldDisplay"] as? Bool == false { return }
            guard let text = try? String(contentsOf: manDir.appendingPathComponent(page), encoding: .utf8) else {
                missing.append("\(page): missing")
                return
            }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where (name["kind"] as? String) == "long" {
                    let flag = "--" + (name["name"] as? String ?? "")
                    if ["--help", "--version", "--experimental-dump-help", "--generate-completion-script"].contains(flag) { continue }
                    if !text.contains(flag) && !text.contains(flag.replacingOccurrences(of: "-", with: "\\-")) {
                        missing.append("\(page): \(flag)")
                    }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                visit(sub, path: path + [sub["commandName"] as? String ?? "?"])
            }
        }
        visit(root, path: [])
        #expect(missing.isEmpty, "out of date man pages (run scripts/generate-man.sh): \(missing)")
    }

    @Test func manPagesRender() throws {
        let box = try Sandbox()
        let manDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("man").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/man") else { return }
        let r = try box.run("man", ["-l", manDir + "/git-realm-status.1"], environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("--fetch"))
    }
}
