import RealmGit
import RealmSupport

/// The hook shims git-realm installs (the git-lfs way): tiny scripts that run
/// `git realm hook <name> "$@"`, that say how to remove themselves when git-realm is gone,
/// installed into `core.hooksPath` when set, never over a hook git-realm did not write.
public enum Hooks {
    public static let names = ["pre-push", "post-merge"]
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

    /// What to add to existing hooks by hand (`--manual`).
    public static func manualInstructions(for repository: Repository) throws -> String {
        let dir = try directory(for: repository)
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
}
