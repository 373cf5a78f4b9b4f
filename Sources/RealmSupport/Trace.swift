#if canImport(Glibc)
import Glibc
#endif

/// `GIT_REALM_TRACE_PERFORMANCE=1` (or `=2`..`=9`, `true`, an absolute path): the time each
/// phase and each git subprocess took, on standard error (or appended to that file), like
/// git's own `GIT_TRACE_PERFORMANCE`. Off by default; costs one environment lookup when off.
/// `GIT_REALM_TRACE` (same values), like git's `GIT_TRACE`: what a command did that a user
/// cannot see otherwise, one line each (`event`): each export extraction, each cache hit and
/// miss (docs/cache.md).
public enum Trace {
    /// Where the trace goes: nil when tracing is off.
    private static let destination: Int32? = parseDestination("GIT_REALM_TRACE_PERFORMANCE")
    private static let eventDestination: Int32? = parseDestination("GIT_REALM_TRACE")

    private static func parseDestination(_ variable: String) -> Int32? {
        guard let raw = getenv(variable) else { return nil }
        let value = String(cString: raw)
        switch value.lowercased() {
        case "", "0", "false", "no", "off": return nil
        case "1", "true", "yes", "on": return 2
        default:
            if let fd = Int32(value), (2...9).contains(fd) { return fd }
            guard value.hasPrefix("/") else { return nil }
            let fd = open(value, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            return fd >= 0 ? fd : nil
        }
    }
    private static let origin = now()

    public static var enabled: Bool { destination != nil }

    /// Marks the start of the clock that `region` reports offsets from (the command's start).
    public static func start() { _ = origin }

    /// Runs `body` and, when tracing, reports how long it took under `label`.
    @inlinable
    public static func region<T, E: Error>(_ label: @autoclosure () -> String, _ body: () throws(E) -> T) throws(E) -> T {
        guard enabled else { return try body() }
        let began = now()
        defer { report(label(), began: began) }
        return try body()
    }

    public static func report(_ label: String, began: Double) {
        guard let fd = destination else { return }
        let end = now()
        // A label may show a git command line: its URL, a path with any byte in it.
        let line = "git-realm trace: \(format(end - began)) ms (ended at \(format(end - origin)) ms): \(Printable.line(GitURL.redactingURLs(in: label)))\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    }

    public static var eventsEnabled: Bool { eventDestination != nil }

    /// One line for `GIT_REALM_TRACE`: `git-realm trace: <message>`, escaped as a label is.
    public static func event(_ message: @autoclosure () -> String) {
        guard let fd = eventDestination else { return }
        let line = "git-realm trace: \(Printable.line(GitURL.redactingURLs(in: message())))\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
    }

    /// Monotonic milliseconds.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }

    private static func format(_ ms: Double) -> String {
        let tenths = Int((ms * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
