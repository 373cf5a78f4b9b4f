import RealmLimits

/// An ECMA-262 regular expression (the `u`-flag dialect JSON Schema uses) matched by NFA
/// simulation (a Pike VM without captures): the time to search a string is linear in its
/// length times the size of the compiled program, whatever the pattern. Patterns such as
/// `^(a+)+$` or `(a|aa)*b` that make backtracking engines run for minutes cost microseconds.
///
/// What needs backtracking is refused when the pattern is compiled: backreferences (`\1`,
/// `\k<name>`) and lookbehind. Lookahead (`(?=...)`, `(?!...)`) is supported in linear time
/// too: its body is compiled reversed, and the first time a search needs it, one right-to-left
/// pass over the string finds every position where it matches. Every search runs under a step budget (`Limits.patternSteps` per validation);
/// running out is reported, never a hang.
struct ECMARegex: Sendable {
    fileprivate let programs: [RegexProgram]
    fileprivate let sets: [ScalarSet]
    /// Whether every match must start at position 0 (the pattern begins with `^` in every
    /// alternative): a failed start need not be retried further on.
    fileprivate let anchoredStart: Bool

    /// Compiles `pattern`; throws with a one-line reason.
    init(_ pattern: String) throws(PatternMatcher.SyntaxError) {
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        var compiler = RegexCompiler()
        try compiler.compileMain(tree)
        programs = compiler.programs
        sets = compiler.sets
        anchoredStart = tree.startsAnchored
    }

    /// Number of instructions of all programs (for tests and limits).
    var size: Int { programs.reduce(0) { $0 + $1.code.count } }

    /// Whether the pattern matches somewhere in `string` (ECMA-262 `RegExp.prototype.test`).
    /// Returns nil when `budget` steps do not suffice; `budget` is decreased by the steps taken.
    func search(_ string: String, budget: inout Int) -> Bool? {
        var input: [UInt32] = []
        input.reserveCapacity(string.utf8.count)
        for scalar in string.unicodeScalars { input.append(scalar.value) }
        var machine = RegexMachine(regex: self, input: input, budget: budget)
        let result = machine.run(program: 0, at: 0, unanchored: !anchoredStart)
        budget = machine.budget
        return result
    }
}

// MARK: - Syntax tree

fileprivate indirect enum RegexNode {
    case empty
    case scalars(ScalarSet)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)
    case assertion(RegexAssertion)
    case lookahead(RegexNode, negated: Bool)

    var startsAnchored: Bool {
        switch self {
        case .assertion(.start): return true
        case .concat(let parts): return parts.first?.startsAnchored ?? false
        case .alternation(let parts): return !parts.isEmpty && parts.allSatisfy(\.startsAnchored)
        default: return false
        }
    }
}

fileprivate enum RegexAssertion: Equatable {
    case start, end, wordBoundary, notWordBoundary
}

/// A Unicode property for `\p{...}`.
fileprivate enum UnicodeProperty {
    case categories([Unicode.GeneralCategory])
    case alphabetic, whiteSpace, uppercase, lowercase, ascii, any, assigned, emoji, math, hexDigit,
         asciiHexDigit, ideographic, dash, diacritic, noncharacter, defaultIgnorable

    func contains(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        let p = scalar.properties
        switch self {
        case .categories(let list): return list.contains(p.generalCategory)
        case .alphabetic: return p.isAlphabetic
        case .whiteSpace: return p.isWhitespace
        case .uppercase: return p.isUppercase
        case .lowercase: return p.isLowercase
        case .ascii: return value < 0x80
        case .any: return true
        case .assigned: return p.generalCategory != .unassigned
        case .emoji: return p.isEmoji
        case .math: return p.isMath
        case .hexDigit: return p.isHexDigit
        case .asciiHexDigit: return p.isASCIIHexDigit
        case .ideographic: return p.isIdeographic
        case .dash: return p.isDash
        case .diacritic: return p.isDiacritic
        case .noncharacter: return p.isNoncharacterCodePoint
        case .defaultIgnorable: return p.isDefaultIgnorableCodePoint
        }
    }

    static func named(_ name: String) -> UnicodeProperty? {
        var name = name
        for prefix in ["General_Category=", "gc="] where name.hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
        }
        if let list = categoryNames[name] { return .categories(list) }
        switch name {
        case "Alphabetic", "Alpha": return .alphabetic
        case "White_Space", "space": return .whiteSpace
        case "Uppercase", "Upper": return .uppercase
        case "Lowercase", "Lower": return .lowercase
        case "ASCII": return .ascii
        case "Any": return .any
        case "Assigned": return .assigned
        case "Emoji": return .emoji
        case "Math": return .math
        case "Hex_Digit", "Hex": return .hexDigit
        case "ASCII_Hex_Digit", "AHex": return .asciiHexDigit
        case "Ideographic", "Ideo": return .ideographic
        case "Dash": return .dash
        case "Diacritic", "Dia": return .diacritic
        case "Noncharacter_Code_Point", "NChar": return .noncharacter
        case "Default_Ignorable_Code_Point", "DI": return .defaultIgnorable
        default: return nil
        }
    }

    private static let categoryNames: [String: [Unicode.GeneralCategory]] = {
        let letters: [Unicode.GeneralCategory] = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter]
        let marks: [Unicode.GeneralCategory] = [.nonspacingMark, .spacingMark, .enclosingMark]
        let numbers: [Unicode.GeneralCategory] = [.decimalNumber, .letterNumber, .otherNumber]
        let punctuation: [Unicode.GeneralCategory] = [.connectorPunctuation, .dashPunctuation, .openPunctuation,
                                                       .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation]
        let symbols: [Unicode.GeneralCategory] = [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol]
        let separators: [Unicode.GeneralCategory] = [.spaceSeparator, .lineSeparator, .paragraphSeparator]
        let others: [Unicode.GeneralCategory] = [.control, .format, .surrogate, .privateUse, .unassigned]
        var table: [String: [Unicode.GeneralCategory]] = [:]
        func add(_ names: [String], _ list: [Unicode.GeneralCategory]) { for n in names { table[n] = list } }
        add(["L", "Letter"], letters)
        add(["LC", "Cased_Letter"], [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter])
        add(["Lu", "Uppercase_Letter"], [.uppercaseLetter])
        add(["Ll", "Lowercase_Letter"], [.lowercaseLetter])
        add(["Lt", "Titlecase_Letter"], [.titlecaseLetter])
        add(["Lm", "Modifier_Letter"], [.modifierLetter])
        add(["Lo", "Other_Letter"], [.otherLetter])
        add(["M", "Mark", "Combining_Mark"], marks)
        add(["Mn", "Nonspacing_Mark"], [.nonspacingMark])
        add(["Mc", "Spacing_Mark"], [.spacingMark])
        add(["Me", "Enclosing_Mark"], [.enclosingMark])
        add(["N", "Number"], numbers)
        add(["Nd", "Decimal_Number", "digit"], [.decimalNumber])
        add(["Nl", "Letter_Number"], [.letterNumber])
        add(["No", "Other_Number"], [.otherNumber])
        add(["P", "Punctuation", "punct"], punctuation)
        add(["Pc", "Connector_Punctuation"], [.connectorPunctuation])
        add(["Pd", "Dash_Punctuation"], [.dashPunctuation])
        add(["Ps", "Open_Punctuation"], [.openPunctuation])
        add(["Pe", "Close_Punctuation"], [.closePunctuation])
        add(["Pi", "Initial_Punctuation"], [.initialPunctuation])
        add(["Pf", "Final_Punctuation"], [.finalPunctuation])
        add(["Po", "Other_Punctuation"], [.otherPunctuation])
        add(["S", "Symbol"], symbols)
        add(["Sm", "Math_Symbol"], [.mathSymbol])
        add(["Sc", "Currency_Symbol"], [.currencySymbol])
        add(["Sk", "Modifier_Symbol"], [.modifierSymbol])
        add(["So", "Other_Symbol"], [.otherSymbol])
        add(["Z", "Separator"], separators)
        add(["Zs", "Space_Separator"], [.spaceSeparator])
        add(["Zl", "Line_Separator"], [.lineSeparator])
        add(["Zp", "Paragraph_Separator"], [.paragraphSeparator])
        add(["C", "Other"], others)
        add(["Cc", "Control", "cntrl"], [.control])
        add(["Cf", "Format"], [.format])
        add(["Cs", "Surrogate"], [.surrogate])
        add(["Co", "Private_Use"], [.privateUse])
        add(["Cn", "Unassigned"], [.unassigned])
        return table
    }()
}

/// One element of a character class.
fileprivate enum ClassItem {
    case ranges([ClosedRange<UInt32>], negated: Bool)
    case property(UnicodeProperty, negated: Bool)

    func contains(_ c: UInt32) -> Bool {
        switch self {
        case .ranges(let ranges, let negated):
            var found = false
            for r in ranges where r.contains(c) { found = true; break }
            return found != negated
        case .property(let property, let negated):
            return property.contains(c) != negated
        }
    }

    static let digit: [ClosedRange<UInt32>] = [0x30...0x39]
    static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    /// ECMA-262 WhiteSpace and LineTerminator.
    static let space: [ClosedRange<UInt32>] = [0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680,
                                               0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F,
                                               0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF]
    /// `.`: anything but a line terminator.
    static let lineTerminators: [ClosedRange<UInt32>] = [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029]
}

/// The code points one step of the pattern accepts; ASCII is answered from a bitmap.
fileprivate struct ScalarSet {
    let items: [ClassItem]
    let negated: Bool
    private let low: UInt64
    private let high: UInt64

    init(_ items: [ClassItem], negated: Bool = false) {
        self.items = items
        self.negated = negated
        var low: UInt64 = 0, high: UInt64 = 0
        for c in UInt32(0)..<128 where Self.slowContains(items, negated, c) {
            if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
        }
        self.low = low
        self.high = high
    }

    static func single(_ c: UInt32) -> ScalarSet { ScalarSet([.ranges([c...c], negated: false)]) }

    private static func slowContains(_ items: [ClassItem], _ negated: Bool, _ c: UInt32) -> Bool {
        var found = false
        for item in items where item.contains(c) { found = true; break }
        return found != negated
    }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return low & (1 << UInt64(c)) != 0 }
        if c < 128 { return high & (1 << UInt64(c - 64)) != 0 }
        return Self.slowContains(items, negated, c)
    }
}

// MARK: - Parser

/// Recursive descent over the pattern's code points, following ECMA-262 with the `u` flag,
/// plus the Annex B leniencies JSON Schema authors rely on (a `{` or `]` that starts no
/// quantifier or class is a literal; `-` next to a class escape inside `[...]` is a literal).
fileprivate struct RegexParser {
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

// MARK: - Compiler

fileprivate enum RegexInstruction {
    /// Consume one code point of `sets[index]`.
    case scalars(Int)
    /// Continue at both targets.
    case split(Int, Int)
    case jump(Int)
    case assertion(RegexAssertion)
    /// Continue when program `index` matches (or, negated, does not match) here.
    case lookahead(Int, negated: Bool)
    case match
}

fileprivate struct RegexProgram {
    var code: [RegexInstruction] = []
}

fileprivate struct RegexCompiler {
    var programs: [RegexProgram] = []
    var sets: [ScalarSet] = []
    var total = 0

    typealias SyntaxError = PatternMatcher.SyntaxError

    mutating func compileMain(_ node: RegexNode) throws(SyntaxError) {
        programs.append(RegexProgram())
        try compileProgram(node, into: 0, reversed: false)
    }

    /// A lookahead's program is `reversed`: it reads right to left, concatenations backwards.
    mutating func compileProgram(_ node: RegexNode, into index: Int, reversed: Bool) throws(SyntaxError) {
        var code: [RegexInstruction] = []
        try emit(node, &code, reversed: reversed)
        try append(.match, &code)
        programs[index].code = code
    }

    mutating func append(_ instruction: RegexInstruction, _ code: inout [RegexInstruction]) throws(SyntaxError) {
        total += 1
        if total > Limits.patternStates {
            throw SyntaxError(message: "pattern is too large: it compiles to more than \(Limits.patternStates) states (repetition counts multiply)")
        }
        code.append(instruction)
    }

    mutating func emit(_ node: RegexNode, _ code: inout [RegexInstruction], reversed: Bool) throws(SyntaxError) {
        switch node {
        case .empty:
            break
        case .scalars(let set):
            sets.append(set)
            try append(.scalars(sets.count - 1), &code)
        case .concat(let parts):
            for part in reversed ? parts.reversed() : parts { try emit(part, &code, reversed: reversed) }
        case .alternation(let branches):
            // split L1, next; L1: b1; jump end; next: split L2, next2; ...
            var jumps: [Int] = []
            for (n, branch) in branches.enumerated() {
                if n < branches.count - 1 {
                    let split = code.count
                    try append(.split(split + 1, -1), &code)
                    try emit(branch, &code, reversed: reversed)
                    jumps.append(code.count)
                    try append(.jump(-1), &code)
                    code[split] = .split(split + 1, code.count)
                } else {
                    try emit(branch, &code, reversed: reversed)
                }
            }
            for j in jumps { code[j] = .jump(code.count) }
        case .repetition(let body, let min, let max):
            for _ in 0..<min { try emit(body, &code, reversed: reversed) }
            if let max {
                // Each optional copy: split body, end.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(code.count)
                    try append(.split(-1, -1), &code)
                    try emit(body, &code, reversed: reversed)
                }
                for s in splits { code[s] = .split(s + 1, code.count) }
            } else {
                let loop = code.count
                try append(.split(-1, -1), &code)
                try emit(body, &code, reversed: reversed)
                try append(.jump(loop), &code)
                code[loop] = .split(loop + 1, code.count)
            }
        case .assertion(let kind):
            try append(.assertion(kind), &code)
        case .lookahead(let inner, let negated):
            let index = programs.count
            programs.append(RegexProgram())
            try compileProgram(inner, into: index, reversed: true)
            try append(.lookahead(index, negated: negated), &code)
        }
    }
}

// MARK: - Simulation

/// One search: the input, the budget, and per-program scratch space reused across positions.
fileprivate struct RegexMachine {
    let regex: ECMARegex
    let input: [UInt32]
    var budget: Int
    /// Per program: the stamp of the list each instruction was last added to.
    private var marks: [[Int]]
    private var stamp = 0
    /// Per lookahead program, once computed: whether it matches at each position.
    private var lookaheads: [[Bool]?]
    private var stack: [Int] = []

    init(regex: ECMARegex, input: [UInt32], budget: Int) {
        self.regex = regex
        self.input = input
        self.budget = budget
        marks = Array(repeating: [], count: regex.programs.count)
        lookaheads = Array(repeating: nil, count: regex.programs.count)
    }

    private static func isWord(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (c >= 0x61 && c <= 0x7A)
    }

    private func assertionHolds(_ kind: RegexAssertion, at pos: Int) -> Bool {
        switch kind {
        case .start: return pos == 0
        case .end: return pos == input.count
        case .wordBoundary, .notWordBoundary:
            let before = pos > 0 && Self.isWord(input[pos - 1])
            let after = pos < input.count && Self.isWord(input[pos])
            return (before != after) == (kind == .wordBoundary)
        }
    }

    /// Adds the threads reachable from `pc` without consuming input to `list`. Returns whether
    /// a match is reachable (at once when `stop`, else after adding every thread), nil when
    /// out of budget.
    private mutating func addThread(_ program: Int, _ pc: Int, at pos: Int, stamp: Int,
                                    to list: inout [Int], stop: Bool = true) -> Bool? {
        var matched = false
        let base = stack.count
        defer { stack.removeSubrange(base...) }
        stack.append(pc)
        while stack.count > base {
            let pc = stack.removeLast()
            if marks[program][pc] == stamp { continue }
            marks[program][pc] = stamp
            budget -= 1
            if budget < 0 { return nil }
            switch regex.programs[program].code[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assertion(let kind):
                if assertionHolds(kind, at: pos) { stack.append(pc + 1) }
            case .lookahead(let sub, let negated):
                guard let found = lookahead(sub, at: pos) else { return nil }
                if found != negated { stack.append(pc + 1) }
            case .scalars:
                list.append(pc)
            case .match:
                if stop { return true }
                matched = true
            }
        }
        return matched
    }

    private mutating func lookahead(_ program: Int, at pos: Int) -> Bool? {
        if let table = lookaheads[program] { return table[pos] }
        guard let table = matchPositions(program) else { return nil }
        lookaheads[program] = table
        return table[pos]
    }

    /// For a reversed program: at which positions p some input[p..<q] matches it. One pass
    /// from the end of the input to its start, starting a thread at every position.
    private mutating func matchPositions(_ program: Int) -> [Bool]? {
        let code = regex.programs[program].code
        if marks[program].isEmpty { marks[program] = Array(repeating: -1, count: code.count) }
        var table = [Bool](repeating: false, count: input.count + 1)
        var current: [Int] = []
        var next: [Int] = []
        var pos = input.count
        while true {
            stamp += 1
            let listStamp = stamp
            for pc in current { marks[program][pc] = listStamp }
            guard let matched = addThread(program, 0, at: pos, stamp: listStamp, to: &current, stop: false) else { return nil }
            if matched { table[pos] = true }
            if pos == 0 { return table }
            let c = input[pos - 1]
            stamp += 1
            let nextStamp = stamp
            next.removeAll(keepingCapacity: true)
            for pc in current {
                budget -= 1
                guard case .scalars(let set) = code[pc], regex.sets[set].contains(c) else { continue }
                guard let found = addThread(program, pc + 1, at: pos - 1, stamp: nextStamp, to: &next, stop: false) else { return nil }
                if found { table[pos - 1] = true }
            }
            if budget < 0 { return nil }
            swap(&current, &next)
            pos -= 1
        }
    }

    /// Whether `program` matches starting at `start` (or, `unanchored`, at any position from
    /// there on); nil when out of budget.
    mutating func run(program: Int, at start: Int, unanchored: Bool) -> Bool? {
        let code = regex.programs[program].code
        if marks[program].isEmpty { marks[program] = Array(repeating: -1, count: code.count) }
        var current: [Int] = []
        var next: [Int] = []
        var pos = start
        while true {
            stamp += 1
            let listStamp = stamp
            // Threads carried over were added under the previous stamp; re-mark them.
            for pc in current { marks[program][pc] = listStamp }
            if pos == start || unanchored {
                guard let matched = addThread(program, 0, at: pos, stamp: listStamp, to: &current) else { return nil }
                if matched { return true }
            }
            if pos >= input.count || (current.isEmpty && !unanchored) { return false }
            let c = input[pos]
            stamp += 1
            let nextStamp = stamp
            next.removeAll(keepingCapacity: true)
            for pc in current {
                budget -= 1
                guard case .scalars(let set) = code[pc], regex.sets[set].contains(c) else { continue }
                guard let matched = addThread(program, pc + 1, at: pos + 1, stamp: nextStamp, to: &next) else { return nil }
                if matched { return true }
            }
            if budget < 0 { return nil }
            swap(&current, &next)
            pos += 1
        }
    }
}
