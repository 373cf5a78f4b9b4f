extension StringProtocol {
    /// Without leading and trailing white space (Character.isWhitespace: spaces, tabs, newlines).
    public func trimmingWhitespace() -> String {
        var s = self[...]
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }

    /// Without trailing newlines ("\n" only).
    public func trimmingTrailingNewlines() -> String {
        var s = self[...]
        while s.last == "\n" { s.removeLast() }
        return String(s)
    }
}

/// A comma-separated list, each item trimmed, empty items dropped.
public func splitList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
}

extension String {
    /// Every occurrence of `target` replaced (literal, not a pattern; Foundation-free).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }

    /// The parts between occurrences of `separator` (literal; empty parts kept).
    public func components(separatedBy separator: String) -> [String] {
        guard !separator.isEmpty else { return [self] }
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
