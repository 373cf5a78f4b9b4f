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
