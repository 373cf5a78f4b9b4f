import RealmLimits

/// An error in a version or a version range, naming the offending token.
public struct SemverError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Subject: String, Sendable { case version, range }

    /// What was being parsed: a single version or a range.
    public let subject: Subject
    /// The whole text that failed to parse.
    public let input: String
    /// The offending part of `input` (may be empty at the end of the input).
    public let token: String
    /// What is wrong, in words; it quotes `token`.
    public let message: String

    public init(subject: Subject, input: String, token: String, message: String) {
        self.subject = subject
        self.input = input
        self.token = token
        self.message = message
    }

    public var description: String {
        let what = subject == .version ? "version" : "version range"
        return "invalid \(what) \"\(input)\": \(message)"
    }
}

/// One dot-separated pre-release identifier: numeric identifiers compare numerically and sort
/// before alphanumeric ones, which compare in ASCII order (SemVer 2.0.0 §11.4).
public enum PrereleaseIdentifier: Sendable, Hashable, Comparable, CustomStringConvertible {
    case numeric(Int)
    case alphanumeric(String)

    public var description: String {
        switch self {
        case .numeric(let n): return String(n)
        case .alphanumeric(let s): return s
        }
    }

    public static func < (lhs: PrereleaseIdentifier, rhs: PrereleaseIdentifier) -> Bool {
        switch (lhs, rhs) {
        case let (.numeric(a), .numeric(b)): return a < b
        case (.numeric, .alphanumeric): return true
        case (.alphanumeric, .numeric): return false
        case let (.alphanumeric(a), .alphanumeric(b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
    }
}

/// A SemVer 2.0.0 version: `major.minor.patch[-prerelease][+build]`.
///
/// Ordering is SemVer precedence (§11): numeric core first, a pre-release sorts before its
/// release, pre-release identifiers compare field by field, and build metadata is ignored.
/// Because `Comparable` must agree with `==`, equality (and hashing) ignore build metadata too —
/// as npm's `semver.eq` does. Use `isIdentical(to:)` to compare the build as well.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var prerelease: [PrereleaseIdentifier]
    public var build: [String]

    public init(_ major: Int, _ minor: Int, _ patch: Int,
                prerelease: [PrereleaseIdentifier] = [], build: [String] = []) {
        precondition(major >= 0 && minor >= 0 && patch >= 0, "version numbers are non-negative")
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    /// Strict SemVer 2.0.0 parsing: no leading `v` or `=`, no surrounding whitespace, no leading
    /// zeros in numeric parts, non-empty identifiers of `[0-9A-Za-z-]`.
    public init(_ text: String) throws(SemverError) {
        self = try Version.parse(text)
    }

    public static func parse(_ text: String) throws(SemverError) -> Version {
        var scanner = SemverScanner(text, subject: .version)
        if text.isEmpty { throw scanner.error(token: "", "empty string, expected major.minor.patch") }
        if let first = text.first, first == "v" || first == "V" {
            throw scanner.error(token: String(first),
                                "leading \"\(first)\" is not allowed; write \(text.dropFirst())")
        }
        let partial = try scanner.partialVersion(allowWildcards: false, allowPartial: false)
        if !scanner.atEnd {
            let rest = scanner.rest
            throw scanner.error(token: rest, "unexpected \"\(rest)\" after the version")
        }
        return Version(partial.major!, partial.minor!, partial.patch!,
                       prerelease: partial.prerelease, build: partial.build)
    }

    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// The same version without pre-release and build.
    public var release: Version { Version(major, minor, patch) }

    public var description: String {
        var s = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { s += "-" + prerelease.map(\.description).joined(separator: ".") }
        if !build.isEmpty { s += "+" + build.joined(separator: ".") }
        return s
    }

    /// Equal including build metadata.
    public func isIdentical(to other: Version) -> Bool { self == other && build == other.build }

    /// -1, 0 or 1 by SemVer precedence.
    public func comparePrecedence(_ other: Version) -> Int {
        if major != other.major { return major < other.major ? -1 : 1 }
        if minor != other.minor { return minor < other.minor ? -1 : 1 }
        if patch != other.patch { return patch < other.patch ? -1 : 1 }
        switch (prerelease.isEmpty, other.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (a, b) in zip(prerelease, other.prerelease) where a != b {
            return a < b ? -1 : 1
        }
        if prerelease.count == other.prerelease.count { return 0 }
        return prerelease.count < other.prerelease.count ? -1 : 1
    }

    public static func < (lhs: Version, rhs: Version) -> Bool { lhs.comparePrecedence(rhs) < 0 }

    public static func == (lhs: Version, rhs: Version) -> Bool { lhs.comparePrecedence(rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }

    /// Whether the [major, minor, patch] tuples are equal.
    func sameCore(_ other: Version) -> Bool {
        major == other.major && minor == other.minor && patch == other.patch
    }
}

/// `n + 1` for a version component. Parsed components are at most `Limits.semverComponent`, so
/// this never saturates for input; a `Version` built in code with `Int.max` stays at `Int.max`
/// instead of trapping.
@inline(__always)
func successor(_ n: Int) -> Int { n < Int.max ? n + 1 : n }

/// A version whose parts may be missing or wildcards (`1`, `1.2`, `1.x`, `1.2.*`), as ranges
/// write them. `nil` stands for a missing or wildcard part.
struct PartialVersion: Sendable {
    var major: Int?
    var minor: Int?
    var patch: Int?
    var prerelease: [PrereleaseIdentifier] = []
    var build: [String] = []
    var text: String
    /// Whether a part was written as `x`, `X` or `*` (rather than left out).
    var hasWildcard = false

    var isFull: Bool { major != nil && minor != nil && patch != nil }
}

/// A cursor over version text that produces `SemverError`s quoting the bad token.
struct SemverScanner {
    let subject: SemverError.Subject
    let input: String
    private let bytes: [UInt8]
    private(set) var index = 0

    init(_ text: String, subject: SemverError.Subject, input: String? = nil) {
        self.subject = subject
        self.input = input ?? text
        self.bytes = Array(text.utf8)
    }

    var atEnd: Bool { index >= bytes.count }
    var rest: String { String(decoding: bytes[min(index, bytes.count)...], as: UTF8.self) }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func error(token: String, _ message: String) -> SemverError {
        SemverError(subject: subject, input: input, token: token, message: message)
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: bytes[from..<to], as: UTF8.self)
    }

    /// The version part (up to a dot or space) starting at `start`; a lone character when empty.
    private func partAt(_ start: Int) -> String {
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "."), bytes[end] != UInt8(ascii: " ") { end += 1 }
        if end == start && start < bytes.count { end += 1 }
        return text(start, end)
    }

    /// The whole word (up to a space) starting at `start`.
    private func wordAt(_ start: Int) -> String {
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
        return text(start, end)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isIdentifierByte(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "-")
    }
    private static func isWildcard(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "x") || b == UInt8(ascii: "X") || b == UInt8(ascii: "*")
    }

    /// A numeric version part, or nil for a wildcard (when allowed).
    private mutating func component(_ name: String, allowWildcards: Bool) throws(SemverError) -> Int? {
        let start = index
        guard let b = peek else {
            throw error(token: "", "missing \(name) version number")
        }
        if Self.isWildcard(b) {
            guard allowWildcards else {
                throw error(token: String(UnicodeScalar(b)), "wildcard \"\(UnicodeScalar(b))\" is not allowed in a version; \(name) must be a number")
            }
            index += 1
            if let next = peek, next != UInt8(ascii: "."), next != UInt8(ascii: "-"), next != UInt8(ascii: "+"),
               next != UInt8(ascii: " ") {
                let word = partAt(start)
                throw error(token: word, "invalid \(name) version \"\(word)\"")
            }
            return nil
        }
        while let d = peek, Self.isDigit(d) { index += 1 }
        if index == start {
            let word = partAt(start)
            throw error(token: word, "expected \(name) version number, found \"\(word)\"")
        }
        let digits = text(start, index)
        if digits.count > 1 && digits.hasPrefix("0") {
            throw error(token: digits, "leading zero in \(name) version \"\(digits)\"")
        }
        guard let value = Int(digits), value <= Limits.semverComponent else {
            throw error(token: digits, "\(name) version \"\(digits)\" is too large (at most \(Limits.semverComponent))")
        }
        return value
    }

    /// Dot-separated identifiers of `[0-9A-Za-z-]`; pre-release numerics refuse leading zeros.
    private mutating func identifiers(prerelease: Bool, versionStart: Int) throws(SemverError) -> [String] {
        let what = prerelease ? "pre-release" : "build metadata"
        var result: [String] = []
        let groupStart = index
        while true {
            let start = index
            while let b = peek, Self.isIdentifierByte(b) { index += 1 }
            let ident = text(start, index)
            if ident.isEmpty {
                if let b = peek, b != UInt8(ascii: "."), b != UInt8(ascii: "+"), b != UInt8(ascii: " ") {
                    var end = index
                    while end < bytes.count, bytes[end] != UInt8(ascii: "."), bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "+") { end += 1 }
                    let word = text(groupStart, end)
                    throw error(token: word, "invalid character \"\(UnicodeScalar(b))\" in \(what) \"\(word)\"")
                }
                let word = wordAt(versionStart)
                throw error(token: word, "empty \(what) identifier in \"\(word)\"")
            }
            if prerelease, ident.count > 1, ident.hasPrefix("0"), ident.utf8.allSatisfy(Self.isDigit) {
                throw error(token: ident, "leading zero in numeric pre-release identifier \"\(ident)\"")
            }
            result.append(ident)
            if let b = peek, b == UInt8(ascii: ".") { index += 1; continue }
            if let b = peek, b != UInt8(ascii: "+") || !prerelease, b != UInt8(ascii: " ") {
                var end = index
                while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
                let word = text(groupStart, end)
                throw error(token: word, "invalid character \"\(UnicodeScalar(b))\" in \(what) \"\(word)\"")
            }
            return result
        }
    }

    /// Parses `major[.minor[.patch[-pre][+build]]]`, stopping at a space or the end.
    mutating func partialVersion(allowWildcards: Bool, allowPartial: Bool) throws(SemverError) -> PartialVersion {
        let start = index
        let major = try component("major", allowWildcards: allowWildcards)
        var minor: Int? = nil, patch: Int? = nil
        var wildcardSeen = major == nil
        var parts = 1
        if peek == UInt8(ascii: ".") {
            index += 1
            minor = try component("minor", allowWildcards: allowWildcards)
            parts = 2
            if minor != nil && wildcardSeen {
                let word = wordAt(start)
                throw error(token: word, "a number cannot follow a wildcard in \"\(word)\"")
            }
            wildcardSeen = wildcardSeen || minor == nil
            if peek == UInt8(ascii: ".") {
                index += 1
                patch = try component("patch", allowWildcards: allowWildcards)
                parts = 3
                if patch != nil && wildcardSeen {
                    let word = wordAt(start)
                    throw error(token: word, "a number cannot follow a wildcard in \"\(word)\"")
                }
            }
        }
        if parts < 3 && !allowPartial {
            let word = text(start, index)
            throw error(token: word, "\"\(word)\" is missing the \(parts == 1 ? "minor" : "patch") version (expected major.minor.patch)")
        }
        var result = PartialVersion(major: major, minor: minor, patch: patch, text: "")
        result.hasWildcard = major == nil || (parts >= 2 && minor == nil) || (parts == 3 && patch == nil)
        if peek == UInt8(ascii: "-") || peek == UInt8(ascii: "+") {
            if !result.isFull {
                let word = rest.split(separator: " ").first.map(String.init) ?? ""
                let full = text(start, index) + word
                throw error(token: full, "pre-release or build metadata needs a full major.minor.patch version in \"\(full)\"")
            }
            if peek == UInt8(ascii: "-") {
                index += 1
                result.prerelease = try identifiers(prerelease: true, versionStart: start).map { ident in
                    if ident.utf8.allSatisfy(Self.isDigit), let n = Int(ident), n <= Limits.semverComponent {
                        return .numeric(n)
                    }
                    return .alphanumeric(ident)
                }
                for ident in result.prerelease {
                    if case .alphanumeric(let s) = ident, s.utf8.allSatisfy(Self.isDigit) {
                        throw error(token: s, "numeric pre-release identifier \"\(s)\" is too large (at most \(Limits.semverComponent))")
                    }
                }
            }
            if peek == UInt8(ascii: "+") {
                index += 1
                result.build = try identifiers(prerelease: false, versionStart: start)
            }
        }
        if let b = peek, b != UInt8(ascii: " ") {
            var end = index
            while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
            let word = text(start, end)
            throw error(token: word, "unexpected \"\(UnicodeScalar(b))\" in version \"\(word)\"")
        }
        result.text = text(start, index)
        return result
    }
}
