import RealmSupport
/// One primitive comparison against a version, such as `>=1.2.3` or `<2.0.0-0`.
public struct VersionComparator: Sendable, Hashable, CustomStringConvertible {
    public enum Op: String, Sendable, Hashable, CaseIterable {
        case lessThan = "<", lessThanOrEqual = "<=", greaterThan = ">", greaterThanOrEqual = ">=", equal = "="
    }

    public let op: Op
    public let version: Version

    public init(_ op: Op, _ version: Version) {
        self.op = op
        // Build metadata plays no part in precedence, so comparators drop it.
        self.version = Version(version.major, version.minor, version.patch, prerelease: version.prerelease)
    }

    public func test(_ v: Version) -> Bool {
        let c = v.comparePrecedence(version)
        switch op {
        case .lessThan: return c < 0
        case .lessThanOrEqual: return c <= 0
        case .greaterThan: return c > 0
        case .greaterThanOrEqual: return c >= 0
        case .equal: return c == 0
        }
    }

    public var description: String { op.rawValue + version.description }
}

/// A set of acceptable versions, written in npm or Cargo syntax.
///
/// Internally a range is a disjunction (`||`) of conjunctions of primitive comparators, the
/// form npm's node-semver desugars every range into: `^1.2.3` becomes `>=1.2.3 <2.0.0-0`. The
/// `-0` upper bounds keep pre-releases of the next version out, as npm and Cargo both do.
///
/// Pre-releases: a version with a pre-release tag satisfies a conjunction only if every
/// comparator accepts it *and* some comparator of that same conjunction names the same
/// [major, minor, patch] with a pre-release tag (npm's rule; Cargo's `pre_is_compatible` is the
/// same rule). So `>=1.2.3-beta.2 <2.0.0` accepts `1.2.3-beta.4` but not `1.2.4-beta.1`, and
/// `*` accepts no pre-release at all.
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    public enum Syntax: String, Sendable, Hashable {
        /// Cargo when the text contains a comma, npm otherwise.
        case auto
        /// npm / node-semver: whitespace-separated AND, `||`, hyphen ranges, x-ranges, `~`, `^`;
        /// a bare version is an exact match.
        case npm
        /// Cargo: comma-separated AND, a bare version means `^`, `~`, `*` and wildcards, no `||`.
        case cargo
    }

    /// The text the range was parsed from.
    public let source: String
    /// The syntax that was used (never `.auto`).
    public let syntax: Syntax
    /// Disjunction of conjunctions. An empty conjunction accepts every release version.
    public let alternatives: [[VersionComparator]]

    public init(_ text: String, syntax: Syntax = .auto) throws(SemverError) {
        self = try VersionRange.parse(text, syntax: syntax)
    }

    /// A range from comparators; `source` defaults to the normalized form.
    public init(alternatives: [[VersionComparator]], syntax: Syntax = .npm, source: String? = nil) {
        let resolved: Syntax = syntax == .auto ? .npm : syntax
        self.alternatives = alternatives
        self.syntax = resolved
        self.source = source ?? VersionRange.render(alternatives, syntax: resolved)
    }

    /// Every release version (`*`).
    public static let any = VersionRange(alternatives: [[]], syntax: .npm, source: "*")

    public static func parse(_ text: String, syntax: Syntax = .auto) throws(SemverError) -> VersionRange {
        let resolved: Syntax
        switch syntax {
        case .auto: resolved = text.contains(",") ? .cargo : .npm
        default: resolved = syntax
        }
        let sets = resolved == .cargo ? try CargoRangeParser.parse(text) : try NpmRangeParser.parse(text)
        return VersionRange(alternatives: sets, syntax: resolved, source: text)
    }

    public func satisfies(_ version: Version) -> Bool {
        alternatives.contains { VersionRange.test(set: $0, version) }
    }

    /// The highest version (by precedence) that satisfies the range, or nil.
    public func maxSatisfying<S: Sequence>(_ versions: S) -> Version? where S.Element == Version {
        var best: Version?
        for v in versions where satisfies(v) {
            if let b = best, !(b < v) { continue }
            best = v
        }
        return best
    }

    /// The lowest version (by precedence) that satisfies the range, or nil.
    public func minSatisfying<S: Sequence>(_ versions: S) -> Version? where S.Element == Version {
        var best: Version?
        for v in versions where satisfies(v) {
            if let b = best, !(v < b) { continue }
            best = v
        }
        return best
    }

    static func test(set: [VersionComparator], _ version: Version) -> Bool {
        for comparator in set where !comparator.test(version) { return false }
        if version.isPrerelease {
            return set.contains { $0.version.isPrerelease && $0.version.sameCore(version) }
        }
        return true
    }

    /// The desugared comparators, e.g. `>=1.2.3 <2.0.0-0 || 3.0.0` (npm) or
    /// `>=1.2.3, <2.0.0-0` (Cargo). An empty conjunction prints as `*`.
    public var normalized: String { VersionRange.render(alternatives, syntax: syntax) }

    private static func render(_ alternatives: [[VersionComparator]], syntax: Syntax) -> String {
        let separator = syntax == .cargo ? ", " : " "
        return alternatives.map { set -> String in
            if set.isEmpty { return "*" }
            return set.map { c -> String in
                if c.op == .equal && syntax != .cargo { return c.version.description }
                return c.description
            }.joined(separator: separator)
        }.joined(separator: " || ")
    }

    public var description: String { source }
}

// MARK: - Desugaring shared by both syntaxes

/// Operators as written in range text (before desugaring).
enum RangeOperator: String {
    case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "=", tilde = "~", caret = "^", none = ""
}

enum RangeDesugar {
    static func v(_ major: Int, _ minor: Int, _ patch: Int, pre: [PrereleaseIdentifier] = []) -> Version {
        Version(major, minor, patch, prerelease: pre)
    }
    /// `M.m.p-0`: the lowest pre-release of a version, used for exclusive upper bounds.
    static func floor(_ major: Int, _ minor: Int, _ patch: Int) -> Version {
        Version(major, minor, patch, prerelease: [.numeric(0)])
    }

    /// Matches nothing (`<0.0.0-0`).
    static let nothing = [VersionComparator(.lessThan, floor(0, 0, 0))]

    /// X-range / primitive comparator desugaring (node-semver's replaceXRange).
    static func primitive(_ op: RangeOperator, _ p: PartialVersion) -> [VersionComparator] {
        guard let major = p.major else {
            // `*`, `x`, `>=*`, `<=*` accept everything; `<*` and `>*` accept nothing.
            return op == .lt || op == .gt ? nothing : []
        }
        if let minor = p.minor, let patch = p.patch {
            let version = Version(major, minor, patch, prerelease: p.prerelease)
            switch op {
            case .lt: return [VersionComparator(.lessThan, version)]
            case .le: return [VersionComparator(.lessThanOrEqual, version)]
            case .gt: return [VersionComparator(.greaterThan, version)]
            case .ge: return [VersionComparator(.greaterThanOrEqual, version)]
            case .eq, .none: return [VersionComparator(.equal, version)]
            case .tilde, .caret: fatalError("handled by tilde()/caret()")
            }
        }
        // Partial: `1` or `1.2` (missing parts are wildcards).
        let minorMissing = p.minor == nil
        switch op {
        case .gt:
            // >1 => >=2.0.0, >1.2 => >=1.3.0
            return minorMissing ? [VersionComparator(.greaterThanOrEqual, v(successor(major), 0, 0))]
                                : [VersionComparator(.greaterThanOrEqual, v(major, successor(p.minor!), 0))]
        case .ge:
            return [VersionComparator(.greaterThanOrEqual, v(major, p.minor ?? 0, 0))]
        case .lt:
            return [VersionComparator(.lessThan, floor(major, p.minor ?? 0, 0))]
        case .le:
            // <=1 => <2.0.0-0, <=1.2 => <1.3.0-0
            return minorMissing ? [VersionComparator(.lessThan, floor(successor(major), 0, 0))]
                                : [VersionComparator(.lessThan, floor(major, successor(p.minor!), 0))]
        case .eq, .none:
            return minorMissing
                ? [VersionComparator(.greaterThanOrEqual, v(major, 0, 0)), VersionComparator(.lessThan, floor(successor(major), 0, 0))]
                : [VersionComparator(.greaterThanOrEqual, v(major, p.minor!, 0)), VersionComparator(.lessThan, floor(major, successor(p.minor!), 0))]
        case .tilde, .caret: fatalError("handled by tilde()/caret()")
        }
    }

    /// `~1.2.3` => `>=1.2.3 <1.3.0-0`, `~1.2` => `>=1.2.0 <1.3.0-0`, `~1` => `>=1.0.0 <2.0.0-0`.
    static func tilde(_ p: PartialVersion) -> [VersionComparator] {
        guard let major = p.major else { return [] }
        guard let minor = p.minor else {
            return [VersionComparator(.greaterThanOrEqual, v(major, 0, 0)), VersionComparator(.lessThan, floor(successor(major), 0, 0))]
        }
        let lower = v(major, minor, p.patch ?? 0, pre: p.patch == nil ? [] : p.prerelease)
        return [VersionComparator(.greaterThanOrEqual, lower), VersionComparator(.lessThan, floor(major, successor(minor), 0))]
    }

    /// `^` allows changes that do not modify the left-most non-zero part:
    /// `^1.2.3` => `>=1.2.3 <2.0.0-0`, `^0.2.3` => `>=0.2.3 <0.3.0-0`, `^0.0.3` => `>=0.0.3 <0.0.4-0`,
    /// `^0.0` => `>=0.0.0 <0.1.0-0`, `^0` / `^0.x` => `>=0.0.0 <1.0.0-0`.
    static func caret(_ p: PartialVersion) -> [VersionComparator] {
        guard let major = p.major else { return [] }
        guard let minor = p.minor else {
            return [VersionComparator(.greaterThanOrEqual, v(major, 0, 0)), VersionComparator(.lessThan, floor(successor(major), 0, 0))]
        }
        guard let patch = p.patch else {
            let lower = VersionComparator(.greaterThanOrEqual, v(major, minor, 0))
            return major == 0 ? [lower, VersionComparator(.lessThan, floor(0, successor(minor), 0))]
                              : [lower, VersionComparator(.lessThan, floor(successor(major), 0, 0))]
        }
        let lower = VersionComparator(.greaterThanOrEqual, v(major, minor, patch, pre: p.prerelease))
        if major > 0 { return [lower, VersionComparator(.lessThan, floor(successor(major), 0, 0))] }
        if minor > 0 { return [lower, VersionComparator(.lessThan, floor(0, successor(minor), 0))] }
        return [lower, VersionComparator(.lessThan, floor(0, 0, successor(patch)))]
    }

    static func apply(_ op: RangeOperator, _ p: PartialVersion, bareMeansCaret: Bool) -> [VersionComparator] {
        switch op {
        case .tilde: return tilde(p)
        case .caret: return caret(p)
        case .none where bareMeansCaret && !p.hasWildcard: return caret(p)  // Cargo: "1.2" is "^1.2", "1.2.*" a wildcard
        default: return primitive(op, p)
        }
    }
}

// MARK: - npm

enum NpmRangeParser {
    static func parse(_ text: String) throws(SemverError) -> [[VersionComparator]] {
        var sets: [[VersionComparator]] = []
        for alternative in try splitAlternatives(text) {
            sets.append(try parseSet(alternative, input: text))
        }
        return sets
    }

    private static func splitAlternatives(_ text: String) throws(SemverError) -> [String] {
        var parts: [String] = []
        var current = ""
        var chars = Array(text)
        chars.append("\0")
        var i = 0
        while i < chars.count - 1 {
            let c = chars[i]
            if c == "|" {
                guard chars[i + 1] == "|" else {
                    throw SemverError(subject: .range, input: text, token: "|",
                                      message: "unexpected \"|\"; alternatives are separated by \"||\"")
                }
                parts.append(current)
                current = ""
                i += 2
                continue
            }
            current.append(c)
            i += 1
        }
        parts.append(current)
        return parts
    }

    private static let operators = ["<=", ">=", "~>", "<", ">", "=", "~", "^"]

    private static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    static func parseSet(_ text: String, input: String) throws(SemverError) -> [VersionComparator] {
        let tokens = text.split(whereSeparator: isSpace).map(String.init)
        if tokens.isEmpty { return [] } // "" and the empty side of "||" mean "*", as in npm.

        if tokens.contains("-") {
            guard tokens.count == 3, tokens[1] == "-" else {
                throw SemverError(subject: .range, input: input, token: "-",
                                  message: "a hyphen range must have the form \"A - B\" and stand alone between \"||\"s, found \"\(text.trimmingWhitespace())\"")
            }
            return try hyphen(tokens[0], tokens[2], input: input)
        }

        // Join an operator written apart from its version: ">= 1.2.3".
        var words: [String] = []
        var pending: String?
        for token in tokens {
            if operators.contains(token) {
                pending = (pending ?? "") + token
                continue
            }
            words.append((pending ?? "") + token)
            pending = nil
        }
        if let dangling = pending {
            throw SemverError(subject: .range, input: input, token: dangling,
                              message: "operator \"\(dangling)\" is not followed by a version")
        }
        var result: [VersionComparator] = []
        for word in words { result += try comparator(word, input: input) }
        return result
    }

    private static func splitOperator(_ word: String) -> (RangeOperator, String) {
        for op in operators where word.hasPrefix(op) {
            let rest = String(word.dropFirst(op.count))
            switch op {
            case "~>", "~": return (.tilde, rest)
            default: return (RangeOperator(rawValue: op)!, rest)
            }
        }
        return (.none, word)
    }

    private static func partial(_ text: String, token: String, input: String) throws(SemverError) -> PartialVersion {
        var body = text
        // node-semver tolerates a "v" or "=" before the version.
        while body.hasPrefix("=") { body.removeFirst() }
        if body.hasPrefix("v") || body.hasPrefix("V") { body.removeFirst() }
        if body.isEmpty {
            throw SemverError(subject: .range, input: input, token: token,
                              message: "\"\(token)\" is missing a version")
        }
        var scanner = SemverScanner(body, subject: .range, input: input)
        let p = try scanner.partialVersion(allowWildcards: true, allowPartial: true)
        return p
    }

    static func comparator(_ word: String, input: String) throws(SemverError) -> [VersionComparator] {
        let (op, rest) = splitOperator(word)
        if rest.isEmpty {
            throw SemverError(subject: .range, input: input, token: word,
                              message: "operator \"\(word)\" is not followed by a version")
        }
        if let c = rest.first, "<>=~^".contains(c) {
            throw SemverError(subject: .range, input: input, token: word,
                              message: "invalid operator in \"\(word)\"")
        }
        let p = try partial(rest, token: word, input: input)
        return RangeDesugar.apply(op, p, bareMeansCaret: false)
    }

    /// `1.2.3 - 2.3.4` => `>=1.2.3 <=2.3.4`; a partial upper end is bumped: `1.2.3 - 2.3` =>
    /// `>=1.2.3 <2.4.0-0`, `1.2.3 - 2` => `>=1.2.3 <3.0.0-0`; a partial lower end is zero-filled.
    static func hyphen(_ fromText: String, _ toText: String, input: String) throws(SemverError) -> [VersionComparator] {
        let from = try partial(fromText, token: fromText, input: input)
        let to = try partial(toText, token: toText, input: input)
        var result: [VersionComparator] = []
        if let major = from.major {
            let version = from.isFull ? Version(major, from.minor!, from.patch!, prerelease: from.prerelease)
                                      : Version(major, from.minor ?? 0, 0)
            result.append(VersionComparator(.greaterThanOrEqual, version))
        }
        if let major = to.major {
            if let minor = to.minor {
                if let patch = to.patch {
                    result.append(VersionComparator(.lessThanOrEqual, Version(major, minor, patch, prerelease: to.prerelease)))
                } else {
                    result.append(VersionComparator(.lessThan, RangeDesugar.floor(major, successor(minor), 0)))
                }
            } else {
                result.append(VersionComparator(.lessThan, RangeDesugar.floor(successor(major), 0, 0)))
            }
        }
        return result
    }
}

// MARK: - Cargo

enum CargoRangeParser {
    static func parse(_ text: String) throws(SemverError) -> [[VersionComparator]] {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty {
            throw SemverError(subject: .range, input: text, token: "", message: "empty version requirement")
        }
        if text.contains("||") {
            throw SemverError(subject: .range, input: text, token: "||",
                              message: "\"||\" is not supported in Cargo syntax; use npm syntax (no commas) for alternatives")
        }
        let pieces = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        if pieces.count > 1, pieces.contains(where: { ["*", "x", "X"].contains($0) }) {
            let w = pieces.first { ["*", "x", "X"].contains($0) }!
            throw SemverError(subject: .range, input: text, token: w,
                              message: "wildcard requirement \"\(w)\" must be the only comparator")
        }
        var set: [VersionComparator] = []
        for piece in pieces {
            if piece.isEmpty {
                throw SemverError(subject: .range, input: text, token: ",",
                                  message: "empty comparator between commas")
            }
            set += try comparator(piece, input: text)
        }
        return [set]
    }

    static func comparator(_ piece: String, input: String) throws(SemverError) -> [VersionComparator] {
        var rest = Substring(piece)
        var op = RangeOperator.none
        for candidate in ["<=", ">=", "<", ">", "=", "~", "^"] where rest.hasPrefix(candidate) {
            op = RangeOperator(rawValue: candidate)!
            rest = rest.dropFirst(candidate.count)
            break
        }
        while rest.first == " " { rest = rest.dropFirst() }
        if rest.isEmpty {
            throw SemverError(subject: .range, input: input, token: piece,
                              message: "operator \"\(piece)\" is not followed by a version")
        }
        if let c = rest.first, "<>=~^".contains(c) {
            throw SemverError(subject: .range, input: input, token: piece,
                              message: "invalid operator in \"\(piece)\"")
        }
        if let c = rest.first, c == "v" || c == "V" {
            throw SemverError(subject: .range, input: input, token: piece,
                              message: "leading \"\(c)\" is not allowed in \"\(piece)\"")
        }
        if rest.contains(where: { $0 == " " || $0 == "\t" }) {
            let word = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.map(String.init) ?? ""
            throw SemverError(subject: .range, input: input, token: word,
                              message: "expected \",\" before \"\(word)\" (Cargo separates comparators with commas)")
        }
        var scanner = SemverScanner(String(rest), subject: .range, input: input)
        let p = try scanner.partialVersion(allowWildcards: true, allowPartial: true)
        return RangeDesugar.apply(op, p, bareMeansCaret: true)
    }
}
