import RealmLimits

/// An ECMA-262 regular expression as JSON Schema uses it (`pattern`, `patternProperties`):
/// unanchored search, code-point semantics, ASCII `\d` and `\w`.
///
/// Plain literals and `^literal`/`literal$`/`^literal$` are matched without the regex engine;
/// anything else is compiled once to an `ECMARegex`, which matches in linear time.
struct PatternMatcher: Sendable {
    let source: String
    private let kind: Kind

    private enum Kind: Sendable {
        case contains([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case exact([UInt8])
        case regex(ECMARegex)
    }

    struct SyntaxError: Error {
        let message: String
    }

    init(_ source: String) throws(SyntaxError) {
        self.source = source
        var body = Substring(source)
        let anchoredStart = body.hasPrefix("^")
        if anchoredStart { body = body.dropFirst() }
        var anchoredEnd = false
        if body.hasSuffix("$") && !body.hasSuffix("\\$") {
            anchoredEnd = true
            body = body.dropLast()
        }
        if let literal = Self.literalText(body) {
            let bytes = Array(literal.utf8)
            switch (anchoredStart, anchoredEnd) {
            case (false, false): kind = .contains(bytes)
            case (true, false): kind = .prefix(bytes)
            case (false, true): kind = .suffix(bytes)
            case (true, true): kind = .exact(bytes)
            }
            return
        }
        kind = .regex(try ECMARegex(source))
    }

    /// Whether the pattern matches somewhere in `string`; nil when `budget` (steps of the regex
    /// engine, decreased by those taken) runs out first.
    func matches(_ string: String, budget: inout Int) -> Bool? {
        switch kind {
        case .contains(let needle):
            if needle.isEmpty { return true }
            return string.utf8.withContiguousStorageIfAvailable { Self.search($0, needle) }
                ?? Self.search(Array(string.utf8), needle)
        case .prefix(let needle):
            return string.utf8.starts(with: needle)
        case .suffix(let needle):
            return string.utf8.reversed().starts(with: needle.reversed())
        case .exact(let needle):
            return string.utf8.elementsEqual(needle)
        case .regex(let regex):
            return regex.search(string, budget: &budget)
        }
    }

    /// `matches` with a budget of its own (`Limits.patternSteps`); false when it runs out.
    func matches(_ string: String) -> Bool {
        var budget = Limits.patternSteps
        return matches(string, budget: &budget) ?? false
    }

    private static func search<C: RandomAccessCollection>(_ haystack: C, _ needle: [UInt8]) -> Bool
    where C.Element == UInt8, C.Index == Int {
        let n = needle.count
        guard haystack.count >= n else { return false }
        let first = needle[0]
        var i = haystack.startIndex
        let last = haystack.endIndex - n
        while i <= last {
            if haystack[i] == first {
                var k = 1
                while k < n && haystack[i + k] == needle[k] { k += 1 }
                if k == n { return true }
            }
            i += 1
        }
        return false
    }

    /// The text of a pattern with no special characters (escaped punctuation allowed), or nil.
    private static func literalText(_ body: Substring) -> String? {
        var out = ""
        var escaped = false
        for ch in body.unicodeScalars {
            if escaped {
                guard ch.isASCII, !ch.properties.isAlphabetic, !("0"..."9").contains(ch) else { return nil }
                out.unicodeScalars.append(ch)
                escaped = false
                continue
            }
            switch ch {
            case "\\": escaped = true
            case "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}": return nil
            default: out.unicodeScalars.append(ch)
            }
        }
        return escaped ? nil : out
    }
}
