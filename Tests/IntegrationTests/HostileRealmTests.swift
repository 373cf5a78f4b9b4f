import Foundation
import Testing

/// A realm is written by teams that do not trust each other. In each test one participant (or
/// anyone with push access to the realm) pushes crafted realm content with plain git, and the
/// other members run their everyday commands. Each asserts a clear error or a correct result, a
/// bounded time (the sandbox's watchdog), and that nothing was executed, read or written that
/// the realm asked for. docs/security.md lists what each attack targets.
@Suite struct HostileRealmTests {
    /// A command a realm writer would like members to run: it leaves a marker file.
    static func trap(_ marker: String) -> String { "touch \(marker); echo '{read: [pwned], write: []}'" }

    /// Exit codes a clean refusal may have: never a signal (a crash is 128+n or a trap).
    static func clean(_ r: Sandbox.Result) -> Bool { !r.timedOut && r.status >= 0 && r.status < 64 }

    @Test func nothingTheRealmNamesIsRunOrRead() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        let marker = box.path("ran-a-realm-command")
        try box.write("secret.txt", "TOP-SECRET-TOKEN\n")
        // Scripts that exist, tracked and executable, in both repos: only a declaration may run them.
        for repo in [aperture, fungal] {
            try box.write(repo + "/scripts/evil.sh", "#!/bin/sh\ntouch \(marker)\nexit 0\n")
            chmod(repo + "/scripts/evil.sh", 0o755)
            try box.git(["add", "scripts/evil.sh"], in: repo)
            try box.git(["commit", "-qm", "a script"], in: repo)
        }
        // The hostile realm: commands, files outside the repo and scripts, for both repos.
        try box.editRealmByHand(url, message: "crafted") { clone in
            try box.write(clone + "/" + Sandbox.apertureBinding, """
            repo: aperture
            role: provider
            exports:
              - contract: s3-permissions
                source_files: [config/s3.yaml]
                command: "\(Self.trap(marker))"
                schema_file: ../../secret.txt

            """)
            try box.write(clone + "/domains/s3-access/bindings/fungal-image-analysis.yaml", """
            repo: fungal-image-analysis
            role: consumer
            exports:
              - contract: s3-permissions
                source_files: [README.md]
                from_file: ../secret.txt
            imports:
              - contract: s3-permissions
                from: aperture
                version: ">=1.0.0, <2.0.0"
                binding: ../../../../etc/passwd
                status: current
                resolved_version: "1.0.0"

            """)
            try box.write(clone + "/" + Sandbox.s3Contract, Sandbox.s3ContractText(
                version: "1.0.0", read: ["jobs/*/masks/*"],
                validation: "validation:\n  exporter: scripts/evil.sh\n  importer: scripts/evil.sh\n  ci_only: [scripts/evil.sh]"))
        }
        let realmBefore = try box.git(["--git-dir", url, "rev-parse", "main"])

        var results: [(String, Sandbox.Result)] = []
        for (repo, args) in [(aperture, ["status", "--fetch"]), (aperture, ["status"]), (aperture, ["sync"]),
                             (aperture, ["check", "--mode=exporter"]), (aperture, ["check", "--mode=importer"]),
                             (fungal, ["status", "--fetch"]), (fungal, ["sync"]), (fungal, ["check", "--mode=importer"]),
                             (fungal, ["check", "--mode=exporter"])] {
            results.append((args.joined(separator: " "), try box.realm(args, in: repo, environment: ["CI": "true"], deadline: 60)))
        }
        // The exporter pushes a change to its export's source: pre-push checks it as .gitrealm says.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, more/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "more"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture, deadline: 60)
        results.append(("git push", push))

        for (name, r) in results { #expect(Self.clean(r), "\(name): \(r)") }
        #expect(!FileManager.default.fileExists(atPath: marker), "a command or script named by the realm ran")
        #expect(push.status != 0 && push.stderr.contains("+ more/*"), "pre-push still checks the declared export: \(push)")
        // aperture's sync published from its own declaration (config/s3.yaml), not the realm's command.
        let sync = try #require(results.first { $0.0 == "sync" }?.1)
        #expect(sync.status == 0, "\(sync)")
        let importer = try #require(results.last { $0.0 == "check --mode=importer" }?.1)
        #expect(importer.stdout.contains("the realm's binding file path '../../../../etc/passwd' leaves the repository ('..'); not looked at"), "\(importer)")
        #expect(importer.stdout.contains("the contract suggests importer validation 'scripts/evil.sh'; not run"), "\(importer)")
        let exporter = try #require(results.first { $0.0 == "check --mode=exporter" }?.1)
        #expect(exporter.stdout.contains("code matches contract"), "\(exporter)")
        // Nothing secret reached the realm, in any commit.
        let log = try box.run("git", ["--git-dir", url, "log", "-p", "--all", "\(realmBefore.trimmingCharacters(in: .whitespacesAndNewlines)).."])
        #expect(!log.stdout.contains("TOP-SECRET-TOKEN"))
        #expect(!log.stdout.contains("pwned"))
    }

    @Test func everyPathStaysInsideTheRepository() throws {
        let box = try Sandbox()
        let (_, aperture, fungal) = try box.makeExportScenario()
        try box.write("outside.yaml", "read: [stolen/*]\nwrite: []\n")

        let importOutside = try box.realm(["import", "s3-permissions", "--from", "aperture", "--version", "^1.0.0",
                                           "--binding", "../../../../etc/passwd"], in: fungal)
        #expect(importOutside.status == 2, "\(importOutside)")
        #expect(importOutside.stderr.contains("--binding '../../../../etc/passwd' leaves the repository"), "\(importOutside)")

        for args in [["--from-file", "../outside.yaml"], ["--from-file", "/etc/hostname"], ["--from-file", ".git/config"]] {
            let r = try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml"] + args, in: aperture)
            #expect(r.status == 2, "\(args): \(r)")
            #expect(r.stderr.contains("--from-file"), "\(r)")
        }
        // A .gitrealm (perhaps merged from someone's branch) naming a file outside: refused by name.
        try box.write("aperture/.gitrealm", try box.read("aperture/.gitrealm")
            .replacingOccurrences(of: "file = config/s3.yaml", with: "file = ../outside.yaml"))
        let declared = try box.realm(["sync"], in: aperture)
        #expect(declared.status == 2, "\(declared)")
        #expect(declared.stderr.contains(".gitrealm: export.s3-permissions.file '../outside.yaml' leaves the repository"), "\(declared)")
        try box.git(["checkout", "--", ".gitrealm"], in: aperture)

        // A tracked symbolic link leading out of the repository is never followed.
        try FileManager.default.removeItem(atPath: aperture + "/config/s3.yaml")
        try FileManager.default.createSymbolicLink(atPath: aperture + "/config/s3.yaml", withDestinationPath: box.path("outside.yaml"))
        let linked = try box.realm(["sync", "--dry-run"], in: aperture)
        #expect(linked.status != 0 && Self.clean(linked), "\(linked)")
        #expect(linked.stderr.contains("symbolic link"), "\(linked)")
        #expect(!linked.output.contains("stolen"), "\(linked)")
        try box.git(["commit", "-qam", "link"], in: aperture)
        let push = try box.run("git", ["push", "origin", "main"], in: aperture, deadline: 60)
        #expect(push.status != 0, "\(push)")
        #expect(push.stderr.contains("a symbolic link"), "\(push)")
        #expect(!push.output.contains("stolen"), "\(push)")
    }

    @Test func oversizedDeepAndExplosiveRealmFilesAreRefusedQuickly() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        let big = String(repeating: "x", count: 9 << 20)
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        var laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 { laughs += "\(Character(UnicodeScalar(97 + i)!)): &\(Character(UnicodeScalar(97 + i)!)) [" + Array(repeating: "*\(Character(UnicodeScalar(96 + i)!))", count: 9).joined(separator: ", ") + "]\n" }
        for (name, text, expected) in [("huge", "name: s3-permissions\ndescription: \(big)\n", "larger than the limit"),
                                       ("deep", "name: s3-permissions\nvalue: \(deep)\n", "deeper"),
                                       ("alias bomb", laughs, "nodes")] {
            try box.editRealmByHand(url, message: name) { clone in try box.write(clone + "/" + Sandbox.s3Contract, text) }
            for (repo, args) in [(fungal, ["status", "--fetch"]), (aperture, ["sync"]), (fungal, ["sync"]),
                                 (fungal, ["check", "--mode=importer"])] {
                let r = try box.realm(args, in: repo, deadline: 60)
                #expect(Self.clean(r) && r.status != 0, "\(name): \(args): \(r)")
                #expect(r.stderr.contains(Sandbox.s3Contract) || r.stdout.contains(Sandbox.s3Contract), "\(name): names the file: \(r)")
                #expect(r.output.lowercased().contains(expected), "\(name): \(args) says why: \(r)")
            }
            let contract = try box.realm(["check", "--mode=contract"], in: aperture, deadline: 60)
            #expect(contract.status == 1 && Self.clean(contract), "\(name): \(contract)")
        }
    }

    @Test func syncNeverWritesAFileItsReadersRefuse() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture", files: ["value.json": "{\"a\": 1}\n"])
        let fungal = try box.makeRepo("fungal-image-analysis")
        for dir in [aperture, fungal] { #expect(try box.realm(["admin", "join", url], in: dir).status == 0) }
        try box.write("schema.yaml", "{}\n")
        try box.write("value.yaml", "a: 1\n")
        #expect(try box.realm(["admin", "domain", "create", "d", "--repos", "aperture,fungal-image-analysis", "--contract", "c",
                               "--schema", box.path("schema.yaml"), "--value", box.path("value.yaml"), "--contract-version", "1.0.0"],
                              in: aperture).status == 0)
        #expect(try box.realm(["export", "c", "--source", "value.json", "--from-file", "value.json"], in: aperture).status == 0)
        // 127 levels in the value file are readable; inside the contract file they are 129.
        let nested = String(repeating: "[", count: 127) + String(repeating: "]", count: 127)
        try box.write("aperture/value.json", "{\"a\": \(nested)}\n")
        let before = try box.git(["--git-dir", url, "rev-parse", "main"])
        let sync = try box.realm(["sync"], in: aperture, deadline: 60)
        #expect(sync.status == 2, "\(sync)")
        #expect(sync.stderr.contains("refusing to write domains/d/contracts/c.yaml"), "\(sync)")
        #expect(try box.git(["--git-dir", url, "rev-parse", "main"]) == before, "nothing was written")
        #expect(try box.realm(["status"], in: fungal).status == 0, "the realm stays readable")
    }

    @Test func hugeVersionNumbersAreErrorsNotCrashes() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        for range in ["^9223372036854775807", "~9223372036854775807.0", "9223372036854775807.x",
                      "1.0.0 - 9223372036854775807", ">=99999999999999999999999"] {
            let semver = try box.realm(["semver", "match", range, "1.0.0"], deadline: 30)
            #expect(Self.clean(semver), "\(range): \(semver)")
            try box.editRealmByHand(url, message: range) { clone in
                try box.write(clone + "/domains/s3-access/bindings/fungal-image-analysis.yaml", """
                repo: fungal-image-analysis
                role: consumer
                imports:
                  - contract: s3-permissions
                    from: aperture
                    version: "\(range)"
                    status: current
                    resolved_version: "9223372036854775807.9223372036854775807.9223372036854775807"

                """)
            }
            for (repo, args) in [(fungal, ["status", "--fetch"]), (fungal, ["sync"]), (fungal, ["check", "--mode=importer"]),
                                 (aperture, ["status"]), (aperture, ["graph"])] {
                let r = try box.realm(args, in: repo, deadline: 60)
                #expect(Self.clean(r), "\(range): \(args): \(r)")
            }
            let merge = try box.realm(["hook", "post-merge", "0"], in: fungal, deadline: 60)
            #expect(Self.clean(merge), "\(range): post-merge: \(merge)")
        }
    }

    @Test func badMemberNamesAreAnErrorForEveryReader() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        try box.editRealmByHand(url) { clone in
            let path = clone + "/domains/s3-access/domain.yaml"
            try box.write(path, try box.read(path).replacingOccurrences(of: "  - fungal-image-analysis", with: "  - fungal-image-analysis\n  - \"Evil Name/..\""))
        }
        for (repo, args) in [(fungal, ["status", "--fetch"]), (aperture, ["sync"]), (fungal, ["sync"]), (aperture, ["graph"])] {
            let r = try box.realm(args, in: repo, deadline: 60)
            #expect(r.status == 2, "\(args): \(r)")
            #expect(r.stderr.contains("domains/s3-access/domain.yaml"), "\(args): \(r)")
        }
    }

    @Test func anInvalidSchemaIsAnErrorForSync() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeExportScenario()
        try box.editRealmByHand(url) { clone in
            let path = clone + "/" + Sandbox.s3Contract
            try box.write(path, try box.read(path).replacingOccurrences(of: "  type: object\n", with: "  type: 12\n"))
        }
        let sync = try box.realm(["sync"], in: aperture, deadline: 60)
        #expect(sync.status == 2, "\(sync)")
        #expect(sync.stderr.contains("not a valid schema"), "\(sync)")
        #expect(!sync.stdout.contains("Nothing to sync"), "\(sync)")
    }

    @Test func catastrophicPatternsAndRefFanOutFinishQuickly() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        var defs = ""
        for level in 0..<6 {
            let refs = Array(repeating: "{$ref: \"#/$defs/d\(level + 1)\"}", count: 150).joined(separator: ", ")
            defs += "    d\(level): {anyOf: [\(refs)]}\n"
        }
        defs += "    d6: {type: string, pattern: \"^(a+)+$\"}\n"
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/" + Sandbox.s3Contract, """
            name: s3-permissions
            version: "1.0.0"
            owner: aperture
            schema:
              type: object
              properties:
                read: {type: array, items: {$ref: "#/$defs/d0"}}
                write: {type: array, items: {type: string, pattern: "^(.|.)*X$"}}
              $defs:
            \(defs)
            value:
              read: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!]
              write: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]
            evolution:
              - version: "1.0.0"
                changes: [hostile]

            """)
        }
        for (repo, args) in [(fungal, ["status", "--fetch"]), (aperture, ["status", "--fetch"]), (aperture, ["sync"]),
                             (aperture, ["check", "--mode=contract"]), (aperture, ["check", "--mode=exporter"])] {
            let r = try box.realm(args, in: repo, deadline: 60)
            #expect(Self.clean(r), "\(args): \(r)")
        }
    }
}

extension HostileRealmTests {
    /// Symbolic links committed to the realm are never followed by `check` in a realm clone
    /// (the realm's CI): not to a file outside, not to /dev/zero.
    @Test func symlinksInARealmCloneAreNotFollowed() throws {
        let box = try Sandbox()
        let (url, _, _) = try box.makeExportScenario()
        try box.write("secret.yaml", "name: secret\nowner: TOPSECRET-PASSWORD-123\n")
        try box.editRealmByHand(url, message: "links") { clone in
            let dir = clone + "/domains/s3-access/contracts"
            try FileManager.default.createSymbolicLink(atPath: dir + "/leak.yaml", withDestinationPath: box.path("secret.yaml"))
            try FileManager.default.createSymbolicLink(atPath: dir + "/zero.yaml", withDestinationPath: "/dev/zero")
        }
        let ci = box.path("ci-clone")
        try box.git(["clone", "--quiet", url, ci])
        let check = try box.realm(["check", "--mode=contract"], in: ci, deadline: 60)
        #expect(check.status == 1 && Self.clean(check), "\(check)")
        #expect(!check.output.contains("TOPSECRET"), "\(check)")
        #expect(check.stdout.contains("a symbolic link: never followed"), "\(check)")
    }
}

extension HostileRealmTests {
    /// A note repeated on many contract versions, each line a notification: members read each
    /// note once per distinct line, at most Limits.noteRecords records, and report at most
    /// Limits.notificationsShown notifications.
    @Test func notificationFloodsAreBounded() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        let clone = box.path("flood")
        try box.git(["clone", "--quiet", url, clone])
        var lines: [String] = []
        for i in 0..<3000 {
            lines.append(Sandbox.notificationLine(to: "fungal-image-analysis", version: "1.\(i % 200 + 1).0", changes: ["+ x\(i)"]))
        }
        let note = String(repeating: lines.joined(separator: "\n") + "\n", count: 3)
        try box.write("flood.txt", note)
        for v in 1...8 {
            try box.write(clone + "/" + Sandbox.s3Contract, Sandbox.s3ContractText(version: "1.\(v).0", read: ["jobs/*/masks/*"]))
            try box.git(["commit", "-qam", "v\(v)"], in: clone)
            try box.git(["notes", "--ref=realm", "add", "-f", "-F", box.path("flood.txt")], in: clone)
        }
        try box.git(["push", "--quiet", "origin", "main", "refs/notes/realm"], in: clone)
        let status = try box.realm(["status", "--fetch"], in: fungal, deadline: 60)
        #expect(Self.clean(status) && status.status == 0, "\(status)")
        #expect(status.stdout.split(separator: "\n").count < 400, "bounded output: \(status.stdout.split(separator: "\n").count) lines")
        // Lines about other versions than the commit published are forged: ignored, and said.
        #expect(status.output.contains("notification line(s) about s3-permissions ignored"), "\(status.stdout.prefix(800))")
        let pull = try box.realm(["hook", "post-merge", "0"], in: fungal, deadline: 60)
        #expect(Self.clean(pull), "\(pull)")
        #expect(pull.output.split(separator: "\n").count < 400, "bounded output")
    }
}
