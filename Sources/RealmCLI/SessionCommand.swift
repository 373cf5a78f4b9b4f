import ArgumentParser
import RealmCore

struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Say who works on what: start, stop and list sessions.",
        discussion: """
        A session is a small ref on the realm remote, one per repo and user
        (refs/realm/sessions/<repo>/<user>), outside main and without history: the
        repo, the user, the change worked on (--rfc, or 'git realm worktree --rfc'),
        the domains and exports the repo takes part in, start and last activity.
        Every command that writes the realm refreshes it in the same push; every
        fetch of the realm brings the others' sessions, which 'git realm status'
        shows. A session without activity for longer than its TTL (git config
        realm.sessionTTL, seconds, default 7200) shows as idle and is pruned by the
        next realm write anyone makes. Members ignore, and a protected realm
        refuses, a session its repo's maintainers did not write (docs/trust.md). See
        docs/awareness.md.

        \(exitCodeDiscussion)
        """,
        subcommands: [SessionStartCommand.self, SessionStopCommand.self, SessionListCommand.self],
        defaultSubcommand: SessionListCommand.self)
}

struct SessionStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start (or refresh) your session in this repo.",
        discussion: """
        Pushes your session to the realm (one push; when someone moved a session
        meanwhile, the sessions are fetched and it is pushed again). Signed when git
        is set up to sign, as every realm write. Sessions idle past their TTL are
        pruned in the same push.

        \(exitCodeDiscussion)
        """)

    @Option(help: "The coordinated change you work on (kebab-case).")
    var rfc: String?

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            if let rfc, let problem = Names.problem(with: rfc) { throw RealmError(.usage, "change name '\(rfc)' \(problem)") }
            let participant = try Participant.current()
            guard let record = try Sessions.push(participant, mode: .start(change: rfc)) else {
                throw RealmError(.internalError, "the session was not pushed")
            }
            let view = SessionView(record: record, idle: false, you: true)
            if output.json { Output.json(view.json); return }
            Output.line("\(Output.check) Session started in realm '\(participant.realm)': \(SessionLine.text(view))")
        }
    }
}

struct SessionStopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "End your session in this repo.",
        discussion: """
        Replaces your session with a stopped one, which nobody shows and anyone may
        prune (a realm server cannot tell who deletes a ref, so nobody deletes an
        active session, its owner included). Nothing to stop is not an error.

        \(exitCodeDiscussion)
        """)

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let record = try Sessions.push(participant, mode: .stop)
            if output.json {
                Output.json(["stopped": .bool(record != nil), "session": record.map(\.json) ?? .null])
                return
            }
            Output.line(record == nil ? "No active session of yours in this repo." : "\(Output.check) Session stopped.")
        }
    }
}

struct SessionListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the sessions in this repo and the repos it shares a domain with (the default).",
        discussion: """
        Fetches the realm's sessions first (their refs and commits only, never
        history); when that fails, says so and lists the sessions last fetched.

        \(exitCodeDiscussion)
        """)

    @Flag(help: "List the sessions of every repo in the realm.")
    var all = false

    @Flag(help: "Do not fetch: list the sessions last fetched.")
    var noFetch = false

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            if !noFetch {
                do { try Sessions.fetch(participant) } catch let error as RealmError where error.kind == .network {
                    Output.warning("\(error.message); showing the sessions last fetched")
                }
            }
            let (sessions, ignored) = try Sessions.shown(participant, everyRepo: all)
            if ignored > 0 { Output.warning("\(ignored) session ref(s) ignored: not valid sessions of their repo (docs/trust.md)") }
            if output.json {
                Output.json(["realm": .string(participant.realm), "sessions": .array(sessions.map(\.json)), "ignored": .integer(ignored)])
                return
            }
            if sessions.isEmpty {
                Output.line("No active sessions.")
                return
            }
            Output.line("Active sessions:")
            for s in sessions {
                Output.line("  • \(SessionLine.text(s))")
                let r = s.record
                Output.line(Output.dim("    \(r.email), started \(Timestamp.age(r.startedAt)), last active \(Timestamp.age(r.lastActivity))"))
            }
        }
    }
}

/// One session as the seeds show it: `aperture (you) - working on training-metrics-v2`,
/// `fungal-image-analysis - idle`.
enum SessionLine {
    static func text(_ s: SessionView) -> String {
        let who = s.record.repo + (s.you ? " (you)" : "")
        if s.idle { return "\(who) - idle" }
        if let change = s.record.change { return "\(who) - working on \(change)" }
        return "\(who) - active"
    }
}
