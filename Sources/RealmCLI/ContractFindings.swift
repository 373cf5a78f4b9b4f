import RealmCore

/// Output shared by the contract checks: findings as `path:line:col: message`, as JSON, or as
/// GitHub Actions workflow commands; schema changes as JSON.
enum ContractFindings {
    /// `path:line:col: message` (warnings say `warning:`).
    static func text(_ finding: Finding) -> String {
        finding.description
    }

    /// `::error file=PATH,line=L,col=C::message` (or `::warning`), escaped as GitHub's runner
    /// expects (`Findings.escapeData`/`escapeProperty`, shared with the other check modes).
    static func github(_ finding: Finding) -> String {
        let command = finding.severity == .error ? "error" : "warning"
        return "::\(command) file=\(Findings.escapeProperty(finding.file ?? "")),line=\(finding.line ?? 1),col=\(finding.column ?? 1)::\(Findings.escapeData(finding.message))"
    }

    static func json(_ finding: Finding) -> JSONValue {
        ["file": .string(finding.file ?? ""), "line": .integer(finding.line ?? 1), "column": .integer(finding.column ?? 1),
         "severity": .string(finding.severity.rawValue), "message": .string(finding.message)]
    }

    /// Text or GitHub annotations (GitLab's report is printed whole, by `CodeQuality`).
    static func print(_ findings: [Finding], format: CheckCommand.Format) {
        for finding in findings {
            Output.line(format == .github ? github(finding) : text(finding))
        }
    }

    /// One schema change: `{"kind", "path", "backward", "forward", "detail"}` (plus `property`
    /// and, given a declaration, `breaking`).
    static func json(_ change: SchemaChange, declared: ContractCompatibility? = nil) -> JSONValue {
        var object: JSONObject = ["kind": .string(change.kind.rawValue), "path": .string(change.path.description),
                                  "backward": .bool(change.backward), "forward": .bool(change.forward)]
        if let declared { object["breaking"] = .bool(declared.isBroken(by: change)) }
        object["detail"] = .string(change.detail)
        if let property = change.property { object["property"] = .string(property) }
        return .object(object)
    }

    static func json(_ declared: ContractCompatibility) -> JSONValue {
        ["backwards": .bool(declared.backwards), "forwards": .bool(declared.forwards)]
    }

    static func plural(_ n: Int, _ word: String) -> String {
        "\(n) \(word)\(n == 1 ? "" : "s")"
    }
}
