import CGit2
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

/// A git-config-syntax file that is not a repository's config (e.g. the
/// committed `.gitrealm` membership file).
///
/// Reading uses the parser below rather than libgit2, because libgit2 always
/// follows `include.path`: a committed file could otherwise pull arbitrary local
/// files (a user's ~/.gitconfig with credentials, say) into what we read.
/// `git config -f` does not follow includes either. Writing uses libgit2.
public struct ConfigFile: Sendable {
    /// Every entry in file order, keys canonical like git (section and name
    /// lowercased, subsection kept); a bare key (no `=`) reads as "". Include
    /// directives are listed as entries, not followed. Throws a not-found error
    /// when the file does not exist, an invalid error on a syntax error.
    public static func read(path: String) throws(GitError) -> [(key: String, value: String)] {
        try parse(try GitError.bridging { () throws(SystemError) in try readFile(path) }, source: path)
    }

    /// Like `read`, for bytes already in memory (a blob of a commit); `source` names them in errors.
    public static func parse(_ bytes: [UInt8], source: String) throws(GitError) -> [(key: String, value: String)] {
        try GitConfigParser.parse(bytes, source: source).map { ($0.key, $0.value ?? "") }
    }

    /// Like `git config -f path key value`; creates the file if needed.
    public static func set(path: String, key: String, value: String) throws(GitError) {
        Git.initialize()
        try requireNoNUL(value, "config value")
        let config = try open(path)
        defer { withExtendedLifetime(config) {} }
        try check(git_config_set_string(config.pointer, key, value), "set \(key) in \(path)")
    }

    /// Like `git config -f path --add key value`: one more value of a multi-valued key.
    public static func add(path: String, key: String, value: String) throws(GitError) {
        Git.initialize()
        try requireNoNUL(value, "config value")
        let config = try open(path)
        defer { withExtendedLifetime(config) {} }
        // A pattern no value git-realm writes matches (a lone U+0001): libgit2 then adds
        // instead of replacing.
        try check(git_config_set_multivar(config.pointer, key, "^\u{1}$", value), "add \(key) in \(path)")
    }

    /// Like `git config -f path --unset-all key`; no error if absent.
    public static func unset(path: String, key: String) throws(GitError) {
        Git.initialize()
        guard fileExists(path) else { return }
        let config = try open(path)
        defer { withExtendedLifetime(config) {} }
        _ = try checkFound(git_config_delete_multivar(config.pointer, key, ".*"), "unset \(key) in \(path)")
    }

    private static func open(_ path: String) throws(GitError) -> Handle {
        var out: OpaquePointer?
        try check(git_config_open_ondisk(&out, path), "open config file \(path)")
        return try Handle.own(out, free: git_config_free, "open config file \(path)")
    }
}

/// git's config file syntax (as in git's config.c): `[section]`,
/// `[section "subsection"]` (with \" and \\ escapes), the deprecated
/// `[section.subsection]` (all lowercased), `name = value`, bare `name`,
/// `#`/`;` comments, double quotes, the escapes \n \t \b \\ \", backslash line
/// continuation; outside quotes each whitespace character inside a value
/// becomes a space and leading/trailing whitespace is dropped, as in git.
enum GitConfigParser {
    struct Entry { var key: String; var value: String? }

    static func parse(_ input: [UInt8], source: String) throws(GitError) -> [Entry] {
        var parser = State(bytes: input, source: source)
        return try parser.run()
    }

    private struct State {
        let bytes: [UInt8]
        let source: String
        var i = 0
        var line = 1
        var section: String?
        var entries: [Entry] = []

        init(bytes: [UInt8], source: String) {
            self.bytes = bytes
            self.source = source
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        func fail(_ message: String) -> GitError {
            .invalid("bad config line \(line) in \(source): \(message)")
        }

        /// The next character with "\r\n" read as "\n"; nil at the end.
        mutating func next() -> UInt8? {
            guard i < bytes.count else { return nil }
            var c = bytes[i]
            i += 1
            if c == 13, i < bytes.count, bytes[i] == 10 { c = 10; i += 1 }
            if c == 10 { line += 1 }
            return c
        }

        func peek() -> UInt8? {
            guard i < bytes.count else { return nil }
            if bytes[i] == 13, i + 1 < bytes.count, bytes[i + 1] == 10 { return 10 }
            return bytes[i]
        }

        static func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 10 || c == 13 || c == 11 || c == 12 }
        static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
        static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || (c >= 48 && c <= 57) }
        static func lower(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c | 0x20 : c }

        mutating func run() throws(GitError) -> [Entry] {
            while let c = peek() {
                if State.isSpace(c) { _ = next(); continue }
                if c == UInt8(ascii: "#") || c == UInt8(ascii: ";") { skipLine(); continue }
                if c == UInt8(ascii: "[") { _ = next(); try header(); continue }
                if State.isAlpha(c) { try variable(); continue }
                throw fail("unexpected character '\(String(decoding: [c], as: UTF8.self))'")
            }
            return entries
        }

        mutating func skipLine() {
            while let c = next(), c != 10 {}
        }

        mutating func header() throws(GitError) {
            var name: [UInt8] = []
            while let c = peek() {
                if c == UInt8(ascii: "]") {
                    _ = next()
                    guard !name.isEmpty else { throw fail("empty section name") }
                    section = String(decoding: name, as: UTF8.self)  // already lowercased
                    return
                }
                if State.isSpace(c) {
                    guard !name.isEmpty else { throw fail("empty section name") }
                    try subsection(base: name)
                    return
                }
                guard State.isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") else {
                    throw fail("invalid section name")
                }
                name.append(State.lower(c))
                _ = next()
            }
            throw fail("unterminated section header")
        }

        mutating func subsection(base: [UInt8]) throws(GitError) {
            while let c = peek(), c == 32 || c == 9 { _ = next() }
            guard next() == UInt8(ascii: "\"") else { throw fail("expected '\"' in section header") }
            var sub: [UInt8] = []
            while true {
                guard let c = next(), c != 10 else { throw fail("unterminated subsection name") }
                if c == UInt8(ascii: "\"") { break }
                if c == UInt8(ascii: "\\") {
                    guard let escaped = next(), escaped != 10 else { throw fail("unterminated subsection name") }
                    sub.append(escaped)
                    continue
                }
                sub.append(c)
            }
            guard next() == UInt8(ascii: "]") else { throw fail("expected ']' after subsection name") }
            section = String(decoding: base, as: UTF8.self) + "." + String(decoding: sub, as: UTF8.self)
        }

        mutating func variable() throws(GitError) {
            var name: [UInt8] = []
            while let c = peek(), State.isAlnum(c) || c == UInt8(ascii: "-") {
                name.append(State.lower(c))
                _ = next()
            }
            while let c = peek(), c == 32 || c == 9 { _ = next() }
            // git lists a variable before any section header under its bare name.
            let key = (section.map { $0 + "." } ?? "") + String(decoding: name, as: UTF8.self)
            switch peek() {
            case nil, 10?:
                _ = next()
                entries.append(Entry(key: key, value: nil))
            case UInt8(ascii: "=")?:
                _ = next()
                entries.append(Entry(key: key, value: try value()))
            default:
                throw fail("invalid variable name")
            }
        }

        mutating func value() throws(GitError) -> String {
            var out: [UInt8] = []
            var quoted = false
            var inComment = false
            var pendingSpaces = 0
            while true {
                guard let c = next() else {
                    if quoted { throw fail("unterminated quoted value") }
                    break
                }
                if c == 10 {
                    if quoted { throw fail("newline inside quoted value") }
                    break
                }
                if inComment { continue }
                if State.isSpace(c) && !quoted {
                    if !out.isEmpty { pendingSpaces += 1 }
                    continue
                }
                if !quoted && (c == UInt8(ascii: ";") || c == UInt8(ascii: "#")) {
                    inComment = true
                    continue
                }
                out += [UInt8](repeating: 32, count: pendingSpaces)
                pendingSpaces = 0
                if c == UInt8(ascii: "\\") {
                    guard let e = next() else { throw fail("backslash at end of file") }
                    switch e {
                    case 10: continue  // line continuation
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "b"): out.append(8)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
                    default: throw fail("invalid escape '\\\(String(decoding: [e], as: UTF8.self))'")
                    }
                    continue
                }
                if c == UInt8(ascii: "\"") {
                    quoted.toggle()
                    continue
                }
                out.append(c)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
