import RealmCore

/// GitLab's Code Quality report (`--format gitlab`): a JSON array of issues, each
/// `{"description", "check_name", "fingerprint", "severity", "location": {"path", "lines": {"begin"}}}`,
/// which a job publishes with `artifacts: reports: codequality: FILE` so that the merge request
/// shows the findings. Rendering only: the findings are the check's.
enum CodeQuality {
    /// GitLab's severities: info, minor, major, critical, blocker. An error fails the check
    /// (major), a warning does not (minor); what passed or was skipped (`ok`, `notice`) is not
    /// an issue of the code.
    static func severity(_ severity: Finding.Severity) -> String? {
        switch severity {
        case .ok, .notice: nil
        case .warning: "minor"
        case .error: "major"
        }
    }

    /// The report for `findings`. `checkName` names the check (`git-realm-exporter`);
    /// `fallbackPath` is the location of a finding without a file (GitLab requires one): a
    /// file of the repository the job runs in, such as `.gitrealm`. A path is made relative
    /// (no leading `./`); an absolute one is replaced by the fallback and named in the text.
    /// Fingerprints are stable across runs (check, path and text; not the line, so an edit
    /// above a finding does not make it new) and unique within the report.
    static func report(_ findings: [Finding], checkName: String, fallbackPath: String) -> JSONValue {
        var issues: [JSONValue] = []
        var seen: [String: Int] = [:]
        for finding in findings {
            guard let severity = severity(finding.severity) else { continue }
            var description = finding.text
            var path = finding.file ?? fallbackPath
            while path.hasPrefix("./") { path.removeFirst(2) }
            if path.hasPrefix("/") || path.isEmpty {
                description += " (\(path.isEmpty ? "no file" : path))"
                path = fallbackPath
            }
            if !finding.details.isEmpty { description += "\n" + finding.details.joined(separator: "\n") }
            if let hint = finding.hint { description += "\nhint: \(hint)" }
            let key = "\(checkName)\u{0}\(path)\u{0}\(finding.text)"
            let occurrence = seen[key, default: 0]
            seen[key] = occurrence + 1
            let fingerprint = stableDigest(occurrence == 0 ? key : "\(key)\u{0}\(occurrence)")
            issues.append(["description": .string(description), "check_name": .string(checkName),
                           "fingerprint": .string(fingerprint), "severity": .string(severity),
                           "location": ["path": .string(path), "lines": ["begin": .integer(finding.line ?? 1)]]])
        }
        return .array(issues)
    }
}
