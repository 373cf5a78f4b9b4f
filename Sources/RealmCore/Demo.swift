#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmSupport

/// `git realm demo`: a throwaway realm with two repos, aperture and fungal-image-analysis,
/// walked through the seeds' scenario with the real `git realm` commands. Each step prints
/// the command and its output and checks its exit status.
public struct Demo {
    public var keep: String?
    /// Sign every realm write with an SSH key made by ssh-keygen, in a realm that requires
    /// signed commits and whose bare repository verifies each push (docs/trust.md).
    public var signed = false
    public var print: (String) -> Void

    public init(keep: String?, signed: Bool = false, print: @escaping (String) -> Void) {
        self.keep = keep
        self.signed = signed
        self.print = print
    }

    public struct Step {
        var directory: String
        var command: [String]
        var expectStatus: Int32 = 0
        var note: String
    }

    /// Runs the scenario; returns the number of steps that did not behave.
    public func run() throws -> Int {
        let root: String
        if let keep {
            root = absolutePath(keep)
            if fileExists(root) && !listDirectory(root).isEmpty {
                throw RealmError(.usage, "\(root) is not empty; --keep needs a new or empty directory")
            }
            try makeDirectories(root)
        } else {
            root = try TemporaryDirectory(prefix: "git-realm-demo").path
        }
        defer { if keep == nil { removeTree(root) } }

        guard let exe = realPath("/proc/self/exe") else { throw RealmError(.internalError, "cannot find the git-realm executable") }
        let binDir = String(exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)])
        let home = root + "/home"
        try makeDirectories(home)
        let env: [String: String] = [
            "HOME": home, "GIT_CONFIG_GLOBAL": home + "/.gitconfig", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
            "PATH": binDir + ":" + (envString("PATH") ?? "/usr/bin:/bin"),
            "GIT_AUTHOR_NAME": "Demo", "GIT_AUTHOR_EMAIL": "demo@example.com",
            "GIT_COMMITTER_NAME": "Demo", "GIT_COMMITTER_EMAIL": "demo@example.com",
            "GIT_REALM_COLOR": "never",
        ]
        try writeTextFile(home + "/.gitconfig", "[user]\n\tname = Demo\n\temail = demo@example.com\n[init]\n\tdefaultBranch = main\n")

        let aperture = root + "/aperture", fungal = root + "/fungal-image-analysis"
        let teammate = root + "/fungal-teammate"
        try makeDirectories(aperture + "/models/training")
        try writeTextFile(aperture + "/models/training/s3_paths.py", """
            READ_PATHS = [
                "s3://bucket/jobs/*/masks/*",
                "s3://bucket/jobs/*/*/config.json",
                "s3://bucket/training-runs/*",
            ]
            WRITE_PATHS = ["s3://bucket/jobs/*/*/manifest.json"]

            """)
        try makeDirectories(fungal + "/cdk")
                try writeTextFile(fungal + "/cdk/training_tools_access_stack.py", """
            ALLOWED_READ = ["jobs/*/masks/*", "jobs/*/*/config.json", "training-runs/*"]
            ALLOWED_WRITE = ["jobs/*/*/manifest.json"]

            """)
        try writeTextFile(root + "/s3-permissions.schema.yaml", """
            type: object
            required: [read]
            properties:
              read: {type: array, items: {type: string}}
              write: {type: array, items: {type: string}, default: []}

            """)
        try writeTextFile(root + "/s3-permissions.value.yaml", """
            read: ["jobs/*/*/config.json", "jobs/*/masks/*", "training-runs/*"]
            write: ["jobs/*/*/manifest.json"]

            """)
        let newPath = "    \"s3://bucket/training-metrics/experiments/*\",\n"
        let grant = "ALLOWED_READ += [\"training-metrics/experiments/*\"]\n"

        let key = home + "/.ssh/realm_ed25519"
        let signing: [Step] = !signed ? [] : [
            Step(directory: root, command: ["sh", "-c", "mkdir -p ~/.ssh && ssh-keygen -q -t ed25519 -N '' -C demo@example.com -f ~/.ssh/realm_ed25519"],
                 note: "A signing key (everyone here is demo@example.com; in real life, one key per person)"),
            Step(directory: root, command: ["git", "config", "--global", ConfigKey.gpgFormat, "ssh"], note: ""),
            Step(directory: root, command: ["git", "config", "--global", ConfigKey.userSigningKey, key + ".pub"], note: ""),
        ]
        let create: [Step] = signed ? [
            Step(directory: root, command: ["git", "realm", "admin", "init", "realm.git", "--name", "letemcook", "--require-signed-commits"],
                 note: "Create the realm: every realm commit must be signed by a registered key"),
            Step(directory: root, command: ["git", "realm", "admin", "protect", "realm.git"],
                 note: "The realm's server verifies every push (the same check every member makes on fetch)"),
        ] : [
            Step(directory: root, command: ["git", "realm", "admin", "init", "realm.git", "--name", "letemcook"], note: "Create the realm"),
        ]
        let verify: [Step] = !signed ? [] : [
            Step(directory: aperture, command: ["git", "realm", "check", "--mode=realm"],
                 note: "Who wrote each realm commit, proven by history: every commit signed by a registered key, each change by someone allowed to make it"),
            Step(directory: root, command: ["sh", "-c", "git clone --quiet realm.git mallory && cd mallory && echo '# mine now' >> domains/s3-access/contracts/s3-permissions.yaml && GIT_AUTHOR_EMAIL=mallory@example.com GIT_COMMITTER_EMAIL=mallory@example.com git commit --quiet --no-gpg-sign -am 'Take over s3-permissions' && git push --quiet origin HEAD:main"],
                 expectStatus: 1, note: "Someone without a registered key edits aperture's contract and pushes: refused by the realm's server"),
        ]

        let steps: [Step] = signing + [
            Step(directory: root, command: ["git", "init", "--quiet", "--bare", "realm.git"], note: "An empty bare repository will hold the realm"),
        ] + create + [
            Step(directory: root, command: ["git", "init", "--quiet", "--bare", "aperture.git"], note: "Each repo has its own remote"),
            Step(directory: root, command: ["git", "init", "--quiet", "--bare", "fungal-image-analysis.git"], note: ""),
            Step(directory: aperture, command: ["git", "init", "--quiet"], note: "aperture: the training-tools webapp"),
            Step(directory: aperture, command: ["git", "remote", "add", "origin", "../aperture.git"], note: ""),
            Step(directory: aperture, command: ["git", "realm", "admin", "join", "../realm.git"], note: "Register aperture in the realm"),
            Step(directory: aperture, command: ["git", "add", "."], note: ""),
            Step(directory: aperture, command: ["git", "commit", "--quiet", "-m", "aperture: S3 paths and realm membership"], note: ""),
            Step(directory: aperture, command: ["git", "push", "--quiet", "origin", "main"], note: ""),
            Step(directory: fungal, command: ["git", "init", "--quiet"], note: "fungal-image-analysis: grants S3 access through IAM"),
            Step(directory: fungal, command: ["git", "remote", "add", "origin", "../fungal-image-analysis.git"], note: ""),
            Step(directory: fungal, command: ["git", "realm", "admin", "join", "../realm.git"], note: "Register fungal-image-analysis"),
            Step(directory: fungal, command: ["git", "add", "."], note: ""),
            Step(directory: fungal, command: ["git", "commit", "--quiet", "-m", "fungal: IAM stack and realm membership"], note: ""),
            Step(directory: fungal, command: ["git", "push", "--quiet", "-u", "origin", "main"], note: ""),
            Step(directory: aperture, command: ["git", "realm", "admin", "domain", "create", "s3-access",
                                                "--repos", "aperture,fungal-image-analysis", "--contract", "s3-permissions",
                                                "--schema", "../s3-permissions.schema.yaml", "--value", "../s3-permissions.value.yaml",
                                                "--contract-version", "1.4.0"],
                 note: "aperture provides s3-permissions 1.4.0 to fungal-image-analysis"),
            Step(directory: aperture, command: ["git", "realm", "export", "s3-permissions", "--source", "models/**/*.py", "--detect", "s3-paths"],
                 note: "aperture's value is the S3 paths found in its code"),
            Step(directory: fungal, command: ["git", "realm", "import", "s3-permissions", "--from", "aperture",
                                              "--range", ">=1.0.0, <2.0.0", "--binding", "cdk/training_tools_access_stack.py"],
                 note: "fungal-image-analysis implements it in its IAM stack"),
            Step(directory: aperture, command: ["git", "realm", "status"], note: "aperture's view"),
            Step(directory: aperture, command: ["git", "realm", "graph"], note: "The dependency graph"),

            Step(directory: aperture, command: ["sh", "-c", "sed -i 's|^    \"s3://bucket/training-runs/\\*\",|&\\n\(newPath.dropLast())|' models/training/s3_paths.py && git commit --quiet -am 'Read experiment metrics' && git show --stat --oneline HEAD | head -3"],
                 note: "A developer in aperture adds a new S3 path"),
            Step(directory: aperture, command: ["git", "push", "origin", "main"], expectStatus: 1,
                 note: "The pre-push hook sees the contract's value changed: the push is blocked"),
            Step(directory: aperture, command: ["git", "realm", "session", "start", "--rfc", "training-metrics-v2"],
                 note: "aperture's developer says what they work on: a session every member sees"),
            Step(directory: aperture, command: ["git", "realm", "status"], note: "status shows the local change, who it affects, and the session"),
            // fungal-image-analysis watches while aperture syncs; watch prints its first line once it
            // knows the realm as it is, then the notification (--max-events 1: it stops after it).
            Step(directory: aperture, command: ["sh", "-c", "(cd ../fungal-image-analysis && git realm watch --interval 0.5 --max-events 1 > ../watch.log 2>&1) & until grep -q Watching ../watch.log 2>/dev/null; do sleep 0.1; done; git realm sync && wait && cat ../watch.log"],
                 note: "sync publishes s3-permissions 1.5.0 and notifies fungal-image-analysis, whose 'git realm watch' prints it as it arrives"),
            Step(directory: aperture, command: ["git", "push", "--quiet", "origin", "main"], note: "Now the push goes through"),

            Step(directory: root, command: ["git", "clone", "--quiet", "fungal-image-analysis.git", "fungal-teammate"], note: "Meanwhile a teammate in fungal-image-analysis pushes a fix"),
            Step(directory: teammate, command: ["sh", "-c", "echo '# reviewed' >> README.md && git add README.md && git commit --quiet -m 'Add README' && git push --quiet origin main"], note: ""),
            Step(directory: fungal, command: ["git", "pull", "--no-rebase", "--quiet", "origin", "main"], note: "fungal-image-analysis pulls: the post-merge hook warns about the new version"),
            Step(directory: fungal, command: ["git", "log", "--notes=realm", "-1", "--format=%h %s%n%N"], note: "The warning is kept as a note on the merged commit"),
            Step(directory: fungal, command: ["git", "realm", "status"], note: "fungal-image-analysis's view"),
            Step(directory: fungal, command: ["sh", "-c", "printf '\(grant.dropLast())\\n' >> cdk/training_tools_access_stack.py && git commit --quiet -am 'Grant training-metrics/experiments' && git log --oneline -1"],
                 note: "fungal-image-analysis grants the new path in its IAM stack"),
            Step(directory: fungal, command: ["git", "realm", "sync"], note: "sync acknowledges s3-permissions 1.5.0"),
            Step(directory: aperture, command: ["git", "realm", "status", "--fetch"], note: "aperture sees the acknowledgement"),

            Step(directory: fungal, command: ["git", "realm", "worktree", "--rfc", "training-metrics-v2"],
                 note: "A change that spans both repos: branch feat/training-metrics-v2 as a worktree in each, recorded in the realm"),
            Step(directory: aperture, command: ["sh", "-c", "cd .worktrees/feat-training-metrics-v2 && printf 'METRICS_VERSION = 2\\n' > models/training/metrics.py && git add models/training/metrics.py"],
                 note: "Edit in the worktrees"),
            Step(directory: fungal, command: ["sh", "-c", "cd .worktrees/feat-training-metrics-v2 && printf '# training metrics v2\\n' > cdk/METRICS.md && git add cdk/METRICS.md"], note: ""),
            Step(directory: fungal, command: ["git", "realm", "commit", "-m", "feat: training metrics v2"],
                 note: "One commit in each worktree, with the trailer Realm-Change: training-metrics-v2"),
            Step(directory: fungal, command: ["git", "realm", "push"], note: "Push both branches, exporters first"),
            Step(directory: fungal, command: ["git", "realm", "pr", "--title", "feat: training metrics v2"],
                 note: "One pull request per repo, in merge order, on the git-native forge (refs on each repo's own remote)"),
            Step(directory: fungal, command: ["git", "realm", "pr", "status"], note: "What each PR waits for"),
            Step(directory: fungal, command: ["git", "realm", "pr", "merge"], note: "Merge in order: aperture first, then fungal-image-analysis"),
            Step(directory: root, command: ["git", "--git-dir", "fungal-image-analysis.git", "log", "--oneline", "-1", "main"],
                 note: "fungal-image-analysis's main now has the change"),

            Step(directory: fungal, command: ["git", "realm", "admin", "domain", "create", "feedback-loop",
                                              "--repos", "fungal-image-analysis,aperture", "--contract", "feedback"],
                 expectStatus: 5, note: "A domain in the other direction would close a cycle: refused"),
            Step(directory: aperture, command: ["git", "log", "--oneline", RefLayout.fetchedMain(realm: "letemcook")], note: "Every realm write is one commit"),
        ] + verify

        var failures = 0
        for step in steps {
            // One line a call: the output guard escapes a newline inside a line.
            if !step.note.isEmpty { print(""); print("# \(step.note)") }
            let relative = step.directory == root ? "" : "cd \(step.directory.split(separator: "/").last ?? "") && "
            let shown = step.command.count == 3 && step.command[0] == "sh" && step.command[1] == "-c"
                ? step.command[2] : step.command.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
            print("$ \(relative)\(shown)")
            let result = try ProcessRunner.run(step.command[0], Array(step.command.dropFirst()),
                                               directory: step.directory, environment: env, timeout: 120)
            let output = (result.stdoutText + result.stderrText).split(separator: "\n", omittingEmptySubsequences: false)
            for line in output.dropLast(output.last == "" ? 1 : 0) { print("  " + line) }
            if result.status != step.expectStatus {
                failures += 1
                print("  !! expected exit \(step.expectStatus), got \(result.status)")
            }
        }
        print("")
        print(failures == 0 ? "Demo finished: every step behaved." : "Demo finished: \(failures) step(s) did not behave.")
        if keep != nil { print("The realm and repos are in \(root)") }
        return failures
    }
}
