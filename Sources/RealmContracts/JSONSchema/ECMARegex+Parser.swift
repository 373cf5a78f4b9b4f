import RealmLimits

// MARK: - Parser

/// Recursive descent over the pattern's code points, following ECMA-262 with the `u` flag,
/// plus the Annex B leniencies JSON Schema authors rely on (a `{` or `]` that starts no
/// quantifier or class is a literal; `-` next to a class escape inside `[...]` is a literal).
struct RegexParser {
    let scalars: [Unicode.Scalar]
    var i = 0
    var depth = 0

    init(_ pattern: String) { scalars = Array(pattern.unicodeScalars) }

    typealias SyntaxError = PatternMatcher.SyntaxError

    var peek: Unicode.Scalar? { i < scalars.count ? scalars[i] : nil }

    func peek(_ offset: Int) -> Unicode.Scalar? { i + offset < scalars.count ? scalars[i + offset] : nil }

    mutating func parse() throws(SyntaxError) -> RegexNode {
        let node = try alternation()
        if i < scalars.count {
            // Only an unmatched `)` stops the top-level alternation early.
            throw SyntaxError(message: "unmatched ')' at offset \(i)")
        }
        return node
    }

    mutating func alternation() throws(SyntaxError) -> RegexNode {
        depth += 1
        defer { depth -= 1 }
        if depth > Limits.patternNesting {
            throw SyntaxError(message: "groups nest more than \(Limits.patternNesting) deep")
        }
        var branches = [try sequence()]
        while peek == "|" {
            i += 1
            branches.append(try sequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func sequence() throws(SyntaxError) -> RegexNode {
        var parts: [RegexNode] = []
        while let c = peek, c != "|", c != ")" {
            let atomStart = i
            let (atom, quantifiable) = try self.atom()
            if let (min, max) = try quantifier() {
                guard quantifiable else {
                    throw SyntaxError(message: "nothing to repeat at offset \(atomStart)")
                }
                parts.append(.repetition(atom, min: min, max: max))
            } else {
                parts.append(atom)
            }
        }
        if parts.isEmpty { return .empty }
        return parts.count == 1 ? parts[0] : .concat(parts)
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (each optionally lazy), or nil.
    mutating func quantifier() throws(SyntaxError) -> (Int, Int?)? {
        guard let c = peek else { return nil }
        let result: (Int, Int?)
        switch c {
        case "*": i += 1; result = (0, nil)
        case "+": i += 1; result = (1, nil)
        case "?": i += 1; result = (0, 1)
        case "{":
            guard let braces = try braceQuantifier() else { return nil }
            result = braces
        default: return nil
        }
        if peek == "?" { i += 1 }  // lazy: the same language
        return result
    }

    /// A `{n}`, `{n,}` or `{n,m}` at the cursor (consumed), or nil (cursor unchanged).
    mutating func braceQuantifier() throws(SyntaxError) -> (Int, Int?)? {
        let start = i
        i += 1
        guard let min = number() else { i = start; return nil }
        var max: Int? = min
        if peek == "," {
            i += 1
            max = number()
            if max == nil && peek != "}" { i = start; return nil }
        }
        guard peek == "}" else { i = start; return nil }
        i += 1
        let cap = Limits.patternStates
        if min > cap || (max ?? 0) > cap {
            throw SyntaxError(message: "repetition count in '\(text(start, i))' is larger than \(cap)")
        }
        if let max, max < min {
            throw SyntaxError(message: "numbers out of order in '\(text(start, i))'")
        }
        return (min, max)
    }

    /// Decimal digits at the cursor, saturating (the caller refuses big counts), or nil.
    mutating func number() -> Int? {
        var value: Int?
        while let c = peek, ("0"..."9").contains(c) {
            let digit = Int(c.value - 0x30)
            let v = value ?? 0
            value = v > 100_000_000 ? v : v * 10 + digit
            i += 1
        }
        return value
    }

    func text(_ from: Int, _ to: Int) -> String {
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars[from..<min(to, scalars.count)])
        return s
    }

    /// One atom and whether a quantifier may follow it.
    mutating func atom() throws(SyntaxError) -> (RegexNode, Bool) {
        let c = scalars[i]
        switch c {
        case "^": i += 1; return (.assertion(.start), false)
        case "$": i += 1; return (.assertion(.end), false)
        case ".":
            i += 1
            return (.scalars(ScalarSet([.ranges(ClassItem.lineTerminators, negated: false)], negated: true)), true)
        case "(":
            return try group()
        case "[":
            return (.scalars(try characterClass()), true)
        case "\\":
            return try escape()
        case "*", "+", "?":
            throw SyntaxError(message: "nothing to repeat at offset \(i)")
        case "{":
            let save = i
            if (try? braceQuantifier()) ?? nil != nil {
                i = save
                throw SyntaxError(message: "nothing to repeat at offset \(i)")
            }
            i = save + 1
            return (.scalars(.single(c.value)), true)
        default:
            i += 1
            return (.scalars(.single(c.value)), true)
        }
    }

    mutating func group() throws(SyntaxError) -> (RegexNode, Bool) {
        let start = i
        i += 1
        var lookahead: Bool? = nil  // negated?
        if peek == "?" {
            switch (peek(1), peek(2)) {
            case (":"?, _): i += 2
            case ("="?, _): i += 2; lookahead = false
            case ("!"?, _): i += 2; lookahead = true
            case ("<"?, "="?), ("<"?, "!"?):
                throw SyntaxError(message: "lookbehind assertions are not supported (they need backtracking)")
            case ("<"?, _):
                i += 2
                let nameStart = i
                while let n = peek, n != ">" {
                    guard n.properties.isAlphabetic || n == "_" || n == "$" || (("0"..."9").contains(n) && i > nameStart) else {
                        throw SyntaxError(message: "invalid group name at offset \(i)")
                    }
                    i += 1
                }
                guard peek == ">", i > nameStart else { throw SyntaxError(message: "invalid group name at offset \(nameStart)") }
                i += 1
            default:
                throw SyntaxError(message: "invalid group '(\(text(start + 1, start + 3))' at offset \(start)")
            }
        }
        let inner = try alternation()
        guard peek == ")" else { throw SyntaxError(message: "missing ')' for the group at offset \(start)") }
        i += 1
        if let negated = lookahead { return (.lookahead(inner, negated: negated), true) }
        return (inner, true)
    }

    /// An escape outside a class.
    mutating func escape() throws(SyntaxError) -> (RegexNode, Bool) {
        guard let e = peek(1) else { throw SyntaxError(message: "pattern ends with '\\'") }
        switch e {
        case "b": i += 2; return (.assertion(.wordBoundary), false)
        case "B": i += 2; return (.assertion(.notWordBoundary), false)
        case "1"..."9":
            throw SyntaxError(message: "backreferences such as '\\\(e)' are not supported (they need backtracking)")
        case "k":
            throw SyntaxError(message: "backreferences such as '\\k<name>' are not supported (they need backtracking)")
        default:
            return (.scalars(ScalarSet(try classEscape(inClass: false))), true)
        }
    }

    /// An escape that stands for a set of code points, at the cursor (on the backslash).
    mutating func classEscape(inClass: Bool) throws(SyntaxError) -> [ClassItem] {
        let start = i
        guard let e = peek(1) else { throw SyntaxError(message: "pattern ends with '\\'") }
        i += 2
        func single(_ v: UInt32) -> [ClassItem] { [.ranges([v...v], negated: false)] }
        switch e {
        case "d": return [.ranges(ClassItem.digit, negated: false)]
        case "D": return [.ranges(ClassItem.digit, negated: true)]
        case "w": return [.ranges(ClassItem.word, negated: false)]
        case "W": return [.ranges(ClassItem.word, negated: true)]
        case "s": return [.ranges(ClassItem.space, negated: false)]
        case "S": return [.ranges(ClassItem.space, negated: true)]
        case "t": return single(0x09)
        case "n": return single(0x0A)
        case "v": return single(0x0B)
        case "f": return single(0x0C)
        case "r": return single(0x0D)
        case "b" where inClass: return single(0x08)
        case "-" where inClass: return single(0x2D)
        case "0":
            if let d = peek, ("0"..."9").contains(d) {
                throw SyntaxError(message: "octal escapes such as '\\0\(d)' are not allowed")
            }
            return single(0)
        case "c":
            if let letter = peek, letter.isASCII, letter.properties.isAlphabetic {
                i += 1
                return single(letter.value % 32)
            }
            throw SyntaxError(message: "invalid control escape '\\c' at offset \(start)")
        case "x":
            guard let v = hex(count: 2) else { throw SyntaxError(message: "invalid \\x escape at offset \(start)") }
            return single(v)
        case "u":
            if peek == "{" {
                i += 1
                var v: UInt32 = 0
                var digits = 0
                while let h = peek, let d = Self.hexDigit(h) {
                    v = v > 0x10FFFF ? v : v * 16 + d
                    digits += 1
                    i += 1
                }
                guard digits > 0, peek == "}", v <= 0x10FFFF else {
                    throw SyntaxError(message: "invalid \\u{...} escape at offset \(start)")
                }
                i += 1
                return single(v)
            }
            guard var v = hex(count: 4) else { throw SyntaxError(message: "invalid \\u escape at offset \(start)") }
            if (0xD800..<0xDC00).contains(v), peek == "\\", peek(1) == "u" {
                let save = i
                i += 2
                if let low = hex(count: 4), (0xDC00..<0xE000).contains(low) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    i = save
                }
            }
            return single(v)
        case "p", "P":
            guard peek == "{" else { throw SyntaxError(message: "invalid \\\(e) escape at offset \(start): expected '{'") }
            let nameStart = i + 1
            var end = nameStart
            while end < scalars.count, scalars[end] != "}" { end += 1 }
            guard end < scalars.count else { throw SyntaxError(message: "unterminated \\\(e){...} at offset \(start)") }
            let name = text(nameStart, end)
            guard let property = UnicodeProperty.named(name) else {
                throw SyntaxError(message: "unsupported Unicode property '\(name)'")
            }
            i = end + 1
            return [.property(property, negated: e == "P")]
        case "1"..."9":
            throw SyntaxError(message: "backreferences such as '\\\(e)' are not supported (they need backtracking)")
        default:
            if e.isASCII && (e.properties.isAlphabetic || ("0"..."9").contains(e)) {
                throw SyntaxError(message: "unknown escape '\\\(e)'")
            }
            return single(e.value)
        }
    }

    static func hexDigit(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 0x30
        case "a"..."f": return c.value - 0x61 + 10
        case "A"..."F": return c.value - 0x41 + 10
        default: return nil
        }
    }

    mutating func hex(count: Int) -> UInt32? {
        guard i + count <= scalars.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<count {
            guard let d = Self.hexDigit(scalars[i + k]) else { return nil }
            v = v * 16 + d
        }
        i += count
        return v
    }

    /// `[...]` or `[^...]` at the cursor.
    mutating func characterClass() throws(SyntaxError) -> ScalarSet {
        let start = i
        i += 1
        var negated = false
        if peek == "^" { negated = true; i += 1 }
        var items: [ClassItem] = []
        while true {
            guard let c = peek else { throw SyntaxError(message: "unterminated character class at offset \(start)") }
            if c == "]" { i += 1; break }
            let first = try classAtom()
            if peek == "-", let next = peek(1), next != "]" {
                let dash = i
                i += 1
                let second = try classAtom()
                if case .ranges(let a, false) = first, a.count == 1, a[0].count == 1,
                   case .ranges(let b, false) = second, b.count == 1, b[0].count == 1
                {
                    let lo = a[0].lowerBound, hi = b[0].lowerBound
                    guard lo <= hi else {
                        throw SyntaxError(message: "range out of order in character class at offset \(dash)")
                    }
                    items.append(.ranges([lo...hi], negated: false))
                } else {
                    // Annex B: a class escape next to '-' makes the '-' a literal.
                    items.append(first)
                    items.append(.ranges([0x2D...0x2D], negated: false))
                    items.append(second)
                }
            } else {
                items.append(first)
            }
        }
        return ScalarSet(items, negated: negated)
    }

    mutating func classAtom() throws(SyntaxError) -> ClassItem {
        let c = scalars[i]
        if c == "\\" {
            let items = try classEscape(inClass: true)
            return items.count == 1 ? items[0] : .ranges([], negated: false)
        }
        i += 1
        return .ranges([c.value...c.value], negated: false)
    }
}
