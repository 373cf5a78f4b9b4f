import Foundation
import Testing

/// `git realm check --mode=exporter|importer`: the CI entry points.
@Suite struct CheckTests {
    @Test func exporterPassesWhenTheCodeMatchesAndFailsWhenItDiffers() throws {
        let box = try Sandbox()
        let (_, aperture, _) = try box.makeExportScenario()
        let ok = try box.realm(["check", "--mode=exporter"], in: aperture)
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.stdout == "✓ s3-permissions: code matches contract\n", "\(ok)")

        // The working tree is checked (CI checks out the commit under test).
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        let drift = try box.realm(["check", "--mode=exporter"], in: aperture)
        #expect(drift.status == 1, "\(drift)")
        #expect(drift.stdout.contains("✗ s3-permissions: code differs from contract v1.0.0 (config/s3.yaml)"), "\(drift)")
        #expect(drift.stdout.contains("    + training-metrics/experiments/*"))
        #expect(drift.stdout.contains("git realm sync"))
        #expect(drift.stdout.hasSuffix("1 error\n"), "\(drift)")

        let json = try box.realm(["check", "--mode=exporter", "--json"], in: aperture)
        #expect(json.status == 1)
        let object = try box.json(json)
        #expect(object["mode"] as? String == "exporter")
        #expect(object["ok"] as? Bool == false)
        #expect(object["errors"] as? Int == 1)
        let exports = try #require(object["exports"] as? [[String: Any]])
        #expect(exports.first?["drifted"] as? Bool == true)
        #expect(exports.first?["changes"] as? [String] == ["+ training-metrics/experiments/*"])
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.first?["severity"] as? String == "error")
        #expect(findings.first?["file"] as? String == "config/s3.yaml")

        let github = try box.realm(["check", "--mode=exporter", "--format", "github"], in: aperture)
        #expect(github.status == 1)
        #expect(github.stdout.contains("::error file=config/s3.yaml,title=s3-permissions::s3-permissions: code differs from contract v1.0.0%0A+ training-metrics/experiments/*"), "\(github)")

        // A value that breaks the contract's schema is a failure too.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: 3\n")
        let invalid = try box.realm(["check", "--mode=exporter", "--contract", "s3-permissions"], in: aperture)
        #expect(invalid.status == 1)
        #expect(invalid.stdout.contains("the exported value fails the contract's schema"), "\(invalid)")

        let unknown = try box.realm(["check", "--mode=exporter", "--contract", "nope"], in: aperture)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("error: this repository does not export contract 'nope'"))
        #expect(unknown.stderr.contains("hint: it exports: s3-permissions"))
    }

    /// A binding that names a missing contract is an error that points at the realm file in
    /// its message: as a CI annotation's file it would name a path this repository lacks.
    @Test func exporterNamingAMissingContractNamesTheRealmFile() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeExportScenario()
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/" + Sandbox.apertureBinding, """
            repo: aperture
            role: provider
            exports:
              - contract: vanished
                source_files: [config/s3.yaml]
                from_file: config/s3.yaml

            """)
        }
        let github = try box.realm(["check", "--mode=exporter", "--fetch", "--format", "github"], in: aperture)
        #expect(github.status == 1, "\(github)")
        let line = github.stdout.split(separator: "\n").first { $0.hasPrefix("::error") }.map(String.init) ?? ""
        #expect(line.contains("which does not exist in domain s3-access (realm file \(Sandbox.apertureBinding))"), "\(github)")
        #expect(!line.contains("file="), "no annotation file outside this repository: \(line)")
    }

    @Test func exporterRunsValidationScripts() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeExportScenario()
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/" + Sandbox.s3Contract, Sandbox.s3ContractText(
                version: "1.0.0", read: ["jobs/*/masks/*"],
                validation: "validation:\n  exporter: scripts/validate.sh\n  ci_only: [scripts/integration.sh, scripts/elsewhere.sh]"))
        }
        try box.write("aperture/scripts/validate.sh", "#!/bin/sh\necho \"checking $GIT_REALM_CONTRACT $GIT_REALM_ROLE\"\nexit \"${VALIDATE_EXIT:-0}\"\n")
        try box.write("aperture/scripts/integration.sh", "#!/bin/sh\necho integration >&2\nexit 0\n")
        for script in ["validate.sh", "integration.sh"] { chmod(box.path("aperture/scripts/" + script), 0o755) }
        try box.appendToGitrealm(in: aperture, ["\tvalidate = scripts/validate.sh", "\tci-validate = scripts/integration.sh",
                                                "\tci-validate = scripts/elsewhere.sh"])
        try box.git(["add", "."], in: aperture)
        try box.git(["commit", "--quiet", "-m", "scripts"], in: aperture)

        let passed = try box.realm(["check", "--mode=exporter", "--fetch"], in: aperture, environment: ["CI": ""])
        #expect(passed.status == 0, "\(passed)")
        #expect(passed.stdout.contains("✓ s3-permissions: exporter validation scripts/validate.sh passed"), "\(passed)")
        #expect(passed.stdout.contains("ci-validate skipped (CI is not set)"))

        let warned = try box.realm(["check", "--mode=exporter"], in: aperture, environment: ["VALIDATE_EXIT": "2", "CI": ""])
        #expect(warned.status == 0, "a warning is not a failure: \(warned)")
        #expect(warned.stdout.contains("⚠️  s3-permissions: exporter validation scripts/validate.sh warned (exit 2)"), "\(warned)")
        #expect(warned.stdout.contains("    checking s3-permissions exporter"))
        let strict = try box.realm(["check", "--mode=exporter", "--strict"], in: aperture, environment: ["VALIDATE_EXIT": "2", "CI": ""])
        #expect(strict.status == 1, "\(strict)")

        let failed = try box.realm(["check", "--mode=exporter"], in: aperture, environment: ["VALIDATE_EXIT": "1", "CI": ""])
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stdout.contains("✗ s3-permissions: exporter validation scripts/validate.sh failed (exit 1)"))

        // ci-validate scripts run in CI; one git does not track never runs.
        let ci = try box.realm(["check", "--mode=exporter"], in: aperture, environment: ["CI": "true"])
        #expect(ci.status == 1, "\(ci)")
        #expect(ci.stdout.contains("exporter validation scripts/integration.sh passed"), "\(ci)")
        try box.write("aperture/scripts/elsewhere.sh", "#!/bin/sh\nexit 0\n")
        chmod(box.path("aperture/scripts/elsewhere.sh"), 0o755)
        let untracked = try box.realm(["check", "--mode=exporter"], in: aperture, environment: ["CI": "1"])
        #expect(untracked.status == 1, "\(untracked)")
        #expect(untracked.stdout.contains("not a file git tracks"), "\(untracked)")
    }

    @Test func importerIsCurrentThenStaleThenBroken() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        let current = try box.realm(["check", "--mode=importer", "--fetch"], in: fungal)
        #expect(current.status == 0, "\(current)")
        #expect(current.stdout == "✓ s3-permissions: binding at 1.0.0 (current)\n", "\(current)")

        try box.publishS3(url, version: "1.5.0", read: ["jobs/*/masks/*", "training-metrics/experiments/*"])
        let notFetched = try box.realm(["check", "--mode=importer"], in: fungal)
        #expect(notFetched.stdout.contains("(current)"), "without --fetch the last fetched realm is used")
        let stale = try box.realm(["check", "--mode=importer", "--fetch"], in: fungal)
        #expect(stale.status == 0, "stale is a warning: \(stale)")
        #expect(stale.stdout.contains("⚠️  s3-permissions: binding at 1.0.0, 1.5.0 available (stale; range >=1.0.0, <2.0.0)"), "\(stale)")
        #expect(stale.stdout.contains("training-metrics/experiments/*"))
        let strict = try box.realm(["check", "--mode=importer", "--strict"], in: fungal)
        #expect(strict.status == 1, "\(strict)")
        #expect(strict.stdout.contains("1 warning (failures with --strict)"))
        let json = try box.json(try box.realm(["check", "--mode=importer", "--json"], in: fungal))
        let imports = try #require(json["imports"] as? [[String: Any]])
        #expect(imports.first?["status"] as? String == "stale")
        #expect(imports.first?["newest_version"] as? String == "1.5.0")
        #expect(json["ok"] as? Bool == true)

        try box.editRealmByHand(url) { clone in
            let path = clone + "/domains/s3-access/bindings/fungal-image-analysis.yaml"
            let text = try box.read(path).replacingOccurrences(of: ">=1.0.0, <2.0.0", with: ">=3.0.0")
            try box.write(path, text.replacingOccurrences(of: "status: current", with: "status: current\n    binding: cdk/policy.py"))
        }
        let broken = try box.realm(["check", "--mode=importer", "--fetch", "--format", "github"], in: fungal)
        #expect(broken.status == 1, "\(broken)")
        #expect(broken.stdout.contains("::error file=cdk/policy.py,title=s3-permissions::s3-permissions: broken: no published version satisfies >=3.0.0"), "\(broken)")
        #expect(broken.stdout.contains("::warning file=cdk/policy.py,title=s3-permissions::s3-permissions: binding file 'cdk/policy.py' does not exist"), "\(broken)")
    }

    @Test func importerRunsItsValidationScript() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/" + Sandbox.s3Contract, Sandbox.s3ContractText(
                version: "1.0.0", read: ["jobs/*/masks/*"], validation: "validation:\n  importer: scripts/check-policy.sh"))
        }
        try box.write("fungal-image-analysis/scripts/check-policy.sh",
                      "#!/bin/sh\necho \"$GIT_REALM_ROLE $GIT_REALM_CONTRACT value=$GIT_REALM_VALUE\"\nexit \"${POLICY_EXIT:-0}\"\n")
        chmod(box.path("fungal-image-analysis/scripts/check-policy.sh"), 0o755)
        try box.git(["add", "."], in: fungal)
        try box.git(["commit", "--quiet", "-m", "policy check"], in: fungal)
        // The realm suggests the script; only the repo's own declaration makes it run.
        let suggested = try box.realm(["check", "--mode=importer", "--fetch"], in: fungal)
        #expect(suggested.status == 0, "\(suggested)")
        #expect(suggested.stdout.contains("the contract suggests importer validation 'scripts/check-policy.sh'; not run"), "\(suggested)")
        #expect(!suggested.stdout.contains("importer validation scripts/check-policy.sh passed"), "\(suggested)")
        try box.appendToGitrealm(in: fungal, ["[import \"s3-permissions\"]", "\tvalidate = scripts/check-policy.sh"])
        let ok = try box.realm(["check", "--mode=importer", "--fetch"], in: fungal)
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.stdout.contains("✓ s3-permissions: importer validation scripts/check-policy.sh passed"), "\(ok)")
        let r = try box.realm(["check", "--mode=importer"], in: fungal, environment: ["POLICY_EXIT": "3"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("✗ s3-permissions: importer validation scripts/check-policy.sh failed (exit 3)"), "\(r)")
        #expect(r.stdout.contains("    importer s3-permissions value={"), "\(r)")
    }

    @Test func checkOutsideARealmSaysSo() throws {
        let box = try Sandbox()
        let lonely = try box.makeRepo("lonely")
        for mode in ["exporter", "importer"] {
            let r = try box.realm(["check", "--mode=\(mode)"], in: lonely)
            #expect(r.status == 3, "\(r)")
            #expect(r.stderr.hasPrefix("error: this repository has not joined a realm"))
        }
    }
}
