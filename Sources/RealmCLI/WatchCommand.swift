#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import RealmCore

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Stay running and print what happens in the realm for this repo as it happens.",
        discussion: """
        Polls the realm every --interval seconds with one ls-remote (the advertised
        refs only) and fetches only when main, the notes, a proposal or a session
        moved. Prints each new notification to this repo, acknowledgement of its
        exports, proposal concerning its domains and session change in the repos it
        shares a domain with, one line each (--json: one JSON object per line). What
        is there when watch starts is not printed ('git realm status' shows it). An
        unreachable realm is reported and polled again later, waiting twice as long
        after each failure (at most 300 s).

        --exec CMD [ARG...] (last on the command line: everything after it is the
        command) runs CMD, found on PATH, for each event, directly and never through
        a shell, with the event in its environment: GIT_REALM_EVENT_KIND
        (notification, acknowledgement, proposal, session), _ACTION, _REPO,
        _CONTRACT, _VERSION, _DETAIL, _MESSAGE, _REALM and _JSON (the event as one
        JSON line). The realm's text is only ever in those values (control
        characters escaped, at most 4 KiB each): it never becomes a command or an
        argument. For example:
        git realm watch --exec notify-send "git realm"

        Stops on SIGINT (Ctrl-C) or SIGTERM once the poll or command under way is
        done, and exits 0 (run as 'git realm watch', git then reports the signal
        itself), or after --max-events events. Without --json, a first line says
        when watching has begun. See docs/awareness.md.

        \(networkDiscussion)

        \(exitCodeDiscussion)
        """)

    @Option(help: "Seconds between polls (at least 0.2).")
    var interval: Double = 30

    @Option(help: "Stop after printing this many events (exit 0).")
    var maxEvents: Int?

    @OptionGroup var output: JSONOption

    @Option(parsing: .remaining, help: ArgumentHelp("Run this command (and arguments) for each event; last option.", valueName: "cmd"))
    var exec: [String] = []

    func validate() throws {
        guard interval.isFinite, interval >= 0.2, interval <= 86_400 else {
            throw ValidationError("--interval must be a number of seconds from 0.2 to 86400")
        }
        if let maxEvents, maxEvents < 1 { throw ValidationError("--max-events must be at least 1") }
    }

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            StopSignal.install()
            var watcher = Watcher(participant: participant)
            var failures = 0
            var started = false
            var printed = 0
            while !StopSignal.requested {
                var events: [WatchEvent] = []
                do {
                    if started { events = try watcher.poll() } else {
                        try watcher.start()
                        started = true
                        // Said once what is there is known: from here on, everything new is printed.
                        if !output.json { Output.line("Watching realm '\(participant.realm)' for \(participant.name) (every \(interval) s; Ctrl-C stops)") }
                        flush()
                    }
                    if failures > 0 { Output.warning("the realm answers again") }
                    failures = 0
                } catch let error as RealmError where [.network, .conflict, .refused].contains(error.kind) {
                    failures += 1
                    if failures == 1 || failures.isMultiple(of: 10) { Output.warning("\(error.message) (will try again)") }
                }
                for event in events where !StopSignal.requested {
                    if output.json { Output.jsonLine(event.json) } else { Output.line(event.message) }
                    flush()
                    if !exec.isEmpty { runExec(event, realm: participant.realm) }
                    printed += 1
                    if let maxEvents, printed >= maxEvents { return }
                }
                let wait = failures == 0 ? interval : min(interval * Double(1 << min(failures, 10)), max(interval, Watcher.backoffMaximum))
                StopSignal.sleep(wait)
            }
        }
    }

    /// Runs the --exec command for one event: directly (no shell), the event in its environment,
    /// its output passed on; a failure is a warning, not the end of watching.
    private func runExec(_ event: WatchEvent, realm: String) {
        do {
            let result = try LocalCommand.run(exec, environment: event.environment(realm: realm))
            for line in result.output.split(separator: "\n") { Output.line(String(line)) }
            if result.status != 0 { Output.warning("--exec \(exec[0]) exited \(result.status)") }
        } catch {
            Output.warning("--exec \(exec[0]): \(RealmError.wrap(error).message)")
        }
        flush()
    }

    private func flush() { fflush(nil) }   // every stream: events reach a pipe as they happen
}
