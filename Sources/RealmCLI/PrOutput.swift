import ArgumentParser
import RealmCore

/// How `pr`, `pr status`, `pr merge` and `pr review` print their per-repo report.
enum PrOutput {
    static func readBody(_ path: String) throws -> String {
        let bytes = try readFile(path, limit: 256 << 10)
        guard bytes.count < 256 << 10 else { throw RealmError(.usage, "\(path) is larger than 256 KiB (--body-file)") }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func render(_ report: ChangePullRequests.Report, json: Bool, heading: String) {
        if json {
            Output.json(report.json)
            return
        }
        Output.line(heading)
        for item in report.items {
            let mark = switch item.state {
            case .failed: Output.red("✗")
            case .skipped, .missing, .closed: Output.dim("-")
            case .open where item.mayMerge == false: Output.yellow("•")
            default: Output.green(Output.check)
            }
            var line = "\(mark) \(item.repo)"
            if let number = item.number { line += " PR #\(number)" }
            line += " \(words(item))"
            var notes: [String] = []
            if let role = item.role { notes.append("merge \(ordinal(item.position)) - \(role)") }
            if item.draft { notes.append("draft") }
            if !notes.isEmpty { line += " (\(notes.joined(separator: "; ")))" }
            if let detail = item.detail { line += item.failed ? ": \(detail)" : " - \(detail)" }
            Output.line(line)
            if item.state != .merged {
                if let review = item.review { Output.line("    review: \(review)") }
                if let checks = item.checks { Output.line("    checks: \(checks)") }
            }
            if let url = item.url, item.state == .created { Output.line("    \(url)") }
        }
        let blocked = report.items.filter { !$0.blockedBy.isEmpty && $0.state != .merged }
        for item in blocked where report.items.contains(where: { $0.state == .created || $0.state == .updated || $0.state == .unchanged }) {
            Output.line("Blocked by: \(item.blockedBy.joined(separator: ", ")) (\(item.label))")
        }
        if report.items.contains(where: { $0.number != nil }) {
            Output.line("Merge order: \(report.mergeOrder.joined(separator: " → "))")
        }
        if let commit = report.recordCommit {
            Output.line("Recorded in the realm: \(ChangeRecord.path(report.change)) (\(commit.hex.prefix(12)))")
        }
        if let warning = report.warning { Output.warning(warning) }
    }

    static func words(_ item: ChangePullRequests.Item) -> String {
        switch item.state {
        case .created: "created"
        case .updated: "updated"
        case .unchanged: "up to date"
        case .missing: "no pull request"
        case .open: item.mayMerge == true ? "open, may merge now" : "open"
        case .approved: item.mayMerge == true ? "approved, may merge now" : "approved"
        case .merged: "merged"
        case .closed: "closed"
        case .failed: "failed"
        case .skipped: "skipped"
        }
    }

    static func ordinal(_ n: Int) -> String {
        let words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
        return n >= 1 && n <= words.count ? words[n - 1] : "#\(n)"
    }

    /// Exits non-zero after a partial failure (the report was printed first).
    static func finish(_ report: ChangePullRequests.Report, verb: String, json: Bool) throws {
        guard let error = report.failure(verb) else { return }
        if json { throw ExitCode(error.exitCode) }
        throw error
    }
}
