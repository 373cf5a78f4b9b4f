import Foundation
import Testing
import TestSupport

/// A throwaway world for one test: its own HOME and git config, a bin directory where
/// `git-realm` and its `git-realm-<sub>` links sit first on PATH, and helpers to run git and
/// `git realm` as a user would. Everything lives under one temporary directory, and every
/// command runs in the hermetic environment (`HermeticEnvironment`): nothing of the caller's
/// git setup reaches it.
final class Sandbox: @unchecked Sendable {
    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String
        /// The watchdog killed the command: it ran past `run`'s `deadline`.
        var timedOut = false
        var output: String { stdout + stderr }
        var description: String { "exit \(status)\(timedOut ? " (killed by the test's watchdog)" : "")\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
    }

    static let subcommands = ["status", "graph", "admin", "hooks", "hook", "demo", "check", "schema", "semver", "sync", "export", "import",
                              "worktree", "commit", "push"]

    /// The built executable: GIT_REALM_BIN, or `git-realm` beside the test bundle.
    static let binary: String = {
        if let explicit = HermeticEnvironment.original["GIT_REALM_BIN"] { return explicit }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // The test bundle may be a directory (…/git-realmPackageTests.xctest/…) on some setups.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("git-realm").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return exe.deletingLastPathComponent().appendingPathComponent("git-realm").path
    }()

    let root: String
    let home: String
    let bin: String
    /// The environment the sandbox starts from: the test process's, or one a test makes up.
    let outer: [String: String]

    init(outer: [String: String] = HermeticEnvironment.original) throws {
        self.outer = outer
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("git-realm-test-\(UUID().uuidString.prefix(8))")
        root = base.path
        home = root + "/home"
        bin = root + "/bin"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try """
        [user]
        \tname = Test User
        \temail = test@example.com
        [init]
        \tdefaultBranch = main
        [advice]
        \tdetachedHead = false
        """.write(toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: bin + "/git-realm", withDestinationPath: Self.binary)
        for sub in Self.subcommands {
            try FileManager.default.createSymbolicLink(atPath: bin + "/git-realm-\(sub)", withDestinationPath: "git-realm")
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// What every command runs with: no `GIT_*` variable of the caller's, this sandbox's HOME
    /// and global config, no colour unless a test asks for it, and `bin` first on PATH.
    var environment: [String: String] {
        var env = HermeticEnvironment.variables(from: outer, home: home)
        env["GIT_REALM_COLOR"] = "never"
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        return env
    }

    func path(_ relative: String) -> String { relative.hasPrefix("/") ? relative : root + "/" + relative }

    /// Runs a command as a user would. A watchdog kills it (SIGKILL) after `deadline` seconds,
    /// so a hang fails the test with `timedOut` instead of stopping the run.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
             stdin: String? = nil, environment extra: [String: String] = [:], unsetting: [String] = [],
             deadline: Double = 180) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path(directory ?? root))
        var env = environment.merging(extra) { $1 }
        for key in unsetting { env[key] = nil }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let pid = process.processIdentifier
        nonisolated(unsafe) var killed = false
        let watchdog = DispatchWorkItem { killed = true; Sandbox.killTree(pid) }
        DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: watchdog)
        defer { watchdog.cancel() }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot block.
        nonisolated(unsafe) var outData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), timedOut: killed)
    }

    /// SIGKILLs `pid` and every process descending from it (git runs `git-realm` as a child,
    /// which runs git again): found through /proc, children first stopped so none escapes.
    static func killTree(_ pid: Int32) {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, let parent = Int32(fields[1]) { parents[child] = parent }
        }
        var tree = [pid]
        var i = 0
        while i < tree.count {
            tree += parents.filter { $0.value == tree[i] }.map(\.key)
            i += 1
        }
        for p in tree { kill(p, SIGSTOP) }
        for p in tree { kill(p, SIGKILL) }
    }

    /// `git realm <args>` in `directory`.
    @discardableResult
    func realm(_ arguments: [String], in directory: String? = nil, stdin: String? = nil,
               environment extra: [String: String] = [:], unsetting: [String] = [], deadline: Double = 180) throws -> Result {
        try run("git", ["realm"] + arguments, in: directory, stdin: stdin, environment: extra, unsetting: unsetting,
                deadline: deadline)
    }

    /// Runs git and fails the test when it fails.
    @discardableResult
    func git(_ arguments: [String], in directory: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run("git", arguments, in: directory)
        #expect(result.status == 0, "git \(arguments.joined(separator: " ")) failed: \(result)", sourceLocation: sourceLocation)
        return result.stdout
    }

    func write(_ relative: String, _ text: String) throws {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// An empty bare repository to hold a realm.
    func makeBareRealm(_ name: String = "realm.git") throws -> String {
        try git(["init", "--quiet", "--bare", name])
        return path(name)
    }

    /// A realm made with `git realm admin init`. Not `governed`: breaking and narrowing changes
    /// land directly (no approval, no grace period), so that tests about something else can
    /// publish them by hand; governed: the defaults (docs/trust.md "Governance").
    func makeRealm(name: String = "letemcook", governed: Bool = false) throws -> String {
        let url = try makeBareRealm(name == "letemcook" ? "realm.git" : "\(name).git")
        let result = try realm(["admin", "init", url, "--name", name] + (governed ? [] : ["--no-require-approval", "--grace-period-days", "0"]))
        #expect(result.status == 0, "admin init failed: \(result)")
        return url
    }

    /// A participant repository with one commit.
    func makeRepo(_ name: String, files: [String: String] = ["README.md": "hello\n"]) throws -> String {
        let dir = path(name)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try git(["init", "--quiet"], in: dir)
        for (file, text) in files { try write(name + "/" + file, text) }
        try git(["add", "."], in: dir)
        try git(["commit", "--quiet", "-m", "initial"], in: dir)
        return dir
    }

    /// A realm with aperture and fungal-image-analysis joined and the s3-access domain.
    func makeScenario() throws -> (realm: String, aperture: String, fungal: String) {
        let url = try makeRealm()
        let aperture = try makeRepo("aperture")
        let fungal = try makeRepo("fungal-image-analysis")
        for dir in [aperture, fungal] {
            let r = try realm(["admin", "join", url], in: dir)
            #expect(r.status == 0, "join failed: \(r)")
        }
        let d = try realm(["admin", "domain", "create", "s3-access", "--repos", "aperture,fungal-image-analysis",
                           "--contract", "s3-permissions"], in: aperture)
        #expect(d.status == 0, "domain create failed: \(d)")
        return (url, aperture, fungal)
    }

    /// Edits the realm by hand, as a human with a clone would: `edit` gets the clone's path.
    func editRealmByHand(_ url: String, message: String = "hand edit", date: String? = nil, _ edit: (String) throws -> Void) throws {
        let clone = path("realm-clone-\(UUID().uuidString.prefix(6))")
        try git(["clone", "--quiet", url, clone])
        try edit(clone)
        try git(["add", "-A"], in: clone)
        let dated = date.map { ["GIT_AUTHOR_DATE": $0, "GIT_COMMITTER_DATE": $0] } ?? [:]
        let committed = try run("git", ["commit", "--quiet", "-m", message], in: clone, environment: dated)
        #expect(committed.status == 0, "\(committed)")
        try git(["push", "--quiet", "origin", "HEAD:main"], in: clone)
    }

    /// The realm's file at main, read with git.
    func realmFile(_ url: String, _ path: String) throws -> String? {
        let r = try run("git", ["--git-dir", url, "show", "main:\(path)"])
        return r.status == 0 ? r.stdout : nil
    }

    func json(_ result: Result) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return object as? [String: Any] ?? [:]
    }
}
