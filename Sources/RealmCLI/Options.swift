import ArgumentParser
import RealmCore
import RealmLimits

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

func splitList(_ text: String) -> [String] {
    text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = self[...]
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}

let exitCodeDiscussion = """
EXIT STATUS
  0   success
  1   a check failed (invalid value, breaking change, blocked push)
  2   usage error or bad input (arguments, malformed realm files, names)
  3   not in a git repository, or this repository has not joined a realm
  4   the realm or a remote could not be reached, or git refused a transfer
  5   refused by a realm rule (cycle, leaving while imported, foreign hook)
  6   the realm kept changing under concurrent writers, or another command
      in this clone kept the fetched realm's refs locked; retries exhausted
  70  internal error
"""

/// The network settings, in the help of every command that reaches the realm.
let networkDiscussion = """
NETWORK
  Fetches and pushes of the realm run git under timeouts from git config:
  realm.connectTimeout (ssh connection, default \(Int(Limits.networkConnectTimeout)) s),
  realm.inactivityTimeout (no output from git, default \(Int(Limits.networkInactivityTimeout)) s) and
  realm.timeout (the whole fetch or push, default \(Int(Limits.networkDeadline)) s). git never
  prompts here: credentials come from a credential helper or an ssh agent.
  A timeout is exit 4, except for --fetch of status, check and graph, which
  then show the realm as last fetched, with a warning saying how old it is.
"""
