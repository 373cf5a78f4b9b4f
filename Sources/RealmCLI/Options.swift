import ArgumentParser
import RealmCore

/// `--json` for every command that reads.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of text.")
    var json = false
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
