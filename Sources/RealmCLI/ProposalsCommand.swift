import ArgumentParser
import RealmCore

struct ProposalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proposals",
        abstract: "List the changes waiting as proposals, and what each still needs.",
        discussion: """
        A contract change that passes a gate does not land on the realm's main directly: a
        breaking change where governance requires approval, and a change that removes or
        narrows something importers still acknowledge while a grace period applies. 'git realm
        sync' records it as a proposal (proposals/REPO/STAMP.yaml on main, the content on the
        realm branch sync/REPO/STAMP). It lands, with 'git realm proposals merge', once an
        approver other than its author approved exactly that content ('git realm approve'), or,
        under a grace period, once every importer acknowledged it or the period has passed.
        Every member's verifier refuses a landing that is not so (docs/trust.md). When realm.yaml
        names the realm's forge, each proposal's PR there is shown beside it (docs/forges.md).

        \(exitCodeDiscussion)
        """,
        subcommands: [ProposalsListCommand.self, ProposalsMergeCommand.self],
        defaultSubcommand: ProposalsListCommand.self)
}

struct ProposalsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the pending proposals (the default).",
        discussion: "\(exitCodeDiscussion)")

    @Flag(help: "Fetch the realm first.")
    var fetch = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            if fetch { try participant.fetch() }
            let items = try Proposals.list(in: participant, snapshot: try participant.snapshot(), at: Timestamp.nowSeconds())
            // The PR of each proposal on the realm's forge, when realm.yaml names one (one
            // request per proposal; a forge that cannot be asked is said once, nothing fails).
            var pulls: [String: RealmProposalPR.Found] = [:]
            var forgeProblem: String?
            for item in items where forgeProblem == nil {
                do { pulls[item.name] = try RealmProposalPR.find(participant: participant, branch: item.name) } catch {
                    forgeProblem = RealmError.wrap(error).message
                }
            }
            if let forgeProblem { Output.warning("the realm's forge was not asked for the proposals' PRs: \(forgeProblem)") }
            if output.json {
                Output.json(["realm": .string(participant.realm), "proposals": .array(items.map { item in
                    guard case .object(var object) = item.json else { return item.json }
                    object["pull_request"] = pulls[item.name].map { ["number": .integer($0.number), "url": .string($0.url)] } ?? .null
                    return .object(object)
                })])
                return
            }
            if items.isEmpty {
                Output.line("No pending proposals in realm '\(participant.realm)'")
                return
            }
            for item in items {
                let what = item.contracts.map { "\($0.path.split(separator: "/").last.map { String($0.dropLast(5)) } ?? $0.path) \($0.version)" }
                Output.line("\(item.ready ? Output.check : "⏳") \(item.name) (from \(item.proposal.repo), \(Timestamp.format(item.proposal.proposedAt))): \(what.joined(separator: ", "))")
                for line in item.changes { Output.line("    \(line)") }
                if let pr = pulls[item.name] { Output.line("    PR #\(pr.number): \(Printable.line(pr.url))") }
                if let standing = item.standing, !standing.approvedBy.isEmpty {
                    Output.line("    approved by \(standing.approvedBy.joined(separator: ", "))")
                }
                if let standing = item.standing, !standing.acknowledgedBy.isEmpty {
                    Output.line("    acknowledged by \(standing.acknowledgedBy.joined(separator: ", "))")
                }
                if item.ready {
                    Output.line("    ready: git realm proposals merge \(item.name)")
                } else {
                    for need in item.needs { Output.line("    needs \(need)") }
                }
            }
        }
    }
}

struct ProposalsMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Land proposals that are ready on the realm's main.",
        discussion: """
        Writes the proposed contract files, exactly as approved, on main in one commit, removes
        their records and approvals, notifies the importers and deletes the proposals' branches.
        With no PROPOSAL, every ready proposal lands. A named proposal that is not ready is
        reported with what it still needs, and the command exits 5.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "Proposals to land: sync/REPO/STAMP, REPO/STAMP, or REPO (its only one).")
    var proposals: [String] = []

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let (landed, commit) = try Proposals.merge(proposals, in: participant)
            let refused = landed.filter { !$0.landed }
            if output.json {
                Output.json(["realm": .string(participant.realm), "commit": commit.map { .string($0.hex) } ?? .null,
                             "proposals": .array(landed.map { l in
                                 ["name": .string(l.name), "landed": .bool(l.landed), "needs": .array(l.needs.map { .string($0) }),
                                  "contracts": .array(l.contracts.map { ["path": .string($0.path), "version": .string($0.version)] })]
                             })])
            } else {
                if landed.isEmpty { Output.line("No pending proposals in realm '\(participant.realm)'") }
                for l in landed {
                    let what = l.contracts.map { "\($0.path) \($0.version)" }.joined(separator: ", ")
                    if l.landed {
                        Output.line("\(Output.check) Landed \(l.name): \(what)")
                    } else {
                        Output.line("⏳ \(l.name) is not ready: needs \(l.needs.joined(separator: "; and "))")
                    }
                }
            }
            if !proposals.isEmpty && !refused.isEmpty {
                if output.json { throw ExitCode(RealmError.Kind.refused.rawValue) }
                throw RealmError(.refused, "\(refused.count) proposal(s) not ready; nothing of them landed")
            }
        }
    }
}

struct ApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a proposal's exact content (approvers; importers acknowledge early).",
        discussion: """
        Records approvals/REPO/STAMP/WHO.yaml on the realm's main, naming the proposal's files
        by blob id: an approval holds for exactly that content, and a later change to the
        proposal needs approving again. WHO is your user.email when it is an approver of the
        proposal's domains, else this repo when it is an approver or imports one of the
        proposal's contracts (an importer's approval acknowledges the change before its grace
        period ends). Nobody approves their own repo's proposal. Signed when git signs here.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The proposal: sync/REPO/STAMP, REPO/STAMP, or REPO (its only one).")
    var proposal: String

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let approved = try Proposals.approve(proposal, in: participant)
            if output.json {
                Output.json(["proposal": .string(approved.proposal.branch), "by": .string(approved.by),
                             "commit": approved.commit.map { .string($0.hex) } ?? .null,
                             "contracts": .array(approved.contracts.map { ["path": .string($0.path), "version": .string($0.version)] }),
                             "changes": .array(approved.changes.map { .string($0) })])
                return
            }
            let what = approved.contracts.map { "\($0.path) \($0.version)" }.joined(separator: ", ")
            Output.line(approved.commit == nil ? "\(approved.by) already approved \(approved.proposal.branch)"
                                               : "\(Output.check) \(approved.by) approved \(approved.proposal.branch): \(what)")
            for line in approved.changes { Output.line("    \(line)") }
        }
    }
}
