/// An ECMA-262 regular expression as JSON Schema uses it (`pattern`, `patternProperties`):
/// unanchored search, code-point semantics, ASCII `\d` and `\w`.
///
/// Plain literals and `^literal`/`literal$`/`^literal$` are matched without the regex engine;
/// anything else is translated to Swift Regex syntax and compiled once.
struct PatternMatcher: @unchecked Sendable {
    // @unchecked: `Regex` is an immutable value whose lazily built program is initialised
    // atomically, so matching from several threads is safe; it is just not declared Sendable.
    let source: String
    private let kind: Kind

    private enum Kind {
        case contains([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case exact([UInt8])
        case regex(Regex<AnyRegexOutput>)
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
        let translated = try Self.translate(source)
        do {
            let regex = try Regex(translated)
                .asciiOnlyDigits()
                .asciiOnlyWordCharacters()
                .matchingSemantics(.unicodeScalar)
            kind = .regex(regex)
        } catch {
            throw SyntaxError(message: "\(error)")
        }
    }

    func matches(_ string: String) -> Bool {
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
            return (try? regex.firstMatch(in: string)) != nil
        }
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

    /// Rewrites the ECMA-262 constructs whose meaning differs in Swift Regex syntax.
    static func translate(_ pattern: String) throws(SyntaxError) -> String {
        let scalars = Array(pattern.unicodeScalars)
        var out = ""
        var i = 0
        var inClass = false
        var classStart = false  // just after `[` or `[^`
        func hexValue(_ from: Int, _ count: Int) -> UInt32? {
            guard from + count <= scalars.count else { return nil }
            var v: UInt32 = 0
            for k in from..<(from + count) {
                guard scalars[k].isASCII, let d = Int(String(scalars[k]), radix: 16) else { return nil }
                v = v * 16 + UInt32(d)
            }
            return v
        }
        func emitScalar(_ v: UInt32) {
            out += "\\u{" + String(v, radix: 16) + "}"
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\\" {
                guard i + 1 < scalars.count else { throw SyntaxError(message: "pattern ends with '\\'") }
                let e = scalars[i + 1]
                switch e {
                case "u":
                    if i + 2 < scalars.count, scalars[i + 2] == "{" {
                        // \u{...}: same syntax in Swift.
                        out += "\\u"
                        i += 2
                        continue
                    }
                    guard var value = hexValue(i + 2, 4) else {
                        throw SyntaxError(message: "invalid \\u escape")
                    }
                    i += 6
                    if (0xD800..<0xDC00).contains(value), i + 1 < scalars.count, scalars[i] == "\\",
                       scalars[i + 1] == "u", let low = hexValue(i + 2, 4), (0xDC00..<0xE000).contains(low)
                    {
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    emitScalar(value)
                    classStart = false
                    continue
                case "c":
                    if i + 2 < scalars.count, scalars[i + 2].properties.isAlphabetic, scalars[i + 2].isASCII {
                        emitScalar(scalars[i + 2].value % 32)
                        i += 3
                        classStart = false
                        continue
                    }
                    out += "\\\\c"
                case "0":
                    emitScalar(0)
                case "b" where inClass:
                    emitScalar(8)
                case "d", "D", "w", "W", "b", "B", "S", "k", "p", "P", "x", "t", "n", "r", "f", "v",
                     "1", "2", "3", "4", "5", "6", "7", "8", "9":
                    out += "\\" + String(e)
                case "s":
                    // ECMA's \s also includes U+FEFF.
                    out += inClass ? "\\s\\u{feff}" : "[\\s\\u{feff}]"
                case "/":
                    out += "/"
                default:
                    if e.isASCII && (e.properties.isAlphabetic) {
                        throw SyntaxError(message: "unknown escape '\\\(e)'")
                    }
                    out += "\\" + String(e)
                }
                i += 2
                classStart = false
                continue
            }
            if inClass {
                switch c {
                case "]":
                    if classStart {
                        // `[]` matches nothing, `[^]` anything.
                        if out.hasSuffix("[^") {
                            out.removeLast(2)
                            out += "[\\s\\S]"
                        } else {
                            out.removeLast(1)
                            out += "(?!)"
                        }
                    } else {
                        out += "]"
                    }
                    inClass = false
                case "[", "&", "~":
                    out += "\\" + String(c)
                case "-":
                    out += out.hasSuffix("-") ? "\\-" : "-"
                default:
                    out.unicodeScalars.append(c)
                }
                classStart = false
                i += 1
                continue
            }
            switch c {
            case "[":
                inClass = true
                classStart = true
                out += "["
                if i + 1 < scalars.count, scalars[i + 1] == "^" {
                    out += "^"
                    i += 1
                }
                i += 1
                continue
            case "(":
                if i + 2 < scalars.count, scalars[i + 1] == "?", scalars[i + 2] == "<",
                   i + 3 < scalars.count, scalars[i + 3] == "=" || scalars[i + 3] == "!"
                {
                    throw SyntaxError(message: "lookbehind assertions are not supported")
                }
                out += "("
            default:
                out.unicodeScalars.append(c)
            }
            i += 1
        }
        if inClass { throw SyntaxError(message: "unterminated character class") }
        return out
    }
}
