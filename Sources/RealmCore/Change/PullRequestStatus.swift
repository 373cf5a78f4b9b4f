import RealmForge
import RealmGit
import RealmModel
import RealmSupport

extension ChangePullRequests {
    // MARK: - pr status

    /// `git realm pr status`: each PR's state, review state (an approval counts only for the
    /// head it was given on), checks, and whether it may merge now. On forges that carry the
    /// order as a commit status (GitHub), that status is brought up to date.
    public static func status(_ record: ChangeRecord, remote: String, base: String? = nil, in participant: Participant) throws -> Report {
        let context = try Context(record, remote: remote, in: participant)
        var items: [Item] = []
        var states: [String: PullRequestState] = [:]
        var labels: [String: String] = [:]
        for repo in context.order.repos {
            var item = context.item(repo)
            do {
                guard let found = try find(repo, context: context, base: base) else {
                    item.state = .missing
                    item.detail = "no pull request for \(record.branch): run 'git realm pr --title T'"
                    item.mayMerge = false
                    items.append(item)
                    continue
                }
                let forge = found.forge, pr = found.pr
                labels[repo] = "\(repo)#\(pr.number)"
                states[repo] = pr.state
                try describe(&item, pr: pr, forge: forge, context: context, states: states, labels: labels)
            } catch {
                item.state = .failed
                item.detail = ChangeForges.message(error)
            }
            items.append(item)
        }
        return Report(change: record.name, branch: record.branch, items: items)
    }

    /// The PR of `repo` for the change: the one the change record names (realm content: used
    /// only when it is from the change's branch into the base asked for), else the open one from
    /// the change's branch into that base.
    static func find(_ repo: String, context: Context, base: String?) throws -> (forge: any Forge, pr: PullRequest)? {
        let forge = try context.forges.forge(for: repo)
        let branch = try context.forges.baseBranch(of: repo, given: base)
        if let entry = context.record.pullRequests.first(where: { $0.repo == repo }) {
            if let pr = try? forge.pullRequest(number: entry.number), pr.head == context.record.branch, pr.base == branch { return (forge, pr) }
        }
        guard let pr = try forge.findPullRequest(head: context.record.branch, base: branch) else { return nil }
        return (forge, pr)
    }

    /// Fills `item` with the PR's state, reviews, checks and whether it may merge now.
    static func describe(_ item: inout Item, pr: PullRequest, forge: any Forge, context: Context,
                         states: [String: PullRequestState], labels: [String: String]) throws {
        item.number = pr.number
        item.url = pr.url
        item.headSHA = pr.headSHA
        item.draft = pr.draft
        item.prState = pr.state.rawValue
        item.state = pr.state == .merged ? .merged : pr.state == .closed ? .closed : .open
        let predecessors = context.order.predecessors[item.repo] ?? []
        item.blockedBy = predecessors.filter { states[$0] != .merged }.map { labels[$0] ?? "\($0)#?" }
        guard pr.state == .open else {
            item.mayMerge = false
            return
        }
        let verdict = GitNativeForge.reviewVerdict(try forge.reviews(number: pr.number), head: pr.headSHA)
        item.review = !verdict.changesRequested.isEmpty ? "changes requested by \(verdict.changesRequested.joined(separator: ", "))"
            : !verdict.approvedBy.isEmpty ? "approved by \(verdict.approvedBy.joined(separator: ", "))"
            : !verdict.staleApprovals.isEmpty ? "approval outdated (given on an older head by \(verdict.staleApprovals.joined(separator: ", ")))"
            : pr.requestedReviewers.isEmpty ? "none needed" : "waiting for \(pr.requestedReviewers.joined(separator: ", "))"
        item.unprovenReviews = verdict.unproven
        item.unsignedApprovals = verdict.unsigned
        if !verdict.unsigned.isEmpty { item.review = (item.review ?? "") + " (unsigned: \(verdict.unsigned.joined(separator: ", ")))" }
        if !verdict.unproven.isEmpty { item.review = (item.review ?? "") + "; not counted: \(verdict.unproven.joined(separator: "; "))" }
        if forge.location.kind == .github, !predecessors.isEmpty {
            let waiting = item.blockedBy
            try forge.setStatus(sha: pr.headSHA, status: CommitStatus(
                context: orderContext, state: waiting.isEmpty ? .success : .pending,
                description: waiting.isEmpty ? "the PRs before this one are merged" : "merge after \(waiting.joined(separator: ", "))"))
            item.enforcement = "status"
        } else if !predecessors.isEmpty {
            item.enforcement = "dependency"
        }
        let checks = try forge.statuses(sha: pr.headSHA).filter { $0.context != orderContext }
        let failing = checks.filter { $0.state == .failure || $0.state == .error }
        let pending = checks.filter { $0.state == .pending }
        item.checks = checks.isEmpty ? "none" : !failing.isEmpty ? "failing: \(failing.map(\.context).joined(separator: ", "))"
            : !pending.isEmpty ? "pending: \(pending.map(\.context).joined(separator: ", "))" : "passed (\(checks.count))"
        var why: [String] = []
        if pr.draft { why.append("it is a draft") }
        if !item.blockedBy.isEmpty { why.append("waiting for \(item.blockedBy.joined(separator: ", ")) to merge") }
        if !failing.isEmpty || !pending.isEmpty { why.append("checks \(item.checks ?? "")") }
        if !verdict.changesRequested.isEmpty { why.append("changes requested") }
        if verdict.approvedBy.isEmpty && !pr.requestedReviewers.isEmpty { why.append(!verdict.unproven.isEmpty ? "not approved (an unproven approval does not count)" : verdict.staleApprovals.isEmpty ? "not approved" : "the approval is of an older head") }
        if !verdict.approvedBy.isEmpty && verdict.changesRequested.isEmpty { item.state = .approved }
        item.mayMerge = why.isEmpty
        item.detail = why.isEmpty ? nil : why.joined(separator: "; ")
    }

    // MARK: - pr merge

    /// `git realm pr merge`: in merge order, every PR whose predecessors have merged and that may
    /// merge now, pinned to the head it was checked at; stops at the first that cannot (the
    /// PRs after it are reported skipped). A re-run merges what is left.
    public static func merge(_ record: ChangeRecord, remote: String, base: String? = nil, in participant: Participant) throws -> Report {
        let context = try Context(record, remote: remote, in: participant)
        var items: [Item] = []
        var states: [String: PullRequestState] = [:]
        var labels: [String: String] = [:]
        var stopped: String?
        for repo in context.order.repos {
            var item = context.item(repo)
            if let stopped {
                item.state = .skipped
                item.detail = "not merged: \(stopped) did not merge before it"
                items.append(item)
                continue
            }
            do {
                guard let found = try find(repo, context: context, base: base) else {
                    throw RealmError(.usage, "no pull request for \(record.branch): run 'git realm pr --title T' first")
                }
                let forge = found.forge, pr = found.pr
                labels[repo] = "\(repo)#\(pr.number)"
                states[repo] = pr.state
                try describe(&item, pr: pr, forge: forge, context: context, states: states, labels: labels)
                if pr.state == .merged {
                    item.detail = "merged already"
                } else if pr.state == .closed {
                    throw RealmError(.refused, "\(repo)#\(pr.number) is closed")
                } else if item.mayMerge != true {
                    throw RealmError(.refused, "\(repo)#\(pr.number) may not merge now: \(item.detail ?? "")")
                } else {
                    try forge.merge(number: pr.number, expectedHead: pr.headSHA, method: forge.location.kind == .git ? .fastForward : .merge)
                    item.state = .merged
                    item.prState = PullRequestState.merged.rawValue
                    item.mayMerge = nil
                    item.detail = "merged \(pr.headSHA.prefix(12)) into \(pr.base)"
                    states[repo] = .merged
                }
            } catch {
                item.state = .failed
                item.detail = ChangeForges.message(error)
                stopped = repo
            }
            items.append(item)
        }
        return Report(change: record.name, branch: record.branch, items: items)
    }

    // MARK: - pr review (the git-native forge)

    /// `git realm pr review`: records this user's review of each PR's current head on the
    /// git-native forge (`repos` empty: every repo of the change). Other forges review on their pages.
    public static func review(_ record: ChangeRecord, state: ReviewState, repos: [String], remote: String, base: String? = nil,
                              in participant: Participant) throws -> Report {
        let context = try Context(record, remote: remote, in: participant)
        for repo in repos where !context.order.repos.contains(repo) {
            throw RealmError(.usage, "\(repo) takes no part in change \(record.name)")
        }
        var items: [Item] = []
        for repo in context.order.repos where repos.isEmpty || repos.contains(repo) {
            var item = context.item(repo)
            do {
                guard let found = try find(repo, context: context, base: base) else {
                    throw RealmError(.usage, "no pull request for \(record.branch)")
                }
                let forge = found.forge, pr = found.pr
                item.number = pr.number
                item.url = pr.url
                guard let native = forge as? GitNativeForge else {
                    throw RealmError(.usage, "\(repo) uses forge kind \(forge.location.kind.rawValue): review on its page, \(pr.url)")
                }
                let given = try native.submitReview(number: pr.number, state: state)
                item.headSHA = given.commit
                item.state = state == .approved ? .approved : .updated
                item.review = "\(state.rawValue) by \(given.user) on \(given.commit.prefix(12))"
            } catch {
                item.state = .failed
                item.detail = ChangeForges.message(error)
            }
            items.append(item)
        }
        return Report(change: record.name, branch: record.branch, items: items)
    }
}
