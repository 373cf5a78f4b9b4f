import RealmModel

/// The findings of one check run (exporter, importer, realm): collected together instead of
/// stopping at the first; the exit status follows from the worst of them (`failed`). RealmCLI
/// renders them (text, `--json`, `--format github`). `strict` turns warnings into failures.
public struct Findings: Sendable {
    public var items: [Finding] = []
    public var strict = false

    public init(strict: Bool = false) { self.strict = strict }

    public mutating func add(_ finding: Finding) { items.append(finding) }

    public mutating func ok(_ subject: String, _ message: String, file: String? = nil) {
        add(Finding(severity: .ok, subject: subject, message: message, file: file))
    }

    public mutating func notice(_ subject: String, _ message: String, file: String? = nil, details: [String] = []) {
        add(Finding(severity: .notice, subject: subject, message: message, file: file, details: details))
    }

    public mutating func warning(_ subject: String, _ message: String, file: String? = nil, line: Int? = nil,
                          details: [String] = [], hint: String? = nil) {
        add(Finding(severity: .warning, subject: subject, message: message, file: file, line: line, details: details, hint: hint))
    }

    public mutating func error(_ subject: String, _ message: String, file: String? = nil, line: Int? = nil,
                        details: [String] = [], hint: String? = nil) {
        add(Finding(severity: .error, subject: subject, message: message, file: file, line: line, details: details, hint: hint))
    }

    public var errors: Int { items.filter { $0.severity == .error }.count }
    public var warnings: Int { items.filter { $0.severity == .warning }.count }
    /// Exit 1 when this is true: any error, or any warning with `strict`.
    public var failed: Bool { errors > 0 || (strict && warnings > 0) }

    /// `1 error, 2 warnings (warnings fail with --strict)`; nil when there is neither.
    public var summary: String? {
        guard errors + warnings > 0 else { return nil }
        var parts: [String] = []
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")\(strict ? " (failures with --strict)" : "")") }
        return parts.joined(separator: ", ")
    }

}
