import ArgumentParser
import RealmCore

/// `--json` for every command that reads.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false
}

/// Options every command takes, before or after its name, as git takes `-C`: taken out of the
/// arguments before they are parsed (up to a `--`).
enum GlobalOptions {
    static let realmHelp = """
    Global option: --realm NAME picks, in a repository that is in more than
    one realm, the realm a command acts on (default: the first in .gitrealm;
    status then shows only it). Hooks check every realm. A realm this
    repository is not in is an error (exit 2).
    """

    /// Removes `--realm NAME` / `--realm=NAME` from `arguments`; the last one given wins.
    /// Throws a usage error when NAME is missing.
    static func extractRealm(from arguments: inout [String]) throws -> String? {
        var realm: String?
        var rest: [String] = []
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument == "--" {
                rest += arguments[i...]
                break
            }
            if argument == "--realm" {
                guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("-"), !arguments[i + 1].isEmpty else {
                    throw RealmError(.usage, "--realm needs a realm name", hint: "git realm --realm NAME <command>")
                }
                realm = arguments[i + 1]
                i += 2
                continue
            }
            if argument.hasPrefix("--realm=") {
                let value = String(argument.dropFirst("--realm=".count))
                guard !value.isEmpty else { throw RealmError(.usage, "--realm needs a realm name", hint: "git realm --realm NAME <command>") }
                realm = value
                i += 1
                continue
            }
            rest.append(argument)
            i += 1
        }
        arguments = rest
        return realm
    }
}

/// Runs a command body, turning every failure into a one-line error and its exit code.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        let realmError = RealmError.wrap(error)
        Output.error(realmError)
        throw ExitCode(realmError.exitCode)
    }
}

/// The exit-status table (`ExitStatus.all`), at the end of every command's help.
let exitCodeDiscussion = "EXIT STATUS\n" + exitStatusLines.joined(separator: "\n") + "\n"

/// `  0   success`, a continuation line indented under the meaning.
let exitStatusLines: [String] = ExitStatus.all.flatMap { status -> [String] in
    let code = String(status.code)
    let first = "  " + code + String(repeating: " ", count: max(1, 4 - code.count)) + status.summary[0]
    return [first] + status.summary.dropFirst().map { "      " + $0 }
}

/// The network settings, in the help of every command that reaches the realm.
private let timeouts = Settings.networkTimeouts
let networkDiscussion = """
NETWORK
  Fetches and pushes of the realm run git under timeouts from git config:
  \(timeouts[0].key) (ssh connection, default \(timeouts[0].seconds) s),
  \(timeouts[1].key) (no output from git, default \(timeouts[1].seconds) s) and
  \(timeouts[2].key) (the whole fetch or push, default \(timeouts[2].seconds) s). git never
  prompts here: credentials come from a credential helper or an ssh agent.
  A timeout is exit 4, except for --fetch of status, check and graph, which
  then show the realm as last fetched, with a warning saying how old it is.
"""
