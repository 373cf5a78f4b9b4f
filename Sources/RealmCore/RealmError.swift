import RealmGit
import RealmModel
import RealmSupport
import RealmSupport

/// Every failure a command reports. `kind` decides the exit code (docs/exit-codes.md); the
/// message is one line naming what is wrong and where; `hint` says what to run next.
public struct RealmError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Int32, Sendable {
        /// A check found problems (invalid value, breaking change, blocked push).
        case checkFailed = 1
        /// Bad arguments or bad input files (malformed YAML, invalid names, unknown names).
        case usage = 2
        /// Not in a git repository, or this repository has not joined a realm.
        case notInRealm = 3
        /// The realm or a remote could not be reached, or git refused the transfer.
        case network = 4
        /// The operation would break a realm rule (cycle, leaving while imported, foreign hook,
        /// non-empty realm, non-owner change).
        case refused = 5
        /// The realm kept moving under us: retries exhausted.
        case conflict = 6
        /// A bug or an unexpected library failure.
        case internalError = 70
    }

    public var kind: Kind
    public var message: String
    public var hint: String?
    /// Extra findings printed below the message (e.g. every finding of a malformed file).
    public var details: [String]
    /// A network error because the realm did not answer in time (a fetch may fall back to the
    /// last fetched state then).
    public var timedOut = false

    /// Every URL in the message, hint and details loses its credentials here (`GitURL`): an
    /// error quotes URLs and git's own messages, and is printed, or written into a note.
    public init(_ kind: Kind, _ message: String, hint: String? = nil, details: [String] = []) {
        self.kind = kind
        self.message = GitURL.redactingURLs(in: message)
        self.hint = hint.map(GitURL.redactingURLs(in:))
        self.details = details.map(GitURL.redactingURLs(in:))
    }

    public var exitCode: Int32 { kind.rawValue }
    public var description: String { message }

    /// Maps any error thrown below into a RealmError.
    public static func wrap(_ error: any Error) -> RealmError {
        switch error {
        case let e as RealmError: return e
        case let e as ModelError:
            return RealmError(.usage, e.description, details: e.diagnostics.dropFirst().map(\.description))
        case let e as GitRemote.Failure:
            let what = GitURL.redactingURLs(in: e.command.joined(separator: " "))
            let outcome = e.timedOut ? "timed out" : "failed (exit \(e.status))"
            var wrapped = RealmError(.network, "`\(what)` \(outcome): \(firstLine(e.stderr))")
            wrapped.timedOut = e.timedOut
            return wrapped
        case let e as SystemError where e.kind == .file:
            return RealmError(.usage, e.message)
        case let e as SystemError:
            return wrap(GitError(e))
        case let e as GitError where e.isInvalid:
            return RealmError(.usage, e.message)
        case let e as GitError:
            return RealmError(.internalError, "libgit2: \(e.description)")
        default:
            return RealmError(.internalError, "\(error)")
        }
    }
}
