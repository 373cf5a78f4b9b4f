import RealmGit
import RealmModel
import RealmSupport

public struct PostMergeReport: Sendable {
    public var realm: String
    /// Why the fetch failed (the last fetched state is used); nil when it worked or was skipped.
    public var fetchProblem: String?
    public var fetchedAt: Int64?
    public var realmCommit: OID?
    /// Imports that are stale or broken.
    public var imports: [ImportState] = []
    public var notifications: [IncomingNotification] = []
    /// What the hook prints, and writes as a note on the merged commit when there is something to say.
    public var lines: [String] = []
    /// The commit the note was written on, if one was written.
    public var notedCommit: OID?

    public var hasFindings: Bool { !imports.isEmpty || !notifications.isEmpty }
}

/// The post-merge hook: after a merge or pull, fetch the realm (briefly), then tell the user
/// about stale or broken imports and notifications addressed to this repo, and record the same
/// text as a note on the merged commit in this repo's `refs/notes/realm`, so that
/// `git log --notes=realm` shows what the realm said when the merge happened.
public enum PostMerge {
    /// `squash`: git's argument was 1 (`git merge --squash`): nothing was committed, so the
    /// text is printed but no note is written (HEAD is still the commit before the merge).
    public static func run(participant: Participant, settings: HookSettings, squash: Bool = false) throws -> PostMergeReport {
        var report = PostMergeReport(realm: participant.realm)
        let repository = participant.repository
        report.fetchProblem = participant.hookFetch(timeout: settings.fetchTimeout)
        report.fetchedAt = try participant.lastFetched()
        ensureNotesRewriteRef(repository)

        guard let tip = try participant.fetchedTip() else {
            if let problem = report.fetchProblem { report.lines.append(Printable.line("⚠️  \(problem)")) }
            return report
        }
        report.realmCommit = tip
        let snapshot = participant.snapshot(at: tip)
        let review = try Notifications.reviewImports(participant: participant, snapshot: snapshot, tip: tip)
        report.imports = review.imports.filter { $0.status != .current }
        report.notifications = review.notifications

        let age = report.fetchedAt.map { "fetched \(Timestamp.age($0))" } ?? "fetch time unknown"
        if let problem = report.fetchProblem {
            report.lines.append(Printable.line("⚠️  \(problem)"))
        }
        guard report.hasFindings else { return report }

        // What the realm says is escaped before it is printed or stored: the note is shown by
        // `git log --notes=realm` on a terminal, and one note line must stay one line.
        var body = (describe(imports: report.imports) + describe(notifications: report.notifications)).map(Printable.line)
        if review.omittedNotifications > 0 { body.append("… and \(review.omittedNotifications) older pending notifications") }
        if review.forgedNotifications > 0 {
            body.append("\(review.forgedNotifications) notification line(s) ignored: they do not match the realm commit they are on")
        }
        body.append("Update the bindings, then run 'git realm sync' to acknowledge; 'git realm status' shows the details.")
        report.lines.append("git-realm: realm '\(participant.realm)' at \(tip.hex.prefix(12)) (\(age)), as of \(Timestamp.now()):")
        report.lines += body

        if !squash, let head = try repository.headCommit() {
            let text = report.lines.joined(separator: "\n") + "\n"
            if try appendNote(repository, on: head, text: text, unlessContaining: body.joined(separator: "\n")) {
                report.notedCommit = head
            }
        }
        return report
    }

    /// `⚠️  Stale import: s3-permissions 1.5.0 available (binding at 1.0.0, range >=1.0.0, <2.0.0)` and change lines.
    public static func describe(imports: [ImportState]) -> [String] {
        var lines: [String] = []
        for state in imports {
            switch state.status {
            case .current: continue
            case .stale:
                let newest = state.newest.map { $0.version.description } ?? "?"
                lines.append("⚠️  Stale import: \(state.contract) \(newest) available (binding at \(state.entry.resolvedVersion ?? "nothing"), range \(state.entry.version))")
                lines += state.changes.map { "      \($0)" }
            case .broken:
                lines.append("❌ Broken import: \(state.contract): \(state.reason ?? "unusable")")
            }
        }
        return lines
    }

    /// `🔔 Notification from aperture (5 min ago): Contract 's3-permissions' updated to 1.5.0` and details.
    public static func describe(notifications: [IncomingNotification]) -> [String] {
        var lines: [String] = []
        for n in notifications {
            lines.append("🔔 Notification from \(n.record.from) (\(n.age())): \(n.headline)")
            lines += n.detailLines.map { "      \($0)" }
        }
        return lines
    }

    /// Appends `text` to the note on `commit` in this repo's refs/notes/realm (a blank line
    /// between, like `git notes append`), with compare-and-swap. Nothing is added when the note
    /// already contains `unlessContaining` (the same findings, said at an earlier run).
    /// Returns whether the note changed.
    @discardableResult
    public static func appendNote(_ repository: Repository, on commit: OID, text: String,
                                  unlessContaining marker: String? = nil) throws -> Bool {
        for _ in 0..<16 {
            let tip = try repository.resolve(ref: RefLayout.localNotes)
            let existing = try tip.flatMap { try repository.note(notesCommit: $0, on: commit) } ?? ""
            if !existing.isEmpty && existing.contains(marker ?? text) { return false }
            let merged = existing.isEmpty ? text : existing.trimmingTrailingNewlines() + "\n\n" + text
            let next = try repository.createNotesCommit(parent: tip, target: commit, text: merged)
            if try swapNotes(repository, to: next, expected: tip) { return true }
        }
        throw RealmError(.conflict, "\(RefLayout.localNotes) kept changing while writing the post-merge note")
    }

    /// Moves refs/notes/realm from `expected` to `next`; false when another writer got there first.
    private static func swapNotes(_ repository: Repository, to next: OID, expected: OID?) throws -> Bool {
        do throws(GitError) {
            try repository.updateRef(RefLayout.localNotes, to: next, expected: expected, message: "git-realm: post-merge note")
            return true
        } catch {
            if error.isConflict || error.isLocked { return false }
            throw error
        }
    }

    /// `notes.rewriteRef` must include refs/notes/realm so that rebase and amend carry the notes.
    static func ensureNotesRewriteRef(_ repository: Repository) {
        let values = (try? repository.configMultivar(ConfigKey.notesRewriteRef)) ?? []
        if !values.contains(RefLayout.localNotes) {
            try? repository.addConfigMultivar(ConfigKey.notesRewriteRef, RefLayout.localNotes)
        }
    }
}
