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
    let programs: [RegexProgram]
    let sets: [ScalarSet]
    /// Whether every match must start at position 0 (the pattern begins with `^` in every
    /// alternative): a failed start need not be retried further on.
    let anchoredStart: Bool

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

indirect enum RegexNode {
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

enum RegexAssertion: Equatable {
    case start, end, wordBoundary, notWordBoundary
}

/// A Unicode property for `\p{...}`.
enum UnicodeProperty {
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
enum ClassItem {
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
struct ScalarSet {
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
