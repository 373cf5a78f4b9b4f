import RealmForge
import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// `git realm pr` (docs/pr.md): one pull request per repo of a change, opened in merge order
/// (exporters first), each body saying what blocks it and the whole merge order, each PR linked
/// to the PRs it depends on where the forge can enforce that; `pr status` and `pr merge`.
/// Existing PRs are found and updated, never duplicated; the first failure stops the repos
/// after it, and a re-run does only what is left.
public enum ChangePullRequests {
    public struct Options {
        public var title: String?
        /// The text above the realm's lines (from `--body-file`); nil keeps an existing PR's.
        public var body: String?
        public var draft = false
        public var reviewers: [String] = []
        public var remote = "origin"
        public var base: String?
        public init() {}
    }

    /// One repo's pull request, as `pr`, `pr status` and `pr merge` report it.
    public struct Item: Sendable {
        public enum State: String, Sendable {
            case created, updated, unchanged, missing, open, merged, closed, approved, failed, skipped
        }
        public var repo: String
        public var position: Int
        public var role: String?
        public var state: State
        public var number: Int?
        public var url: String?
        public var headSHA: String?
        /// "aperture#45" for each PR this one waits for.
        public var blockedBy: [String] = []
        /// How the forge enforces the order: "dependency" (the forge refuses to merge first),
        /// "status" (a pending realm/merge-order status), nil when nothing needs enforcing.
        public var enforcement: String?
        public var draft = false
        /// `pr status`: the PR's own state, its review state, its checks, whether it may merge now.
        public var prState: String?
        public var review: String?
        /// Git-native reviews of the head that do not count, each "user: why" (docs/pr.md "Trust").
        public var unprovenReviews: [String] = []
        /// Approvers whose approval counts unsigned (the realm does not require signatures).
        public var unsignedApprovals: [String] = []
        public var checks: String?
        public var mayMerge: Bool?
        public var detail: String?

        public var failed: Bool { state == .failed }
        public var label: String { "\(repo)#\(number.map(String.init) ?? "?")" }

        public var json: JSONValue {
            func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            return ["repo": .string(repo), "position": .integer(position), "role": opt(role), "state": .string(state.rawValue),
                    "number": number.map { .integer($0) } ?? .null, "url": opt(url), "head": opt(headSHA),
                    "blocked_by": .array(blockedBy.map { .string($0) }), "enforcement": opt(enforcement), "draft": .bool(draft),
                    "pr_state": opt(prState), "review": opt(review),
                    "unproven_reviews": .array(unprovenReviews.map { .string($0) }),
                    "unsigned_approvals": .array(unsignedApprovals.map { .string($0) }), "checks": opt(checks),
                    "may_merge": mayMerge.map { .bool($0) } ?? .null, "detail": opt(detail)]
        }
    }

    public struct Report: Sendable {
        public var change: String
        public var branch: String
        public var items: [Item]
        public var recordCommit: OID?
        /// Something to know that did not fail the command (the realm record could not be written).
        public var warning: String?
        public var failures: [Item] { items.filter(\.failed) }
        public var mergeOrder: [String] { items.map(\.label) }

        public var json: JSONValue {
            ["change": .string(change), "branch": .string(branch), "ok": .bool(failures.isEmpty),
             "merge_order": .array(mergeOrder.map { .string($0) }),
             "record_commit": recordCommit.map { .string($0.hex) } ?? .null,
             "warning": warning.map { .string($0) } ?? .null, "pull_requests": .array(items.map(\.json))]
        }

        public func failure(_ verb: String) -> RealmError? {
            guard !failures.isEmpty else { return nil }
            return RealmError(.checkFailed, "\(verb) failed in \(failures.count) of \(items.count) repo(s): \(failures.map(\.repo).joined(separator: ", "))",
                              hint: "fix what is named above and run the same command again: it does only what is left")
        }
    }

    /// The commit status that carries the merge order on forges without PR dependencies (GitHub).
    public static let orderContext = "realm/merge-order"
    /// The line that starts the realm's part of a PR body.
    static let bodyMarker = "Realm change: "

    /// What a command needs: the change's order, its forges, the base branch per repo.
    struct Context {
        let record: ChangeRecord
        let order: ChangeOrder
        let forges: ChangeForges

        init(_ record: ChangeRecord, remote: String, in participant: Participant) throws {
            guard RefLayout.isValidComponent(remote), !remote.hasPrefix("-") else { throw RealmError(.usage, "invalid remote name '\(remote)'") }
            self.record = record
            let snapshot = try participant.snapshot()
            order = ChangeOrder(repos: try CoordinatedChange.orderedRepos(of: record, in: participant), graph: try DependencyGraph.build(from: snapshot))
            forges = ChangeForges(participant: participant, snapshot: snapshot, remote: remote)
        }

        func item(_ repo: String) -> Item {
            Item(repo: repo, position: (order.repos.firstIndex(of: repo) ?? 0) + 1, role: order.role(of: repo), state: .failed)
        }
    }

    // MARK: - pr

    /// `git realm pr`: find or create each repo's PR in merge order, then bring every body and
    /// title up to date (the merge order names PRs created after the first) and record the PRs
    /// in the change.
    public static func open(_ record: ChangeRecord, options: Options, in participant: Participant) throws -> Report {
        if let title = options.title {
            guard !title.trimmingWhitespace().isEmpty, title.utf8.count <= 1024, !title.contains("\n") else {
                throw RealmError(.usage, "the title must be one non-empty line of at most 1024 bytes (--title)")
            }
        }
        if let base = options.base, !RefLayout.isValidBranchName(base) { throw RealmError(.usage, "invalid --base branch '\(base)'") }
        for reviewer in options.reviewers where reviewer.isEmpty || reviewer.utf8.count > 254 || reviewer.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw RealmError(.usage, "invalid --reviewer '\(reviewer)'")
        }
        let context = try Context(record, remote: options.remote, in: participant)
        var items: [Item] = []
        var known: [String: (number: Int, url: String)] = [:]
        var sent: [String: (title: String, body: String, userBody: String, wanted: String)] = [:]
        var stopped: String?
        for repo in context.order.repos {
            var item = context.item(repo)
            if let stopped {
                item.state = .skipped
                item.detail = "not opened: \(stopped) failed before it"
                items.append(item)
                continue
            }
            do {
                let forge = try context.forges.forge(for: repo)
                let base = try context.forges.baseBranch(of: repo, given: options.base)
                let existing = try forge.findPullRequest(head: record.branch, base: base)
                let userBody = options.body ?? existing.map { userPart(of: $0.body) } ?? ""
                let body = compose(userBody, repo: repo, context: context, known: known)
                let pr: PullRequest
                if let existing {
                    // Brought up to date below, once every PR of the change is known.
                    pr = existing
                    item.state = .unchanged
                    sent[repo] = (existing.title, existing.body, userBody, options.title ?? existing.title)
                } else {
                    guard let title = options.title else {
                        throw RealmError(.usage, "\(repo) has no pull request for \(record.branch) yet: give it a title (--title T)")
                    }
                    pr = try forge.createPullRequest(NewPullRequest(title: title, body: body, head: record.branch, base: base, draft: options.draft))
                    item.state = .created
                    sent[repo] = (title, body, userBody, title)
                }
                item.number = pr.number
                item.url = pr.url
                item.headSHA = pr.headSHA
                item.draft = pr.draft
                known[repo] = (pr.number, pr.url)
                if !options.reviewers.isEmpty { try forge.requestReviewers(number: pr.number, reviewers: options.reviewers) }
                let blockers = context.order.direct[repo] ?? []
                item.blockedBy = blockers.map { "\($0)#\(known[$0]?.number ?? 0)" }
                for blocker in blockers {
                    guard let number = known[blocker]?.number else { continue }
                    let enforced = try forge.linkDependency(number: pr.number, dependsOn: try context.forges.ref(of: blocker, number: number))
                    item.enforcement = enforced ? "dependency" : "status"
                }
                if item.enforcement == "status" {
                    try forge.setStatus(sha: pr.headSHA, status: CommitStatus(context: orderContext, state: .pending,
                                                                              description: "merge after \(item.blockedBy.joined(separator: ", "))"))
                }
            } catch {
                item.state = .failed
                item.detail = ChangeForges.message(error)
                stopped = repo
            }
            items.append(item)
        }
        // The bodies of PRs opened before the later ones name the whole merge order now.
        if stopped == nil {
            for index in items.indices {
                let repo = items[index].repo
                guard let number = items[index].number, let was = sent[repo] else { continue }
                let body = compose(was.userBody, repo: repo, context: context, known: known)
                guard body != was.body || was.wanted != was.title else { continue }
                do {
                    _ = try context.forges.forge(for: repo).updatePullRequest(number: number, title: was.wanted, body: body)
                    if items[index].state == .unchanged { items[index].state = .updated }
                } catch {
                    items[index].state = .failed
                    items[index].detail = ChangeForges.message(error)
                }
            }
        }
        var report = Report(change: record.name, branch: record.branch, items: items)
        let entries = items.compactMap { item in item.number.map { ChangeRecord.PullRequestEntry(repo: item.repo, number: $0, url: item.url ?? "") } }
            .filter { ChangeRecord.PullRequestEntry.isValidURL($0.url) }
        do { report.recordCommit = try recordPullRequests(entries, change: record.name, in: participant) } catch {
            report.warning = "the pull requests are open, but \(ChangeRecord.path(record.name)) could not record them: \(RealmError.wrap(error).message) (run 'git realm pr' again)"
        }
        return report
    }

    /// The realm's lines below the user's text: the change, the merge order, what blocks this PR
    /// and a `Depends-On:` URL for each PR it waits for.
    static func compose(_ userBody: String, repo: String, context: Context, known: [String: (number: Int, url: String)]) -> String {
        func label(_ r: String) -> String { "\(r)#\(known[r].map { String($0.number) } ?? "?")" }
        var lines = ["\(bodyMarker)\(context.record.name) (branch \(context.record.branch))",
                     "Merge order: \(context.order.repos.map(label).joined(separator: " → "))"]
        let blockers = context.order.direct[repo] ?? []
        lines.append("Blocked by: \(blockers.isEmpty ? "nothing (merge \(ChangeOrder.ordinal((context.order.repos.firstIndex(of: repo) ?? 0) + 1)))" : blockers.map(label).joined(separator: ", "))")
        for blocker in blockers { if let url = known[blocker]?.url { lines.append("Depends-On: \(url)") } }
        let top = userBody.trimmingWhitespace()
        return (top.isEmpty ? "" : top + "\n\n") + "---\n" + lines.joined(separator: "\n") + "\n"
    }

    /// The user's part of a body `compose` wrote (everything above the realm's lines).
    static func userPart(of body: String) -> String {
        guard let range = body.firstRange(of: "---\n" + bodyMarker) else { return body }
        return String(body[..<range.lowerBound]).trimmingWhitespace()
    }

    /// Writes the PRs into `changes/<name>.yaml` when they differ from what it records.
    static func recordPullRequests(_ entries: [ChangeRecord.PullRequestEntry], change: String, in participant: Participant) throws -> OID? {
        guard !entries.isEmpty else { return nil }
        if let current = try participant.snapshot().change(change), entries.allSatisfy(current.pullRequests.contains) { return nil }
        return try participant.writer().commit { snapshot in
            guard let snapshot, var record = try snapshot.change(change) else { return nil }
            let before = record
            for entry in entries {
                if let i = record.pullRequests.firstIndex(where: { $0.repo == entry.repo }) { record.pullRequests[i] = entry } else {
                    record.pullRequests.append(entry)
                }
            }
            guard record != before else { return nil }
            var realmChange = RealmChange(message: "Change \(change): pull requests \(entries.map { "\($0.repo)#\($0.number)" }.joined(separator: ", "))")
            realmChange.write(ChangeRecord.path(change), record)
            return realmChange
        }
    }
}
