#if canImport(Glibc)
import Glibc
#endif
import RealmGit

/// `git realm demo`: a throwaway realm with two repos, aperture and fungal-image-analysis,
/// walked through the seeds' scenario with the real `git realm` commands. Each step prints
/// the command and its output and checks its exit status.
public struct Demo {
    public var keep: String?
    public var print: (String) -> Void

    public init(keep: String?, print: @escaping (String) -> Void) {
        self.keep = keep
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
            "HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
            "PATH": binDir + ":" + (environment("PATH") ?? "/usr/bin:/bin"),
            "GIT_AUTHOR_NAME": "Demo", "GIT_AUTHOR_EMAIL": "demo@example.com",
            "GIT_COMMITTER_NAME": "Demo", "GIT_COMMITTER_EMAIL": "demo@example.com",
            "GIT_REALM_COLOR": "never",
        ]
        try writeTextFile(home + "/.gitconfig", "[user]\n\tname = Demo\n\temail = demo@example.com\n[init]\n\tdefaultBranch = main\n")

        let aperture = root + "/aperture", fungal = root + "/fungal-image-analysis"
        try makeDirectories(aperture + "/models/training")
        try writeTextFile(aperture + "/models/training/s3_paths.py",
                          "READ = [\"s3://bucket/jobs/*/masks/*\", \"s3://bucket/training-runs/*\"]\n")
        try makeDirectories(fungal + "/cdk")
        try writeTextFile(fungal + "/cdk/training_tools_access_stack.py", "ALLOWED = [\"jobs/*/masks/*\", \"training-runs/*\"]\n")

        let steps: [Step] = [
            Step(directory: root, command: ["git", "init", "--quiet", "--bare", "realm.git"], note: "An empty bare repository will hold the realm"),
            Step(directory: root, command: ["git", "realm", "admin", "init", "realm.git", "--name", "letemcook"], note: "Create the realm"),
            Step(directory: aperture, command: ["git", "init", "--quiet"], note: "aperture: the training-tools webapp"),
            Step(directory: aperture, command: ["git", "add", "."], note: ""),
            Step(directory: aperture, command: ["git", "commit", "--quiet", "-m", "aperture: S3 paths"], note: ""),
            Step(directory: aperture, command: ["git", "realm", "admin", "join", "../realm.git"], note: "Register aperture in the realm"),
            Step(directory: fungal, command: ["git", "init", "--quiet"], note: "fungal-image-analysis: grants S3 access through IAM"),
            Step(directory: fungal, command: ["git", "add", "."], note: ""),
            Step(directory: fungal, command: ["git", "commit", "--quiet", "-m", "fungal: IAM stack"], note: ""),
            Step(directory: fungal, command: ["git", "realm", "admin", "join", "../realm.git"], note: "Register fungal-image-analysis"),
            Step(directory: aperture, command: ["git", "realm", "admin", "domain", "create", "s3-access",
                                                "--repos", "aperture,fungal-image-analysis", "--contract", "s3-permissions"],
                 note: "aperture provides s3-permissions to fungal-image-analysis"),
            Step(directory: aperture, command: ["git", "realm", "status"], note: "aperture's view"),
            Step(directory: fungal, command: ["git", "realm", "status", "--fetch"], note: "fungal-image-analysis's view"),
            Step(directory: aperture, command: ["git", "realm", "graph"], note: "The dependency graph"),
            Step(directory: aperture, command: ["git", "realm", "graph", "--format", "mermaid"], note: ""),
            Step(directory: fungal, command: ["git", "realm", "admin", "domain", "create", "feedback-loop",
                                              "--repos", "fungal-image-analysis,aperture", "--contract", "feedback"],
                 expectStatus: 5, note: "A domain in the other direction would close a cycle: refused"),
            Step(directory: aperture, command: ["git", "log", "--oneline", "refs/realm/letemcook/main"], note: "Every realm write is one commit"),
        ]

        var failures = 0
        for step in steps {
            if !step.note.isEmpty { print("\n# \(step.note)") }
            let relative = step.directory == root ? "" : "cd \(step.directory.split(separator: "/").last ?? "") && "
            print("$ \(relative)\(step.command.joined(separator: " "))")
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

func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
