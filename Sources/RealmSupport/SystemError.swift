#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the operating system or of a program run: the one error type of RealmSupport.
/// RealmGit turns it into a `GitError` (`GitError.init(_:)`), RealmCore into a `RealmError`
/// (`RealmError.wrap`): `.file` is the caller's input (a path that cannot be read or written),
/// the others are internal failures.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A named file or directory could not be read, written or created.
        case file
        /// A program was not found on PATH.
        case notFound
        /// A system call failed (pipes, spawn, mkdtemp, ...).
        case system
    }

    public var kind: Kind
    public var message: String
    /// The system's error number, when a system call failed.
    public var errno: Int32?

    public init(_ kind: Kind, _ message: String, errno: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.errno = errno
    }

    /// "<what>: <strerror(err)>".
    public static func system(_ what: String, errno err: Int32) -> SystemError {
        SystemError(.system, "\(what): \(errorText(err))", errno: err)
    }

    public var description: String { message }
}

/// strerror, as a String.
public func errorText(_ err: Int32) -> String {
    decodeCString(strerror(err))
}
