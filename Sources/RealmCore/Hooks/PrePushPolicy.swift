import RealmGit
import RealmModel
import RealmSupport

/// What a hook says, in order, and whether git goes on. RealmCLI prints each message on
/// standard error (`.warning`: "warning: ..." with its details indented below; `.notice`: the
/// line as it is; `.error`: "error: ..." with details and hint), then `hint`, then exits with
/// `exitCode` when there is one.
public struct HookOutcome: Sendable {
    public var messages: [Finding] = []
    public var hint: String?
    /// nil: the push (or merge) goes on.
    public var exitCode: Int32?

    public init() {}

    mutating func warning(_ message: String, details: [String] = []) {
        messages.append(Finding(severity: .warning, message: message, details: details))
    }
}

extension PrePush {
    /// The pre-push hook's policy: checks the pushed refs (`input`, read only when this
    /// repository is a member) and decides, by `realm.prePush` (block, warn, off) and
    /// `realm.hookFailure` (block, warn), what to say and whether the push goes through.
    public static func decide(context: HookContext, remote: String, input: () -> [UInt8]) -> HookOutcome {
        decide(context: context) { (remote, try PrePush.parse(input())) }
    }

    /// The same policy for a push a hook manager describes in its environment (`--from-env`):
    /// the pushed ref, its old value on the remote and the remote's name, with no standard input.
    public static func decide(context: HookContext, framework: HookFramework) -> HookOutcome {
        decide(context: context) { try PrePush.fromEnvironment(framework, repository: context.repository) }
    }

    /// `read` gives the remote's name and the pushed refs; it runs only in a member.
    private static func decide(context: HookContext, read: () throws -> (remote: String, updates: [RefUpdate])) -> HookOutcome {
        var outcome = HookOutcome()
        let settings = context.settings
        for problem in settings.problems { outcome.warning("git-realm: \(problem)") }
        var results: [PrePushResult] = []
        do {
            // Every realm this repository is in (docs/architecture.md "More than one realm").
            let participants = try context.participants()
            guard !participants.isEmpty else { return outcome }
            let (remote, updates) = try read()
            for participant in participants {
                results.append(try PrePush.check(participant: participant, remote: remote, updates: updates, settings: settings))
            }
        } catch {
            let failure = RealmError.wrap(error)
            switch settings.hookFailure {
            case .block:
                let hint = (failure.hint.map { $0 + "; " } ?? "")
                    + "to push anyway: git push --no-verify, or 'git config \(ConfigKey.hookFailure) warn'"
                outcome.messages.append(Finding(severity: .error, message: "git-realm pre-push could not check this push (push blocked): " + failure.message,
                                                details: failure.details, hint: hint))
                outcome.exitCode = failure.exitCode
            case .warn:
                outcome.warning("git-realm pre-push could not check this push: \(failure.message)")
                outcome.hint = "pushing anyway (\(ConfigKey.hookFailure)=warn)"
            }
            return outcome
        }
        for result in results {
            for notice in result.notices { outcome.messages.append(Finding(severity: .notice, message: "git-realm: \(notice)")) }
        }
        let drifting = results.filter { !$0.findings.isEmpty }
        guard !drifting.isEmpty else { return outcome }

        let blocking = settings.prePush == .block
        for result in drifting {
            let fetched = result.fetchedAt.map { "fetched \(Timestamp.age($0))" } ?? "fetch time unknown"
            for finding in result.findings {
                let state = finding.state
                let at = "\(finding.update.localRef) (\(finding.update.localSha.hex.prefix(12)))"
                var message = blocking ? "push blocked: " : ""
                var details: [String] = []
                if let problem = state.problem {
                    message += "cannot read the value of export '\(state.contractName)' at \(at): \(problem)"
                } else {
                    let version = state.contract?.version ?? "?"
                    message += "export '\(state.contractName)' at \(at) differs from contract '\(state.contractName)' \(version) in realm '\(result.realm)' (\(fetched)):"
                    details = state.changes
                    if state.schemaChanged { details.append("~ schema: \(state.export.schemaFile ?? "schema file") differs from the realm's") }
                    details += state.violations.map { "! \($0)" }
                }
                if !finding.touched.isEmpty { details.append("(changed: \(finding.touched.joined(separator: ", ")))") }
                outcome.messages.append(Finding(severity: blocking ? .error : .warning, message: message, details: details))
            }
        }
        let drifted = drifting.contains { $0.findings.contains { $0.state.problem == nil } }
        // In a repo in more than one realm, sync acts on the first unless --realm names another.
        let realms = drifting.filter { $0.findings.contains { $0.state.problem == nil } }.map(\.realm)
        let first = (try? Membership.load(in: context.repository))??.realm
        let sync = realms.allSatisfy { $0 == first } ? "'git realm sync'"
            : realms.map { "'git realm --realm \($0) sync'" }.joined(separator: " and ")
        let publish = drifted ? "run \(sync) to publish the new version to the realm"
            : "fix the export's file, or its extraction in the binding"
        if blocking {
            outcome.hint = "\(publish), then push again (to push anyway: git push --no-verify, or 'git config \(ConfigKey.prePush) warn')"
            outcome.exitCode = RealmError.Kind.checkFailed.rawValue
        } else {
            outcome.hint = "\(publish) (pushing anyway: \(ConfigKey.prePush)=warn)"
        }
        return outcome
    }
}
