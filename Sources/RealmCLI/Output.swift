#if canImport(Glibc)
import Glibc
#endif
import RealmCore

/// Every byte git-realm writes for people goes through here: human lines on stdout, `error:`,
/// `warning:` and `hint:` lines on stderr. `--json` output (`json`) is written exactly.
///
/// The guard (`guarded`), applied to every human line, makes printing a string from a realm, a
/// note, a repository, a file or git's messages safe however it is interpolated:
/// - every control character is shown as a visible escape (`Printable`: ESC as `\033`, a
///   newline as `\n`), so a realm can neither drive the terminal (`ESC]0;title BEL`, `ESC[2J`)
///   nor forge a line; one call prints one line (`block` lays out git-realm's own multi-line
///   text line by line);
/// - every URL loses its credentials (`GitURL`).
/// git-realm's own colours cannot come from the text: `paint` wraps text in marks that carry a
/// random number drawn at start-up and never printed, and the guard turns only those marks into
/// escape sequences, after it has escaped everything else. A realm cannot forge a mark it
/// cannot know.
enum Output {
    /// Whether git-realm colours its output (see `ColourSetting`).
    static let colour: Bool = ColourSetting.resolve()

    // MARK: stdout

    /// One line on stdout, guarded (an embedded newline is shown as `\n`).
    static func line(_ text: String = "") {
        print(guarded(text))
    }

    /// git-realm's own multi-line text (instructions, a rendered graph): line by line, guarded.
    static func block(_ text: String) {
        for line in lines(of: text) { Output.line(String(line)) }
    }

    /// Machine-readable output, exact (JSON escapes what it must).
    static func json(_ value: JSONValue) {
        print(JSONSerializer.string(value, style: .pretty))
    }

    /// One JSON object on one line (a stream of events: `watch --json`).
    static func jsonLine(_ value: JSONValue) {
        print(JSONSerializer.string(value, style: .compact))
    }

    // MARK: stderr

    static func error(_ error: RealmError) {
        var text = guarded("error: \(error.message)") + "\n"
        for detail in error.details { text += guarded("  \(detail)") + "\n" }
        if let hint = error.hint { text += guarded("hint: \(hint)") + "\n" }
        writeStderr(text)
    }

    static func warning(_ text: String) {
        stderrLine("warning: \(text)")
    }

    static func hint(_ text: String) {
        stderrLine("hint: \(text)")
    }

    /// One line on stderr, guarded.
    static func stderrLine(_ text: String) {
        writeStderr(guarded(text) + "\n")
    }

    /// git-realm's own multi-line text on stderr (argument-parser's usage), line by line, guarded.
    static func stderrBlock(_ text: String) {
        writeStderr(lines(of: text).map { guarded(String($0)) + "\n" }.joined())
    }

    private static func lines(of text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    // MARK: colours

    static func green(_ s: String) -> String { paint(s, "32") }
    static func yellow(_ s: String) -> String { paint(s, "33") }
    static func red(_ s: String) -> String { paint(s, "31") }
    static func bold(_ s: String) -> String { paint(s, "1") }
    static func dim(_ s: String) -> String { paint(s, "2") }

    static let check = "✓"

    /// `s` between colour marks (when colouring); `guarded` makes them SGR sequences.
    static func paint(_ s: String, _ code: String) -> String {
        colour ? mark(code) + s + mark("0") : s
    }

    /// Opens a mark; a private-use character, then the secret, then the SGR parameters, then `markEnd`.
    private static let markStart: String = {
        var generator = SystemRandomNumberGenerator()
        let secret = String(generator.next() as UInt64, radix: 16) + String(generator.next() as UInt64, radix: 16)
        return "\u{E000}" + secret + ":"
    }()
    private static let markEnd: Unicode.Scalar = "\u{E001}"

    private static func mark(_ code: String) -> String {
        markStart + code + String(markEnd)
    }

    // MARK: the guard

    /// `text` as it may reach a terminal: URLs without credentials, every control character
    /// (newlines included) escaped, then git-realm's own colour marks as SGR sequences.
    static func guarded(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: markStart) {
            out += clean(rest[..<start.lowerBound])
            let after = rest[start.upperBound...]
            // The SGR parameters: digits and ';', a few of them, then the end of the mark.
            if let end = after.unicodeScalars.prefix(12).firstIndex(of: markEnd),
               after[..<end].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ";") }) {
                out += "\u{1B}[" + after[..<end] + "m"
                rest = after[after.unicodeScalars.index(after: end)...]
            } else {
                // Not a whole mark (paint writes none such): dropped, so that the secret is
                // never shown.
                rest = after
            }
        }
        return out + clean(rest)
    }

    private static func clean(_ text: Substring) -> String {
        Printable.line(GitURL.redactingURLs(in: String(text)))
    }
}

/// `--fetch` of a command that reads the realm: a fetch that times out falls back to the state
/// fetched before, said in a warning on stderr with its age; the exit code is the command's
/// own. Any other failure to fetch, or a timeout with nothing fetched before, is the error.
func fetchOrFallBack(_ participant: Participant) throws {
    if let warning = try participant.fetchOrFallBack() { Output.warning(warning) }
}

/// Whether to colour, like git decides for its own commands (`color.ui`, `color.<cmd>`):
/// `GIT_REALM_COLOR` > `color.realm` > `color.ui` > auto. Each says `always`, `never`, `auto`,
/// or a boolean (`true` is auto, `false` never, as in git). Auto colours when stdout is a
/// terminal (not `TERM=dumb`) or git's pager shows it (`GIT_PAGER_IN_USE`), unless `NO_COLOR`
/// is set. Config is read as git reads it (system, global, this repository, `git -c`).
enum ColourSetting: Equatable {
    case always, never, auto

    /// `always|never|auto|true|false` (and git's other booleans); nil for anything else.
    static func parse(_ value: String) -> ColourSetting? {
        switch value.lowercased() {
        case "always": return .always
        case "never": return .never
        case "auto": return .auto
        case "true", "yes", "on", "1", "": return .auto
        case "false", "no", "off", "0": return .never
        default: return nil
        }
    }

    static func resolve() -> Bool {
        let choice = chosen(environment: environmentValue("GIT_REALM_COLOR"), config: Settings.value)
        switch choice {
        case .always: return true
        case .never: return false
        case .auto:
            if environmentValue("NO_COLOR").map({ !$0.isEmpty }) == true { return false }
            if environmentValue("GIT_PAGER_IN_USE").flatMap(parse) == .auto { return true }
            return isatty(1) == 1 && (environmentValue("TERM") ?? "dumb") != "dumb"
        }
    }

    /// The first setting that says something valid, in git's precedence; a value that is not
    /// one is warned about and skipped.
    static func chosen(environment: String?, config: (String) -> String?) -> ColourSetting {
        if let value = environment, !value.isEmpty {
            if let setting = parse(value) { return setting }
            Output.warning("GIT_REALM_COLOR: '\(value)' is not always, never or auto; ignored")
        }
        for key in Settings.colourKeys {
            guard let value = config(key) else { continue }
            if let setting = parse(value) { return setting }
            Output.warning("\(key): '\(value)' is not always, never, auto, true or false; ignored")
        }
        return .auto
    }

    private static func environmentValue(_ name: String) -> String? {
        envString(name)
    }
}

/// Writes to standard error without touching C's shared `stderr` stream. Only `Output` calls
/// it: everything else prints through `Output`'s guard.
private func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if n <= 0 { return }
        offset += n
    }
}
