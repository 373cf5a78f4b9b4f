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
  6   the realm kept changing under concurrent writers; retries exhausted
  70  internal error
"""
