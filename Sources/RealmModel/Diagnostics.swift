import RealmYAML

/// One finding about a realm file, printed as `path:line:col: message` (warnings say so).
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(_ severity: Severity, file: String, mark: Mark?, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = mark?.line ?? 1
        self.column = mark?.column ?? 1
        self.message = message
    }

    public var description: String {
        "\(file):\(line):\(column): " + (severity == .warning ? "warning: " : "") + message
    }
}

/// A realm file that could not be read into the model. The first error is the headline; all
/// findings are kept for commands that print them together.
public struct ModelError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(file: String, mark: Mark?, _ message: String) {
        self.diagnostics = [Diagnostic(.error, file: file, mark: mark, message)]
    }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var description: String { (errors.first ?? diagnostics.first)?.description ?? "invalid realm file" }
}
