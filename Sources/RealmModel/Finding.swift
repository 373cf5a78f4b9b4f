import RealmYAML

/// One thing a check or a decoder found: the project's one finding type (issue 11). Decoding a
/// realm file gives findings with a position (`path:line:col: message`, `description`); a
/// check's findings (RealmCore's `Findings`) may name a subject (a contract), lines printed
/// under the message and a hint; `ok` and `notice` say what passed or was skipped.
public struct Finding: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case ok, notice, warning, error
        public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
        private var rank: Int { switch self { case .ok: 0; case .notice: 1; case .warning: 2; case .error: 3 } }
    }

    public var severity: Severity
    /// What the finding is about (a contract name), printed before the message; may be empty.
    public var subject: String
    public var message: String
    /// A file (repository- or realm-relative) and position, for annotations and editors.
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// Lines printed under the message (value diff lines, validation output).
    public var details: [String]
    /// What to run next.
    public var hint: String?

    public init(severity: Severity, subject: String = "", message: String, file: String? = nil, line: Int? = nil,
                column: Int? = nil, details: [String] = [], hint: String? = nil) {
        self.severity = severity
        self.subject = subject
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.details = details
        self.hint = hint
    }

    /// A finding at a position in a realm file (line and column 1 without a mark).
    public init(_ severity: Severity, file: String, mark: Mark?, _ message: String) {
        self.init(severity: severity, message: message, file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// `subject: message`, or the message alone.
    public var text: String { subject.isEmpty ? message : "\(subject): \(message)" }

    /// `path:line:col: message` (warnings say `warning:`); the text alone without a file.
    public var description: String {
        guard let file else { return text }
        return "\(file):\(line ?? 1):\(column ?? 1): " + (severity == .warning ? "warning: " : "") + message
    }

    /// (line, column) for ordering, (1, 1) when unknown.
    public var position: (line: Int, column: Int) { (line ?? 1, column ?? 1) }
}

/// A realm file that could not be read into the model. The first error is the headline; all
/// findings are kept for commands that print them together.
public struct ModelError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Finding]
    public init(_ diagnostics: [Finding]) { self.diagnostics = diagnostics }
    public init(file: String, mark: Mark?, _ message: String) {
        self.diagnostics = [Finding(.error, file: file, mark: mark, message)]
    }
    public var errors: [Finding] { diagnostics.filter { $0.severity == .error } }
    public var description: String { (errors.first ?? diagnostics.first)?.description ?? "invalid realm file" }
}
