#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import RealmCore

/// The executable's entry point. One binary answers as `git-realm` and as `git-realm-<sub>`
/// (install.sh makes the links): the name it was started under selects the subcommand, so
/// `git realm status`, `git realm-status` and `git-realm-status` all run `status`. Any other
/// `git-realm-<name>` executable on PATH runs as `git realm <name>` (plugins, as git does).
public enum Entry {
    public static func main() -> Never {
        Trace.start()
        let arguments = CommandLine.arguments
        let invokedAs = arguments.first.map { String($0.split(separator: "/").last ?? "") } ?? "git-realm"
        var rest = Array(arguments.dropFirst())
        if invokedAs.hasPrefix("git-realm-") {
            rest = commandPath(for: String(invokedAs.dropFirst("git-realm-".count))) + rest
        }
        do { RealmSelection.name = try GlobalOptions.extractRealm(from: &rest) } catch {
            let failure = RealmError.wrap(error)
            Output.error(failure)
            exit(failure.exitCode)
        }
        if let first = rest.first, !first.hasPrefix("-"), !isKnownSubcommand(first),
           let plugin = findPlugin(named: first) {
            execPlugin(plugin, arguments: Array(rest.dropFirst()))
        }
        do {
            var command = try Trace.region("arguments parsed") { try GitRealm.parseAsRoot(rest) }
            try Trace.region("command ran") { try command.run() }
            exit(0)
        } catch {
            // Bad arguments exit 2 like every other bad input (docs/exit-codes.md), not
            // argument-parser's 64.
            if GitRealm.exitCode(for: error) == .validationFailure {
                Output.stderrBlock(GitRealm.fullMessage(for: error))
                exit(2)
            }
            GitRealm.exit(withError: error)
        }
    }

    /// `admin-domain-create` -> ["admin", "domain", "create"], following the command tree.
    static func commandPath(for suffix: String) -> [String] {
        var path: [String] = []
        var commands = GitRealm.configuration.subcommands
        var tokens = suffix.split(separator: "-").map(String.init)
        while !tokens.isEmpty {
            var matched = false
            for length in stride(from: tokens.count, through: 1, by: -1) {
                let candidate = tokens[0..<length].joined(separator: "-")
                if let command = commands.first(where: { $0._commandName == candidate }) {
                    path.append(candidate)
                    tokens.removeFirst(length)
                    commands = command.configuration.subcommands
                    matched = true
                    break
                }
            }
            if !matched { return path + [tokens.joined(separator: "-")] }
        }
        return path
    }

    static func isKnownSubcommand(_ name: String) -> Bool {
        name == "help" || GitRealm.configuration.subcommands.contains { $0._commandName == name }
    }

    static func findPlugin(named name: String) -> String? {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
              let path = envString("PATH") else { return nil }
        let me = realPath("/proc/self/exe")
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/git-realm-\(name)"
            if access(candidate, X_OK) == 0, realPath(candidate) != me { return candidate }
        }
        return nil
    }

    static func execPlugin(_ path: String, arguments: [String]) -> Never {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        Output.stderrLine("error: cannot run \(path): \(errorText(errno))")
        exit(70)
    }
}
