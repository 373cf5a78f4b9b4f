import Foundation
import Testing

/// `git realm export`, `import` and `sync` on real repositories.
@Suite struct SyncTests {
    static let schema = """
    type: object
    required: [read]
    properties:
      read: {type: array, items: {type: string}}
      write: {type: array, items: {type: string}, default: []}
    """

    /// A realm where aperture exports s3-permissions 1.4.0 from config/s3.yaml and
    /// fungal-image-analysis imports it (>=1.0.0, <2.0.0, resolved 1.4.0).
    static func story(_ box: Sandbox, governed: Bool = false) throws -> (realm: String, aperture: String, fungal: String) {
        let url = try box.makeRealm(governed: governed)
        let aperture = try box.makeRepo("aperture", files: ["config/s3.yaml": "read: [jobs/*/masks/*]\nwrite: []\n"])
        let fungal = try box.makeRepo("fungal-image-analysis", files: ["cdk/stack.py": "ALLOWED = ['jobs/*/masks/*']\n"])
        for dir in [aperture, fungal] { #expect(try box.realm(["admin", "join", url], in: dir).status == 0) }
        try box.write("schema.yaml", schema)
        try box.write("value.yaml", "read: [jobs/*/masks/*]\nwrite: []\n")
        let domain = try box.realm(["admin", "domain", "create", "s3-access", "--repos", "aperture,fungal-image-analysis",
                                    "--contract", "s3-permissions", "--schema", box.path("schema.yaml"),
                                    "--value", box.path("value.yaml"), "--contract-version", "1.4.0"], in: aperture)
        #expect(domain.status == 0, "\(domain)")
        let export = try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml"], in: aperture)
        #expect(export.status == 0, "\(export)")
        return (url, aperture, fungal)
    }

    @Test func exporterPublishesImporterAcknowledges() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try Self.story(box)
        let clean = try box.realm(["sync"], in: aperture)
        #expect(clean.status == 0, "\(clean)")
        #expect(clean.stdout.contains("Nothing to sync"))

        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "experiments"], in: aperture)
        let before = try box.git(["--git-dir", url, "rev-parse", "main"])
        let dry = try box.realm(["sync", "--dry-run"], in: aperture)
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.stdout.contains("s3-permissions: 1.4.0 → 1.5.0 (compatible, minor bump)"))
        #expect(dry.stdout.contains("+ training-metrics/experiments/*"))
        #expect(try box.git(["--git-dir", url, "rev-parse", "main"]) == before, "--dry-run writes nothing")

        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        #expect(sync.stdout.contains("✓ Published s3-permissions 1.5.0"))
        #expect(sync.stdout.contains("✓ fungal-image-analysis notified"))
        let contract = try #require(try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml"))
        #expect(contract.contains("version: \"1.5.0\""))
        #expect(contract.contains("- version: \"1.5.0\"\n    changes:\n      - + training-metrics/experiments/*\n    compatible: true"))
        let note = try box.git(["--git-dir", url, "notes", "--ref=realm", "show", "main"])
        #expect(note.contains("\"kind\":\"notification\""))
        #expect(note.contains("\"to\":\"fungal-image-analysis\""))
        #expect(note.contains("\"version\":\"1.5.0\""))
        let published = try box.git(["--git-dir", url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)

        // The importer sees 1.5.0, acknowledges it and its binding moves on.
        let ack = try box.realm(["sync", "--json"], in: fungal)
        #expect(ack.status == 0, "\(ack)")
        let json = try box.json(ack)
        let imports = try #require(json["imports"] as? [[String: Any]])
        #expect(imports.first?["acknowledged"] as? Bool == true)
        #expect(imports.first?["to"] as? String == "1.5.0")
        let binding = try #require(try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml"))
        #expect(binding.contains("resolved_version: \"1.5.0\""))
        #expect(binding.contains("status: current"))
        let acked = try box.git(["--git-dir", url, "notes", "--ref=realm", "show", published])
        #expect(acked.contains("\"kind\":\"acknowledgement\""))
        #expect(acked.contains("\"from\":\"fungal-image-analysis\""))
        #expect(try box.run("git", ["--git-dir", url, "fsck", "--no-progress"]).status == 0)
    }

    @Test func breakingChangeGoesToASyncBranch() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try Self.story(box, governed: true)
        // The exporter keeps its own copy of the schema and drops `required`: old importers
        // could receive values without `read`: breaking for a backwards-compatible contract.
        try box.write("aperture/schema.yaml", Self.schema)
        try box.git(["add", "schema.yaml"], in: aperture)
        try box.git(["commit", "-qm", "schema"], in: aperture)
        #expect(try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml",
                               "--schema", "schema.yaml"], in: aperture).status == 0)
        try box.write("aperture/schema.yaml", Self.schema.replacingOccurrences(of: "required: [read]\n", with: ""))
        try box.git(["commit", "-qam", "read is optional"], in: aperture)
        let main = try box.git(["--git-dir", url, "rev-parse", "main"])
        let sync = try box.realm(["sync"], in: aperture)
        #expect(sync.status == 0, "\(sync)")
        #expect(sync.stdout.contains("1.4.0 → 2.0.0 (breaking, major bump)"))
        #expect(sync.stdout.contains("breaking change pending approval"))
        // Main gets only the proposal's record; the contract stays as it was until approval.
        #expect(try box.git(["--git-dir", url, "rev-parse", "main~1"]) == main, "one commit: the record")
        #expect(try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml")?.contains("version: \"1.4.0\"") == true)
        let records = try box.git(["--git-dir", url, "ls-tree", "-r", "--name-only", "main", "proposals/"])
        #expect(records.hasPrefix("proposals/aperture/"), "\(records)")
        let recorded = try box.git(["--git-dir", url, "rev-parse", "main"])
        let branches = try box.git(["--git-dir", url, "for-each-ref", "--format=%(refname)", "refs/heads/sync/"])
        #expect(branches.hasPrefix("refs/heads/sync/aperture/"))
        let pending = try box.git(["--git-dir", url, "show", "\(branches.trimmingCharacters(in: .whitespacesAndNewlines)):domains/s3-access/contracts/s3-permissions.yaml"])
        #expect(pending.contains("version: \"2.0.0\""))
        let branch = branches.trimmingCharacters(in: .whitespacesAndNewlines)
        let proposal = try box.git(["--git-dir", url, "rev-parse", branch])

        // Syncing again proposes nothing new: the pending branch already has it.
        let again = try box.realm(["sync", "--json"], in: aperture)
        #expect(again.status == 0, "\(again)")
        let againJSON = try box.json(again)
        #expect(againJSON["pending_branch"] as? String == branch)
        #expect(againJSON["pending_branch_state"] as? String == "unchanged")
        #expect(try box.git(["--git-dir", url, "rev-parse", branch]) == proposal, "nothing written")

        // A further change while it is pending replaces the proposal on the same branch.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, models/*]\nwrite: []\n")
        try box.git(["commit", "-qam", "models"], in: aperture)
        let update = try box.realm(["sync"], in: aperture)
        #expect(update.status == 0, "\(update)")
        #expect(update.stdout.contains("Updated pending branch \(branch.replacingOccurrences(of: "refs/heads/", with: ""))"), "\(update)")
        let after = try box.git(["--git-dir", url, "for-each-ref", "--format=%(refname)", "refs/heads/sync/"])
        #expect(after.trimmingCharacters(in: .whitespacesAndNewlines) == branch, "still one branch: \(after) \(update)")
        let updated = try box.git(["--git-dir", url, "show", "\(branch):domains/s3-access/contracts/s3-permissions.yaml"])
        #expect(updated.contains("version: \"2.0.0\"") && updated.contains("models/*"))
        #expect(try box.realmFile(url, "domains/s3-access/contracts/s3-permissions.yaml")?.contains("version: \"1.4.0\"") == true,
                "the contract on main is still untouched")
        #expect(try box.git(["--git-dir", url, "rev-parse", "main"]) != recorded, "the record is updated with the content")
        let status = try box.json(try box.realm(["status", "--json"], in: aperture))
        #expect((status["sync_branches"] as? [[String: Any]])?.count == 1, "\(status)")

        // Merged into main by hand without approval: every member's verifier refuses it, and
        // it stays pending (docs/trust.md "Governance"; GovernanceTests land one properly).
        let unapproved = try box.git(["--git-dir", url, "rev-parse", branch]).trimmingCharacters(in: .whitespacesAndNewlines)
        try box.git(["--git-dir", url, "update-ref", "refs/heads/main", unapproved])
        let refused = try box.realm(["status", "--fetch", "--json"], in: aperture)
        let merged = try box.json(refused)
        #expect((merged["sync_branches"] as? [[String: Any]])?.count == 1, "\(merged)")
        #expect(refused.stderr.contains("lands a breaking change (1.4.0 -> 2.0.0) before it may"), "\(refused)")
    }

    @Test func refusalsChangeNothing() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try Self.story(box)
        let main = try box.git(["--git-dir", url, "rev-parse", "main"])

        // A value that violates the schema.
        try box.write("aperture/config/s3.yaml", "write: [x]\n")
        try box.git(["commit", "-qam", "no read"], in: aperture)
        let invalid = try box.realm(["sync"], in: aperture)
        #expect(invalid.status == 1, "\(invalid)")
        #expect(invalid.stderr.contains("does not match its schema; nothing was published"))

        // An insufficient explicit version.
        try box.write("aperture/config/s3.yaml", "read: [a, b]\nwrite: []\n")
        try box.git(["commit", "-qam", "more"], in: aperture)
        let patch = try box.realm(["sync", "--contract", "s3-permissions", "--new-version", "1.4.1"], in: aperture)
        #expect(patch.status == 5, "\(patch)")
        #expect(patch.stderr.contains("1.4.0 → 1.4.1"))
        let alone = try box.realm(["sync", "--new-version", "1.5.0"], in: aperture)
        #expect(alone.status == 2 && alone.stderr.contains("--new-version needs --contract"), "\(alone)")
        // The old spelling still works, with a note; it no longer hides the global --version.
        let old = try box.realm(["sync", "--version", "1.5.0"], in: aperture)
        #expect(old.stderr.contains("sync --version is now --new-version"), "\(old)")
        #expect(!(try box.realm(["sync", "--help"], in: aperture).stdout.contains("--version <version>")))

        // Only the owner may change a contract: fungal declares an export of it by hand.
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/domains/s3-access/bindings/fungal-image-analysis.yaml", """
            repo: fungal-image-analysis
            role: consumer
            exports:
              - contract: s3-permissions
                source_files: [cdk/stack.py]
                from_file: cdk/values.yaml
            imports:
              - contract: s3-permissions
                version: ">=1.0.0, <2.0.0"
                status: current
                resolved_version: "1.4.0"
            """)
        }
        let mainAfterEdit = try box.git(["--git-dir", url, "rev-parse", "main"])
        try box.write("fungal-image-analysis/cdk/values.yaml", "read: [hijack]\n")
        try box.declareExport(in: fungal, "s3-permissions", source: "cdk/stack.py", way: "file = cdk/values.yaml")
        try box.git(["add", "."], in: fungal)
        try box.git(["commit", "-qm", "values"], in: fungal)
        let owner = try box.realm(["sync"], in: fungal)
        #expect(owner.status == 5, "\(owner)")
        #expect(owner.stderr.contains("is owned by aperture; only its owner may change it"))
        #expect(try box.git(["--git-dir", url, "rev-parse", "main"]) == mainAfterEdit)
        #expect(main != mainAfterEdit)
    }

    @Test func badExportsAndImports() throws {
        let box = try Sandbox()
        let (_, aperture, fungal) = try Self.story(box)
        let glob = try box.realm(["export", "s3-permissions", "--source", "nothing/*.py", "--from-file", "config/s3.yaml"], in: aperture)
        #expect(glob.status == 2)
        #expect(glob.stderr.contains("source 'nothing/*.py' matches no tracked file"))
        let failing = try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--command", "exit 3"], in: aperture)
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stderr.contains("failed with exit 3"))
        let garbage = try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--command", "printf '{not: [yaml'"], in: aperture)
        #expect(garbage.status == 2, "\(garbage)")
        #expect(garbage.stderr.contains("output of"))
        let invalid = try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--command", "echo 'write: [x]'"], in: aperture)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("does not match its schema"))
        let twoWays = try box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--detect", "s3-paths", "--command", "true"], in: aperture)
        #expect(twoWays.status != 0)
        let unknown = try box.realm(["export", "nope", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml"], in: aperture)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown contract 'nope'"))
        let notOwner = try box.realm(["export", "s3-permissions", "--source", "cdk/stack.py", "--detect", "s3-paths"], in: fungal)
        #expect(notOwner.status == 5)

        let badRange = try box.realm(["import", "s3-permissions", "--from", "aperture", "--version", ">=banana", "--binding", "cdk/stack.py"], in: fungal)
        #expect(badRange.status == 2)
        let none = try box.realm(["import", "s3-permissions", "--from", "aperture", "--version", "^3.0.0", "--binding", "cdk/stack.py"], in: fungal)
        #expect(none.status == 2)
        #expect(none.stderr.contains("no published version of s3-permissions satisfies ^3.0.0"))
        let cycle = try box.realm(["import", "s3-permissions", "--from", "fungal-image-analysis", "--version", "^1", "--binding", "x"], in: aperture)
        #expect(cycle.status == 2, "the exporter is aperture, not fungal")
    }

    @Test func brokenImportsFailTheSyncAndUnreachableRealmsSaySo() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try Self.story(box)
        let narrowed = try box.realm(["import", "s3-permissions", "--from", "aperture", "--version", "~1.4.0", "--binding", "cdk/stack.py"], in: fungal)
        #expect(narrowed.status == 0, "\(narrowed)")
        try box.editRealmByHand(url) { clone in
            let path = clone + "/domains/s3-access/contracts/s3-permissions.yaml"
            try box.write(path, try box.read(path).replacingOccurrences(of: "version: \"1.4.0\"\nowner", with: "version: \"2.0.0\"\nowner"))
        }
        // 1.4.0 is still in history, so ~1.4.0 still resolves: current.
        #expect(try box.realm(["sync"], in: fungal).status == 0)
        try box.editRealmByHand(url) { clone in
            try FileManager.default.removeItem(atPath: clone + "/domains/s3-access/contracts/s3-permissions.yaml")
        }
        let gone = try box.realm(["sync"], in: fungal)
        #expect(gone.status == 1, "\(gone)")
        #expect(!gone.stdout.contains("✓ Realm synced") && gone.stdout.contains("Realm updated; see the problems above"), "\(gone)")
        #expect(gone.stdout.contains("s3-permissions: broken, contract 's3-permissions' no longer exists"))
        #expect(try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml")?.contains("status: broken") == true)

        try FileManager.default.moveItem(atPath: url, toPath: url + ".away")
        let unreachable = try box.realm(["sync"], in: fungal)
        #expect(unreachable.status == 4, "\(unreachable)")
        #expect(unreachable.stderr.contains("cannot fetch realm 'letemcook'"))
    }

    @Test func importerValidationRunsOnlyScriptsTheRepoDeclaresTrackedAndExecutable() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try Self.story(box)
        func publish(_ paths: String, importer script: String? = nil) throws {
            if let script {
                try box.editRealmByHand(url) { clone in
                    let path = clone + "/domains/s3-access/contracts/s3-permissions.yaml"
                    let text = try box.read(path).components(separatedBy: "validation:\n")[0]
                    try box.write(path, text + "validation:\n  importer: \(script)\n")
                }
            }
            try box.write("aperture/config/s3.yaml", "read: [\(paths)]\nwrite: []\n")
            try box.git(["commit", "-qam", paths], in: aperture)
            let sync = try box.realm(["sync"], in: aperture)
            #expect(sync.status == 0, "\(sync)")
        }
        func resolved() throws -> String? {
            try box.realmFile(url, "domains/s3-access/bindings/fungal-image-analysis.yaml")?
                .split(separator: "\n").first { $0.contains("resolved_version") }.map(String.init)
        }
        // The realm names a script: it never runs (fungal declares none), the import is acknowledged.
        try box.write("fungal-image-analysis/scripts/check.sh", "#!/bin/sh\ntouch ran-by-realm\nexit 1\n")
        chmod(box.path("fungal-image-analysis/scripts/check.sh"), 0o755)
        try box.git(["add", "scripts/check.sh"], in: fungal)
        try box.git(["commit", "-qm", "check"], in: fungal)
        try publish("a, b", importer: "scripts/check.sh")
        let ignored = try box.realm(["sync"], in: fungal)
        #expect(ignored.status == 0, "\(ignored)")
        #expect(!box.exists("fungal-image-analysis/ran-by-realm"), "a script the realm names must not run")
        #expect(try resolved()?.contains("1.5.0") == true)

        // Declared by the repo: outside the repository is a usage error naming .gitrealm.
        try box.appendToGitrealm(in: fungal, ["[import \"s3-permissions\"]", "\tvalidate = ../../evil.sh"])
        try publish("a, b, c")
        let outside = try box.realm(["sync"], in: fungal)
        #expect(outside.status == 2, "\(outside)")
        #expect(outside.stderr.contains(".gitrealm: import.s3-permissions.validate '../../evil.sh' leaves the repository"), "\(outside)")

        // Untracked: refused.
        try box.write("fungal-image-analysis/.gitrealm", try box.read("fungal-image-analysis/.gitrealm")
            .replacingOccurrences(of: "../../evil.sh", with: "scripts/validate.sh"))
        try box.write("fungal-image-analysis/scripts/validate.sh", "#!/bin/sh\necho 'not granted: c'\nexit 1\n")
        chmod(box.path("fungal-image-analysis/scripts/validate.sh"), 0o755)
        let untracked = try box.realm(["sync"], in: fungal)
        #expect(untracked.status == 5, "\(untracked)")
        #expect(untracked.stderr.contains("is not a file git tracks"))

        // Tracked but not executable in git: refused (never run through sh).
        try box.git(["add", "scripts/validate.sh"], in: fungal)
        try box.git(["update-index", "--chmod=-x", "scripts/validate.sh"], in: fungal)
        let plain = try box.realm(["sync"], in: fungal)
        #expect(plain.status == 5, "\(plain)")
        #expect(plain.stderr.contains("is not tracked as executable"), "\(plain)")

        try box.git(["update-index", "--chmod=+x", "scripts/validate.sh"], in: fungal)
        try box.git(["commit", "-qm", "validate"], in: fungal)
        let invalid = try box.realm(["sync"], in: fungal)
        #expect(invalid.status == 1, "\(invalid)")
        #expect(invalid.stdout.contains("not granted: c"))
        #expect(try resolved()?.contains("1.5.0") == true)

        try box.write("fungal-image-analysis/scripts/validate.sh", "#!/bin/sh\necho granted\nexit 2\n")
        chmod(box.path("fungal-image-analysis/scripts/validate.sh"), 0o755)
        try box.git(["commit", "-qam", "warn"], in: fungal)
        #expect(try box.realm(["sync", "--strict", "--dry-run"], in: fungal).status == 1, "a warning fails only with --strict")
        let warned = try box.realm(["sync"], in: fungal)
        #expect(warned.status == 0, "\(warned)")
        #expect(try resolved()?.contains("1.6.0") == true)
    }

    @Test func joinOffersDetectedExports() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let repo = try box.makeRepo("aperture", files: [
            "models/training/s3_paths.py": "READ = [\"s3://bucket/jobs/*/masks/*\"]\nWRITE_PATHS = [\"s3://bucket/out/*\"]\n",
            "README.md": "no paths here\n",
        ])
        let join = try box.realm(["admin", "join", url, "--json"], in: repo)
        #expect(join.status == 0, "\(join)")
        let json = try box.json(join)
        let detected = try #require((json["detected_exports"] as? [[String: Any]])?.first)
        #expect(detected["source_files"] as? [String] == ["models/training/s3_paths.py"])
        let value = try #require(detected["value"] as? [String: [String]])
        #expect(value["read"] == ["jobs/*/masks/*"])
        #expect(value["write"] == ["out/*"])
    }
}

extension SyncTests {
    /// `import --range` no longer shadows git-realm's `--version`; the old spelling still works.
    @Test func importTakesItsRangeAsRange() throws {
        let box = try Sandbox()
        let (_, _, fungal) = try box.makeScenario()
        let help = try box.realm(["import", "--help"])
        #expect(help.stdout.components(separatedBy: "Show the version").count <= 2, "\(help)")
        #expect(help.stdout.contains("--range <range>"), "\(help)")
        let range = try box.realm(["import", "s3-permissions", "--from", "aperture", "--range", ">=1.0.0", "--binding", "README.md"], in: fungal)
        #expect(range.status == 0 && range.stderr.isEmpty, "\(range)")
        let old = try box.realm(["import", "s3-permissions", "--from", "aperture", "--version", ">=1.0.0", "--binding", "README.md"], in: fungal)
        #expect(old.status == 0 && old.stderr.contains("import --version is now --range"), "\(old)")
        let both = try box.realm(["import", "s3-permissions", "--from", "aperture", "--version", "^1", "--range", "^1", "--binding", "README.md"], in: fungal)
        #expect(both.status == 2, "\(both)")
        let none = try box.realm(["import", "s3-permissions", "--from", "aperture", "--binding", "README.md"], in: fungal)
        #expect(none.status == 2 && none.stderr.contains("--range"), "\(none)")
    }
}
