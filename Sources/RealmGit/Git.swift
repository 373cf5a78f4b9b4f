import CGit2
import CGit2Setup
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

/// Process-wide libgit2 set-up.
public enum Git {
    /// `git_libgit2_init()` runs exactly once, when this is first touched
    /// (Swift initialises static lets lazily and thread-safely).
    private static let initCount: Int32 = {
        Trace.region("libgit2 initialised\(git_realm_ca_bundle_skipped() != 0 ? " (CA bundle not parsed)" : "")") {
            let count = git_libgit2_init()
            _ = git_realm_set_cache_limits(4 << 20, 64 << 10)
            _ = git_realm_set_strict_hash_verification(0)
            return count
        }
    }()

    /// Initialises libgit2. Idempotent and thread-safe; every entry point into
    /// libgit2 in this module (e.g. `Repository.open`) calls it first.
    ///
    /// Note: libgit2 computes its global/system search paths from `HOME` at this
    /// moment, so set `HOME` before the first call if you need to change it.
    public static func initialize() {
        _ = initCount
    }

    /// Whether libgit2 started without parsing the system CA bundle it never uses here
    /// (Sources/CGit2Setup/ca_bundle.c): true with an mbedTLS-built libgit2.
    public static var caBundleSkipped: Bool {
        initialize()
        return git_realm_ca_bundle_skipped() != 0
    }

    /// The linked libgit2 version, e.g. "1.5.1".
    public static var libgit2Version: String {
        initialize()
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        _ = git_libgit2_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

/// An error from libgit2 (code is a libgit2 `git_error_code`), or from this
/// module (which uses the libgit2 code that fits best).
public struct GitError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// A compare-and-swap ref update failed because the ref's current value
    /// differs from the expected one (`GIT_EMODIFIED`, or `GIT_EEXISTS` when the
    /// ref was expected to be absent).
    public var isConflict: Bool { code == GIT_EMODIFIED.rawValue || code == GIT_EEXISTS.rawValue }
    /// Another process holds the lock file (`GIT_ELOCKED`); retrying may succeed.
    public var isLocked: Bool { code == GIT_ELOCKED.rawValue }
    /// Invalid input: a bad ref name, path, spec or value.
    public var isInvalid: Bool { code == GIT_EINVALIDSPEC.rawValue || code == GIT_EINVALID.rawValue }

    public var description: String { "\(message) [libgit2 error \(code)]" }

    static func invalid(_ message: String) -> GitError {
        GitError(code: GIT_EINVALID.rawValue, message: message)
    }
    static func notFound(_ message: String) -> GitError {
        GitError(code: GIT_ENOTFOUND.rawValue, message: message)
    }
    static func conflict(_ message: String) -> GitError {
        GitError(code: GIT_EMODIFIED.rawValue, message: message)
    }
    /// A RealmSupport failure (a file, a program run) as a GitError of the code that fits.
    public init(_ error: SystemError) {
        switch error.kind {
        case .notFound: self = .notFound(error.message)
        case .file where error.errno == ENOENT: self = .notFound(error.message)
        case .file, .system: self = GitError(code: GIT_ERROR.rawValue, message: error.message)
        }
    }

    /// Runs a RealmSupport call (files, programs), its failure as a GitError.
    static func bridging<T>(_ body: () throws(SystemError) -> T) throws(GitError) -> T {
        do { return try body() } catch { throw GitError(error) }
    }

    static func system(_ what: String, errno err: Int32) -> GitError {
        GitError(code: GIT_ERROR.rawValue, message: "\(what): \(decodeCString(strerror(err)))")
    }
}

/// Every libgit2 return code goes through here: negative codes become a
/// `GitError` carrying `git_error_last()`, read immediately. `what` is only
/// evaluated on failure (hot paths interpolate object ids into it).
func check(_ code: Int32, _ what: @autoclosure () -> String) throws(GitError) {
    guard code < 0 else { return }
    let what = what()
    var detail = ""
    if let last = git_error_last() {
        detail = decodeCString(last.pointee.message)
    }
    git_error_clear()
    throw GitError(code: code, message: detail.isEmpty ? what : "\(what): \(detail)")
}

/// `check`, except that the listed codes are expected outcomes: they return
/// false (and clear the libgit2 error) instead of throwing.
func check(_ code: Int32, _ what: @autoclosure () -> String, tolerating tolerated: git_error_code...) throws(GitError) -> Bool {
    if code < 0, tolerated.contains(where: { $0.rawValue == code }) {
        git_error_clear()
        return false
    }
    try check(code, what())
    return true
}

/// `check` tolerating `GIT_ENOTFOUND` (returns false for it).
func checkFound(_ code: Int32, _ what: @autoclosure () -> String) throws(GitError) -> Bool {
    try check(code, what(), tolerating: GIT_ENOTFOUND)
}

/// Rejects strings that cannot cross into C intact.
func requireNoNUL(_ s: String, _ what: String) throws(GitError) {
    if s.utf8.contains(0) { throw .invalid("\(what) contains a NUL byte") }
}

// MARK: - Value types

/// A SHA-1 object id (libgit2 1.5 is SHA-1 only).
public struct OID: Hashable, Sendable, Comparable, CustomStringConvertible {
    // 20 bytes, big-endian-ordered so that comparing (a, b, c) compares bytes.
    private var a: UInt64
    private var b: UInt64
    private var c: UInt32

    public static let zero = OID(a: 0, b: 0, c: 0)

    private init(a: UInt64, b: UInt64, c: UInt32) {
        self.a = a; self.b = b; self.c = c
    }

    /// Exactly 40 hex digits (either case).
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 20)
        for i in 0..<20 {
            guard let hi = OID.nibble(utf8[2 * i]), let lo = OID.nibble(utf8[2 * i + 1]) else { return nil }
            bytes[i] = hi << 4 | lo
        }
        self.init(bytes: bytes)
    }

    /// The 20 raw bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.init(bytes: bytes[...])
    }

    private init(bytes: ArraySlice<UInt8>) {
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt32 = 0
        let base = bytes.startIndex
        for i in 0..<8 { a = a << 8 | UInt64(bytes[base + i]) }
        for i in 8..<16 { b = b << 8 | UInt64(bytes[base + i]) }
        for i in 16..<20 { c = c << 8 | UInt32(bytes[base + i]) }
        self.init(a: a, b: b, c: c)
    }

    init(_ raw: git_oid) {
        let bytes = withUnsafeBytes(of: raw.id) { Array($0.prefix(20)) }
        self.init(bytes: bytes[...])
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    /// The 20 raw bytes.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(20)
        for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: a >> (8 * UInt64(i)))) }
        for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))) }
        for i in (0..<4).reversed() { out.append(UInt8(truncatingIfNeeded: c >> (8 * UInt32(i)))) }
        return out
    }

    var raw: git_oid {
        var oid = git_oid()
        let bytes = self.bytes
        withUnsafeMutableBytes(of: &oid.id) { buffer in
            for i in 0..<20 { buffer[i] = bytes[i] }
        }
        return oid
    }

    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(40)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
    public var isZero: Bool { self == .zero }

    public static func < (lhs: OID, rhs: OID) -> Bool {
        (lhs.a, lhs.b, lhs.c) < (rhs.a, rhs.b, rhs.c)
    }

    private static func nibble(_ ch: UInt8) -> UInt8? {
        switch ch {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ch - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return ch - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return ch - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

public enum ObjectKind: Sendable {
    case blob, tree, commit, tag, other

    init(_ type: git_object_t) {
        switch type {
        case GIT_OBJECT_BLOB: self = .blob
        case GIT_OBJECT_TREE: self = .tree
        case GIT_OBJECT_COMMIT: self = .commit
        case GIT_OBJECT_TAG: self = .tag
        default: self = .other
        }
    }
}

public struct TreeEntry: Sendable {
    public var name: String
    public var oid: OID
    public var kind: ObjectKind
    /// Git file mode: 0o100644, 0o100755, 0o120000 (symlink), 0o040000 (tree), 0o160000 (submodule).
    public var mode: UInt32

    public init(name: String, oid: OID, kind: ObjectKind, mode: UInt32) {
        self.name = name; self.oid = oid; self.kind = kind; self.mode = mode
    }
}

public struct CommitInfo: Sendable {
    public var oid: OID
    public var tree: OID
    public var parents: [OID]
    public var message: String
    public var authorName: String
    public var authorEmail: String
    /// Committer time, seconds since the epoch.
    public var time: Int64

    public init(oid: OID, tree: OID, parents: [OID], message: String, authorName: String, authorEmail: String, time: Int64) {
        self.oid = oid; self.tree = tree; self.parents = parents; self.message = message
        self.authorName = authorName; self.authorEmail = authorEmail; self.time = time
    }
}

public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }

    /// Used when neither an explicit signature, nor the environment, nor config
    /// provides an identity.
    public static let fallback = Signature(name: "git-realm", email: "git-realm@localhost")
}

/// A change for `Repository.buildTree`.
public enum TreeChange: Sendable {
    /// Write these bytes as a regular-file blob at the path (an existing
    /// executable bit is kept).
    case blob([UInt8])
    /// Remove whatever is at the path (a file or a whole subtree); no-op if absent.
    case delete
}

public enum ConfigLevel: Sendable {
    case local, global
}

extension OID {
    /// The id git gives a blob holding `bytes` (`git hash-object`), computed without storing it.
    public static func ofBlob(_ bytes: [UInt8]) -> OID {
        var out = git_oid()
        _ = bytes.withUnsafeBytes { git_odb_hash(&out, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        return OID(out)
    }
}
