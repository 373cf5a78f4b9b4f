import ArgumentParser
import RealmCore

extension Finding {
    var json: JSONValue {
        var o: JSONObject = ["severity": .string(severity.rawValue), "subject": .string(subject), "message": .string(message)]
        o["file"] = file.map { .string($0) } ?? .null
        o["line"] = line.map { .integer($0) } ?? .null
        o["column"] = column.map { .integer($0) } ?? .null
        o["details"] = .array(details.map { .string($0) })
        o["hint"] = hint.map { .string($0) } ?? .null
        return .object(o)
    }
}

/// How a check's findings are shown: text, JSON, GitHub Actions annotations or a GitLab Code
/// Quality report.
extension Findings {
    // MARK: output

    /// Prints the findings (JSON with `json`, else text, GitHub annotations or GitLab's Code
    /// Quality JSON), then exits 1 when the check failed. `extra` adds keys to the JSON object
    /// (`mode`, the states checked); its `mode` names the check in a Code Quality report, where
    /// a finding without a file is located at `fallbackPath`.
    func emit(format: CheckCommand.Format, json: Bool, extra: JSONObject = [:], fallbackPath: String = ".gitrealm") throws {
        if json {
            Output.json(jsonValue(extra: extra))
        } else {
            switch format {
            case .text: for line in textLines() { Output.line(line) }
            case .github: for line in githubLines() { Output.line(line) }
            case .gitlab:
                let mode = if case .string(let m)? = extra["mode"] { m } else { "check" }
                Output.json(CodeQuality.report(items, checkName: "git-realm-\(mode)", fallbackPath: fallbackPath))
            }
        }
        if failed { throw ExitCode(RealmError.Kind.checkFailed.rawValue) }
    }

    func jsonValue(extra: JSONObject = [:]) -> JSONValue {
        var o = extra
        o["ok"] = .bool(!failed)
        o["strict"] = .bool(strict)
        o["errors"] = .integer(errors)
        o["warnings"] = .integer(warnings)
        o["findings"] = .array(items.map(\.json))
        return .object(o)
    }

    /// `✓ s3-permissions: code matches contract`, `⚠️  ...`, `✗ ...`, details indented below.
    func textLines() -> [String] {
        var lines: [String] = []
        for f in items {
            let mark: String = switch f.severity {
            case .ok: Output.green("✓")
            case .notice: Output.dim("·")
            case .warning: Output.yellow("⚠️ ")
            case .error: Output.red("✗")
            }
            let location = f.file.map { " (\($0)\(f.line.map { ":\($0)" } ?? ""))" } ?? ""
            lines.append("\(mark) \(f.text)\(f.severity >= .warning ? location : "")")
            lines += f.details.map { "    \($0)" }
            if let hint = f.hint { lines.append("    hint: \(hint)") }
        }
        if let summary { lines.append(summary) }
        return lines
    }

    /// GitHub Actions workflow commands: `::error file=F,line=L,title=T::message` for errors and
    /// warnings (details and hint joined into the message), plain lines for the rest.
    func githubLines() -> [String] {
        var lines: [String] = []
        for f in items {
            switch f.severity {
            case .ok: lines.append("✓ \(f.text)")
            case .notice, .warning, .error:
                var properties: [String] = []
                if let file = f.file { properties.append("file=\(Self.escapeProperty(file))") }
                if let line = f.line { properties.append("line=\(line)") }
                if let column = f.column { properties.append("col=\(column)") }
                if !f.subject.isEmpty { properties.append("title=\(Self.escapeProperty(f.subject))") }
                var message = f.text
                if !f.details.isEmpty { message += "\n" + f.details.joined(separator: "\n") }
                if let hint = f.hint { message += "\nhint: \(hint)" }
                let command = f.severity == .error ? "error" : f.severity == .warning ? "warning" : "notice"
                let props = properties.isEmpty ? "" : " " + properties.joined(separator: ",")
                lines.append("::\(command)\(props)::\(Self.escapeData(message))")
            }
        }
        if let summary { lines.append(summary) }
        return lines
    }

    /// GitHub's escaping of a command's message.
    static func escapeData(_ s: String) -> String {
        s.replacingAll("%", with: "%25").replacingAll("\r", with: "%0D").replacingAll("\n", with: "%0A")
    }

    /// GitHub's escaping of a command's property values.
    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingAll(":", with: "%3A").replacingAll(",", with: "%2C")
    }
}
