import RealmGit
import RealmJSON
import RealmLimits
import RealmModel
import RealmSupport

/// Computes an export's value from the exporter's own tree: a YAML/JSON file (optionally at a
/// JSON pointer), a command that prints YAML/JSON, or a built-in detector over the export's
/// source files.
public struct ValueExtractor {
    public let repository: Repository
    /// The commit to read files from; nil reads the working tree.
    public let commit: OID?
    public var commandTimeout: Double = 60

    public init(repository: Repository, commit: OID? = nil) {
        self.repository = repository
        self.commit = commit
    }

    public func value(of export: Binding.Export) throws -> JSONValue? {
        guard let extraction = export.extraction else { return nil }
        Trace.event("extract: export \(export.contract) (\(Self.describe(extraction))\(commit.map { " at \($0.hex.prefix(12))" } ?? ""))")
        switch extraction {
        case .file(let spec):
            let (path, pointer) = Binding.Extraction.fileParts(spec)
            let bytes = try read(path)
            let document = try parse(bytes, origin: path)
            guard let pointer else { return document }
            guard let parsed = JSONPointer(pointer), let value = parsed.resolve(in: document) else {
                throw RealmError(.usage, "\(path): no value at JSON pointer '\(pointer)' (export \(export.contract))")
            }
            return value
        case .command(let command):
            guard let workdir = repository.workdir else {
                throw RealmError(.usage, "export \(export.contract): a command needs a working tree")
            }
            return try atCommitsTree(workdir: workdir, export: export) { directory, removing in
                let result = try ProcessRunner.run("/bin/sh", ["-c", command], directory: directory, timeout: commandTimeout,
                                                   removingEnvironment: removing)
                if result.timedOut {
                    throw RealmError(.checkFailed, "export \(export.contract): command '\(command)' timed out after \(Int(commandTimeout)) s")
                }
                guard result.status == 0 else {
                    throw RealmError(.checkFailed, "export \(export.contract): command '\(command)' failed with exit \(result.status): \(firstLine(result.stderrText))")
                }
                return try parse(result.stdout, origin: "output of '\(command)'")
            }
        case .detect(let detector):
            guard detector == S3PathDetector.name else {
                throw RealmError(.usage, "export \(export.contract): unknown detector '\(detector)' (known: \(S3PathDetector.name))")
            }
            let files = try sourceFiles(export)
            let texts = try files.map { (path: $0, text: String(decoding: try read($0), as: UTF8.self)) }
            return S3PathDetector.detect(texts).json
        }
    }

    /// `file values.yaml`, `command ./print`, `detect s3-paths`: for traces.
    static func describe(_ extraction: Binding.Extraction) -> String {
        switch extraction {
        case .file(let spec): return "file \(spec)"
        case .command(let command): return "command \(command)"
        case .detect(let detector): return "detect \(detector)"
        }
    }

    /// Tracked files matching the export's source globs; a glob that matches nothing is an error.
    public func sourceFiles(_ export: Binding.Export) throws -> [String] {
        var files: [String] = []
        for glob in export.sourceFiles {
            let matched: [String]
            if let commit {
                matched = try repository.changedPaths(from: nil, to: commit, pathspecs: [glob])
            } else {
                matched = try repository.trackedFiles(matching: [glob])
            }
            if matched.isEmpty {
                throw RealmError(.usage, "export \(export.contract): source '\(glob)' matches no tracked file")
            }
            files.append(contentsOf: matched)
        }
        return Array(Set(files)).sorted()
    }

    /// Runs `body` in a directory holding `commit`'s tree (the working tree when no commit is
    /// asked for): the working tree itself when it is `commit` checked out with no change to a
    /// tracked file, else a temporary worktree of `commit`, removed afterwards. A command sees
    /// exactly what is pushed, as files read from a commit do. `body` gets the git variables
    /// to drop from the command's environment (a hook's GIT_DIR would point it back here).
    private func atCommitsTree<T>(workdir: String, export: Binding.Export,
                                  _ body: (_ directory: String, _ removing: [String]) throws -> T) throws -> T {
        guard let commit else { return try body(workdir, []) }
        let clean = try repository.trackedFilesUnchanged()
        if try repository.headCommit() == commit, clean {
            return try body(workdir, [])
        }
        let scratch = try TemporaryDirectory(prefix: "git-realm-extract")
        let tree = scratch.path + "/tree"
        defer {
            repository.removeWorktree(at: tree)
            scratch.remove()
            repository.pruneWorktrees()
        }
        do { try repository.addWorktree(at: tree, commit: commit) } catch {
            throw RealmError(.internalError, "export \(export.contract): cannot check out \(commit.hex.prefix(12)) to run its command: \(firstLine(error.message))")
        }
        return try body(tree, ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"])
    }

    /// A file of this repository, at `commit` or in the working tree: confined to the
    /// repository (no `..`, no absolute path, no symbolic link), at most `Limits.documentBytes`.
    func read(_ path: String) throws -> [UInt8] {
        let relative = try RepoPath.confined(path, what: "file")
        if let commit {
            guard let entry = try repository.entry(at: relative, in: commit), entry.kind == .blob else {
                throw RealmError(.usage, "\(path): no such file at \(commit.hex.prefix(12))")
            }
            if entry.mode == 0o120000 {
                throw RealmError(.refused, "\(path): a symbolic link at \(commit.hex.prefix(12)); git-realm reads only regular files")
            }
            let bytes = try repository.blob(entry.oid)
            if bytes.count > Limits.documentBytes {
                throw RealmError(.usage, "\(path): \(bytes.count) bytes, larger than the limit of \(Limits.documentBytes)")
            }
            return bytes
        }
        guard let workdir = repository.workdir else { throw RealmError(.usage, "\(path): no working tree") }
        let full = try RepoPath.resolve(relative, in: workdir, what: "file")
        guard fileExists(full), !isDirectory(full) else { throw RealmError(.usage, "\(path): no such file") }
        return try readFile(full, limit: Limits.documentBytes)
    }

    func parse(_ bytes: [UInt8], origin: String) throws -> JSONValue {
        try DocumentLoader.parse(bytes, origin: origin)
    }
}
