import ArgumentParser
import RealmCore

/// How `worktree`, `commit` and `push` print a per-repo report.
enum ChangeOutput {
    static func render(_ report: CoordinatedChange.Report, json: Bool, heading: String, relativeTo base: String? = nil) {
        if json {
            Output.json(report.json)
            return
        }
        Output.line(heading)
        for result in report.repos {
            let mark = switch result.state {
            case .failed: Output.red("✗")
            case .skipped, .unchanged, .absent: Output.dim("-")
            default: Output.green(Output.check)
            }
            var line = "\(mark) \(result.repo): \(words(result.state))"
            if let commit = result.commit, [.committed, .pushed, .upToDate].contains(result.state) { line += " \(commit.prefix(12))" }
            if let path = result.path, [.created, .exists, .removed].contains(result.state) { line += " \(path)" }
            if let into = result.clonedInto { line += " (cloned into \(into))" }
            if let detail = result.detail { line += result.failed ? ": \(detail)" : " (\(detail))" }
            Output.line(line)
        }
        if let commit = report.recordCommit {
            Output.line("Recorded in the realm: \(ChangeRecord.path(report.change)) (\(commit.hex.prefix(12)))")
        }
    }

    static func words(_ state: CoordinatedChange.RepoResult.State) -> String {
        switch state {
        case .created: "created"
        case .exists: "exists"
        case .committed: "committed"
        case .unchanged: "nothing to commit"
        case .pushed: "pushed"
        case .upToDate: "up to date"
        case .removed: "removed"
        case .absent: "no worktree here"
        case .failed: "failed"
        case .skipped: "skipped"
        }
    }

    /// Exits non-zero after a partial failure (the report was printed first).
    static func finish(_ report: CoordinatedChange.Report, verb: String, json: Bool) throws {
        guard let error = report.failure(verb) else { return }
        if json { throw ExitCode(error.exitCode) }
        throw error
    }
}
