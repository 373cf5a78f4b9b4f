import RealmGit
import RealmSupport

/// The hook shims git-realm installs (the git-lfs way): tiny scripts that run
/// `git realm hook <name> "$@"`, that say how to remove themselves when git-realm is gone,
/// installed into `core.hooksPath` when set, never over a hook git-realm did not write.
public enum Hooks {
    /// post-rewrite: git runs it after a rebase (`git pull --rebase`, `pull.rebase=true`) and
    /// after `commit --amend`; it reports like post-merge after a rebase only.
    public static let names = ["pre-push", "post-merge", "post-rewrite"]
    public static let marker = "# git-realm hook shim"

    /// The text of a shim; `hooks/<name>` in the source tree holds the same text (a test keeps them equal).
    public static func shim(_ name: String) -> String {
        let failure = name == "pre-push" ? "exit 2" : "exit 0"
        return """
        #!/bin/sh
        \(marker) (installed by 'git realm hooks install'; remove with 'git realm hooks uninstall')
        command -v git-realm >/dev/null 2>&1 || {
            printf >&2 "\\n%s\\n\\n" "This repository is configured for git-realm but 'git-realm' was not found on your PATH. If you no longer wish to use git-realm, remove this hook by deleting the '\(name)' file in the hooks directory (.git/hooks or core.hooksPath)."
            \(failure)
        }
        exec git realm hook \(name) "$@"

        """
    }

    /// The directory hooks go to: `core.hooksPath` (relative to the working tree) or `$GIT_COMMON_DIR/hooks`.
    public static func directory(for repository: Repository) throws -> String {
        if let configured = try repository.configString(ConfigKey.hooksPath), !configured.isEmpty {
            let expanded = expandHome(configured)
            return absolutePath(expanded, relativeTo: repository.workdir ?? repository.gitDir)
        }
        return repository.commonDir.hasSuffix("/") ? repository.commonDir + "hooks" : repository.commonDir + "/hooks"
    }

    public enum State: Sendable, Equatable { case absent, ours(current: Bool), foreign }

    public static func state(of path: String, name: String) -> State {
        guard fileExists(path) else { return .absent }
        guard let text = try? readTextFile(path), text.contains(marker) else { return .foreign }
        return .ours(current: text == shim(name))
    }

    public struct Plan: Sendable {
        public var directory: String
        /// (hook name, path, what will happen)
        public var actions: [(name: String, path: String, state: State)]
    }

    /// What installing would do. Throws `refused` when a foreign hook is in the way and
    /// `force` is not set, before anything is written.
    public static func plan(for repository: Repository, force: Bool) throws -> Plan {
        let dir = try directory(for: repository)
        if !force, let (manager, evidence) = try detectManager(in: repository, hooksDirectory: dir) {
            throw RealmError(.refused, "this repository's hooks are run by \(manager.rawValue) (\(evidence)); git-realm did not install its own hooks, so as not to fight it",
                             hint: "add git-realm to \(manager.rawValue) as shown above (docs/hooks.md \"Hook managers\"); 'git realm hooks install --force' installs git-realm's own hooks anyway",
                             details: manager.instructions.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
        var actions: [(String, String, State)] = []
        var foreign: [String] = []
        for name in names {
            let path = dir + "/" + name
            let state = state(of: path, name: name)
            if state == .foreign && !force { foreign.append(path) }
            actions.append((name, path, state))
        }
        if !foreign.isEmpty {
            throw RealmError(.refused, "hook already exists: \(foreign.joined(separator: ", "))",
                             hint: "run 'git realm hooks install --manual' to see what to add to it, or '--force' to overwrite it")
        }
        return Plan(directory: dir, actions: actions)
    }

    /// Installs the shims; returns one line per hook saying what was done.
    public static func install(_ plan: Plan) throws -> [String] {
        try makeDirectories(plan.directory)
        var lines: [String] = []
        for action in plan.actions {
            switch action.state {
            case .ours(current: true):
                lines.append("\(action.name): already installed")
                continue
            case .ours(current: false): lines.append("\(action.name): updated")
            case .foreign: lines.append("\(action.name): overwritten (--force)")
            case .absent: lines.append("\(action.name): installed")
            }
            try writeTextFile(action.path, shim(action.name), mode: 0o755)
        }
        return lines
    }

    /// What to add to existing hooks by hand (`--manual`); with a hook manager in use, what to
    /// add to its configuration first.
    public static func manualInstructions(for repository: Repository) throws -> String {
        let dir = try directory(for: repository)
        if let (manager, evidence) = try detectManager(in: repository, hooksDirectory: dir) {
            return "This repository's hooks are run by \(manager.rawValue) (\(evidence)).\n\(manager.instructions)\n"
        }
        return names.map { name in
            "Add the following to \(dir)/\(name):\n\n\tcommand -v git-realm >/dev/null 2>&1 && git realm hook \(name) \"$@\"\n"
        }.joined(separator: "\n")
    }

    /// Removes only the hooks git-realm wrote; returns a line per hook.
    public static func uninstall(from repository: Repository) throws -> [String] {
        let dir = try directory(for: repository)
        return names.map { name in
            let path = dir + "/" + name
            switch state(of: path, name: name) {
            case .absent: return "\(name): not installed"
            case .foreign: return "\(name): left alone (not written by git-realm)"
            case .ours:
                removeFile(path)
                return "\(name): removed"
            }
        }
    }

    /// A hook manager this repository uses, and what shows it: a hook file one wrote, a
    /// `core.hooksPath` of husky's, or a manager's configuration file at the top of the working
    /// tree (even before its hooks are installed: installing them would replace git-realm's).
    public static func detectManager(in repository: Repository, hooksDirectory dir: String) throws -> (HookManager, String)? {
        for name in names + ["pre-commit"] {
            let path = dir + "/" + name
            guard case .foreign = state(of: path, name: name), let text = try? readTextFile(path) else { continue }
            for manager in HookManager.allCases where manager.writes(text) {
                return (manager, "\(path) was written by it")
            }
        }
        if let configured = try repository.configString(ConfigKey.hooksPath), !configured.isEmpty {
            let components = configured.split(separator: "/")
            if components.contains(".husky") { return (.husky, "\(ConfigKey.hooksPath) is \(configured)") }
        }
        guard let top = repository.workdir else { return nil }
        let root = top.hasSuffix("/") ? top : top + "/"
        for manager in HookManager.allCases {
            for file in manager.configurationFiles where fileExists(root + file) {
                return (manager, "\(file)")
            }
        }
        return nil
    }
}

/// Hook managers git-realm fits into rather than fights (docs/hooks.md "Hook managers").
public enum HookManager: String, Sendable, CaseIterable {
    case preCommit = "pre-commit", husky, lefthook

    /// Files at the top of the working tree that show the manager is in use.
    var configurationFiles: [String] {
        switch self {
        case .preCommit: [".pre-commit-config.yaml", ".pre-commit-config.yml"]
        case .husky: [".husky"]
        case .lefthook: ["lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml", "lefthook.toml", ".lefthook.toml",
                         "lefthook.json", ".lefthook.json", ".config/lefthook.yml", ".config/lefthook.yaml"]
        }
    }

    /// Whether a hook file's text is one this manager writes.
    func writes(_ text: String) -> Bool {
        switch self {
        case .preCommit: text.contains("File generated by pre-commit")
        case .husky: text.contains("husky")
        case .lefthook: text.contains("lefthook") || text.contains("LEFTHOOK")
        }
    }

    /// What to add to the manager's configuration.
    public var instructions: String {
        switch self {
        case .preCommit:
            return """
            Add git-realm's pre-push check to .pre-commit-config.yaml:

              - repo: local
                hooks:
                  - id: git-realm-pre-push
                    name: git-realm pre-push
                    entry: git-realm hook pre-push --from-env pre-commit
                    language: system
                    stages: [pre-push]
                    pass_filenames: false
                    always_run: true

            (or 'repo:' git-realm's repository with 'hooks: [{id: git-realm-pre-push}]'),
            then run: pre-commit install --hook-type pre-push
            """
        case .husky:
            return """
            Add one line to each of .husky/pre-push, .husky/post-merge and .husky/post-rewrite:

              git realm hook pre-push "$@"
              git realm hook post-merge "$@"
              git realm hook post-rewrite "$@"
            """
        case .lefthook:
            return """
            Add to lefthook.yml, then run: lefthook install

              pre-push:
                commands:
                  git-realm:
                    run: git realm hook pre-push {1} {2}
                    use_stdin: true
              post-merge:
                commands:
                  git-realm:
                    run: git realm hook post-merge {1}
              post-rewrite:
                commands:
                  git-realm:
                    run: git realm hook post-rewrite {1}
            """
        }
    }
}
