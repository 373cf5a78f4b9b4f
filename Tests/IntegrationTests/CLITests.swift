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

    /// install.sh links `git-realm-<sub>` for every top-level subcommand, so that
    /// `git-realm-<sub>` and its man page work as the card promises: its list is the help's.
    @Test func installLinksEveryTopLevelSubcommand() throws {
        let box = try Sandbox()
        // `-h`: `git realm --help` is git's own, which opens the man page.
        let help = try box.realm(["-h"]).stdout
        var fromHelp: Set<String> = []
        var inList = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix("SUBCOMMANDS:") { inList = true; continue }
            if line.isEmpty { inList = false; continue }
            // A subcommand starts two spaces in; its wrapped description is indented further.
            if inList, line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first {
                fromHelp.insert(String(name))
            }
        }
        let script = try String(contentsOfFile: ExternalTool.projectRoot + "/install.sh", encoding: .utf8)
        let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("subcommands=") })
        let installed = Set(line.dropFirst("subcommands=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ").map(String.init))
        #expect(fromHelp.count > 10, "\(help)")
        #expect(installed == fromHelp, "install.sh lacks \(fromHelp.subtracting(installed).sorted()), has extra \(installed.subtracting(fromHelp).sorted())")
    }

    /// Each page in man/ is the page `git realm __generate-man` makes from the command tree now,
    /// byte for byte, and there is no page of a command that is gone: a stale page fails here.
    @Test func manPagesAreTheGeneratedOnes() throws {
        let box = try Sandbox()
        let manDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("man").path
        try FileManager.default.createDirectory(atPath: box.path("generated"), withIntermediateDirectories: true)
        let generate = try box.run(Sandbox.binary, ["__generate-man", "--output", box.path("generated")])
        #expect(generate.status == 0, "\(generate)")
        func pages(_ dir: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("git-realm") && $0.hasSuffix(".1") }.sorted()
        }
        let generated = try pages(box.path("generated"))
        #expect(generated.count > 20, "\(generated)")
        #expect(try pages(manDir) == generated, "man/ has other pages than the command tree (run scripts/generate-man.sh)")
        for page in generated {
            let fresh = try box.read("generated/" + page)
            guard let committed = try? String(contentsOfFile: manDir + "/" + page, encoding: .utf8) else { continue }
            if committed != fresh {
                let old = committed.split(separator: "\n", omittingEmptySubsequences: false)
                let new = fresh.split(separator: "\n", omittingEmptySubsequences: false)
                let line = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
                Issue.record("""
                    man/\(page) is stale (run scripts/generate-man.sh); first difference at line \(line + 1):
                    committed: \(line < old.count ? String(old[line]) : "(end)")
                    generated: \(line < new.count ? String(new[line]) : "(end)")
                    """)
            }
        }
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

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/man"), "man is not installed (man-db)"))
    func manPagesRender() throws {
        let box = try Sandbox()
        let manDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("man").path
        let r = try box.run("man", ["-l", manDir + "/git-realm-status.1"], environment: ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("--fetch"))
    }
}
