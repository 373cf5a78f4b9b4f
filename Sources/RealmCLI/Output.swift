#if canImport(Glibc)
import Glibc
#endif
import RealmCore
import RealmJSON

/// Human output goes to stdout (colour only on a terminal, honouring NO_COLOR and
/// GIT_REALM_COLOR=never|always); errors go to stderr as `error: ...` plus `hint: ...`.
enum Output {
    static let colour: Bool = {
        if let forced = getenv("GIT_REALM_COLOR").map({ String(cString: $0) }) {
            if forced == "always" { return true }
            if forced == "never" { return false }
        }
        if getenv("NO_COLOR") != nil { return false }
        return isatty(1) == 1 && (getenv("TERM").map { String(cString: $0) } ?? "dumb") != "dumb"
    }()

    static func line(_ text: String = "") {
        print(text)
    }

    static func json(_ value: JSONValue) {
        print(JSONSerializer.string(value, style: .pretty))
    }

    static func error(_ error: RealmError) {
        var text = "error: \(error.message)\n"
        for detail in error.details { text += "  \(detail)\n" }
        if let hint = error.hint { text += "hint: \(hint)\n" }
        writeStderr(text)
    }

    static func warning(_ text: String) {
        writeStderr("warning: \(text)\n")
    }

    static func green(_ s: String) -> String { paint(s, "32") }
    static func yellow(_ s: String) -> String { paint(s, "33") }
    static func red(_ s: String) -> String { paint(s, "31") }
    static func bold(_ s: String) -> String { paint(s, "1") }
    static func dim(_ s: String) -> String { paint(s, "2") }

    private static func paint(_ s: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }

    static let check = "✓"
}

/// `--fetch` of a command that reads the realm: a fetch that times out falls back to the state
/// fetched before, said in a warning on stderr with its age; the exit code is the command's
/// own. Any other failure to fetch, or a timeout with nothing fetched before, is the error.
func fetchOrFallBack(_ participant: Participant) throws {
    if let warning = try participant.fetchOrFallBack() { Output.warning(warning) }
}

/// Writes to standard error without touching C's shared `stderr` stream.
func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if n <= 0 { return }
        offset += n
    }
}
