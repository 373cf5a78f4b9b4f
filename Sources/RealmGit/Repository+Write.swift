import CGit2
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

extension Repository {
    // MARK: trees

    /// Validates a slash-separated repository path for writing and splits it.
    /// Rejected: "", ".", "..", ".git" (any case) components, NUL, leading,
    /// trailing or doubled "/".
    static func validatedComponents(_ path: String) throws(GitError) -> [String] {
        if path.isEmpty { throw .invalid("invalid path: empty") }
        if path.utf8.contains(0) { throw .invalid("invalid path '\(path)': contains NUL") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for c in components {
            if c.isEmpty { throw .invalid("invalid path '\(path)': empty component (leading, trailing or double '/')") }
            if c == "." || c == ".." { throw .invalid("invalid path '\(path)': '\(c)' component") }
            if c.lowercased() == ".git" { throw .invalid("invalid path '\(path)': '.git' component") }
        }
        return components
    }

    private final class ChangeNode {
        var change: TreeChange?
        var children: [String: ChangeNode] = [:]
    }

    /// A new tree: `base` (commit or tree, nil = empty) with `changes` applied at
    /// slash-separated paths. Missing intermediate trees are created; trees left
    /// empty are removed. A blob written where a tree was (or below where a blob
    /// was) replaces it; `.delete` of a directory removes the whole subtree;
    /// deleting an absent path is a no-op. Setting a path and also changing
    /// something below it is an error. Paths are validated (see
    /// `validatedComponents`). Returns the new tree's OID (the empty tree's when
    /// nothing is left).
    public func buildTree(base: OID?, changes: [String: TreeChange]) throws(GitError) -> OID {
        // Validate everything before writing anything.
        let root = ChangeNode()
        for (path, change) in changes {
            let components = try Repository.validatedComponents(path)
            var node = root
            for c in components {
                if node.change != nil { throw .invalid("conflicting changes: '\(path)' is below another changed path") }
                if let next = node.children[c] { node = next } else {
                    let next = ChangeNode()
                    node.children[c] = next
                    node = next
                }
            }
            if !node.children.isEmpty { throw .invalid("conflicting changes: '\(path)' has changes below it") }
            node.change = change
        }
        return try locked { () throws(GitError) -> OID in
            var baseTree: OID?
            if let base {
                let tree = try lookupTree(base)
                defer { withExtendedLifetime(tree) {} }
                baseTree = OID(git_tree_id(tree.pointer))
            }
            if let result = try apply(root, to: baseTree, path: "") { return result }
            return try emptyTreeOID()
        }
    }

    private func emptyTreeOID() throws(GitError) -> OID {
        let builder = try treeBuilder(nil)
        defer { withExtendedLifetime(builder) {} }
        var oid = git_oid()
        try check(git_treebuilder_write(&oid, builder.pointer), "write empty tree")
        return OID(oid)
    }

    private func treeBuilder(_ base: OID?) throws(GitError) -> Handle {
        let tree = try base.map { (oid: OID) throws(GitError) -> Handle in try lookupTree(oid) }
        defer { withExtendedLifetime(tree) {} }
        var out: OpaquePointer?
        try check(git_treebuilder_new(&out, raw, tree?.pointer), "create tree builder")
        return try Handle.own(out, free: git_treebuilder_free, "create tree builder")
    }

    /// Applies the children of `node` to the tree `base`; nil when the result is empty.
    private func apply(_ node: ChangeNode, to base: OID?, path: String) throws(GitError) -> OID? {
        let builder = try treeBuilder(base)
        defer { withExtendedLifetime(builder) {} }
        for (name, child) in node.children {
            let childPath = path.isEmpty ? name : "\(path)/\(name)"
            let existing = git_treebuilder_get(builder.pointer, name).map { Repository.entryInfo($0) }
            if let change = child.change {
                switch change {
                case .delete:
                    if existing != nil {
                        try check(git_treebuilder_remove(builder.pointer, name), "remove \(childPath)")
                    }
                case .blob(let bytes):
                    var oid = try writeBlobUnlocked(bytes).raw
                    let mode = existing?.mode == GIT_FILEMODE_BLOB_EXECUTABLE.rawValue ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB
                    try check(git_treebuilder_insert(nil, builder.pointer, name, &oid, mode), "add \(childPath)")
                }
            } else {
                let subBase = existing?.kind == .tree ? existing?.oid : nil
                if let subtree = try apply(child, to: subBase, path: childPath) {
                    var oid = subtree.raw
                    try check(git_treebuilder_insert(nil, builder.pointer, name, &oid, GIT_FILEMODE_TREE), "add \(childPath)/")
                } else if existing?.kind == .tree {
                    try check(git_treebuilder_remove(builder.pointer, name), "remove empty \(childPath)/")
                }
            }
        }
        if git_treebuilder_entrycount(builder.pointer) == 0 { return nil }
        var oid = git_oid()
        try check(git_treebuilder_write(&oid, builder.pointer), "write tree \(path.isEmpty ? "/" : path)")
        return OID(oid)
    }

    // MARK: commits

    /// Writes a commit object; no ref is updated. Identity: `author` for both
    /// author and committer if given; otherwise, per role, GIT_AUTHOR_NAME /
    /// GIT_COMMITTER_NAME (and _EMAIL), then config author.name / committer.name,
    /// then user.name (likewise email), then "git-realm <git-realm@localhost>".
    /// Time: now, or GIT_AUTHOR_DATE / GIT_COMMITTER_DATE when set.
    public func createCommit(tree: OID, parents: [OID], message: String, author: Signature? = nil) throws(GitError) -> OID {
        try requireNoNUL(message, "commit message")
        return try locked { () throws(GitError) -> OID in
            let (authorSig, committerSig) = try signatures(author)
            let treeObject = try lookupTree(tree)
            guard OID(git_tree_id(treeObject.pointer)) == tree else { throw .invalid("\(tree) is not a tree") }
            var parentHandles: [Handle] = []
            for p in parents { parentHandles.append(try lookupCommit(p)) }
            defer { withExtendedLifetime((authorSig, committerSig, treeObject, parentHandles)) {} }
            var parentPointers: [OpaquePointer?] = parentHandles.map { $0.pointer }
            var oid = git_oid()
            let rc = parentPointers.withUnsafeMutableBufferPointer { buffer in
                git_commit_create(&oid, raw, nil, authorSig.pointer, committerSig.pointer, nil, message,
                                  treeObject.pointer, buffer.count, buffer.baseAddress)
            }
            try check(rc, "create commit")
            return OID(oid)
        }
    }

    /// Who a commit made now is authored by (GIT_AUTHOR_NAME/EMAIL, then config), as `createCommit` picks it.
    public func authorIdentity() throws(GitError) -> Signature {
        try locked { () throws(GitError) -> Signature in try identity(.author) }
    }

    /// The committer time a commit made now gets (GIT_COMMITTER_DATE when set), in seconds.
    public static func commitTime() -> Int64 {
        if let text = envString("GIT_COMMITTER_DATE"), !text.isEmpty, let (time, _) = GitDate.parse(text) { return Int64(time) }
        return Int64(Glibc.time(nil))
    }

    enum Role: String { case author = "AUTHOR", committer = "COMMITTER" }

    /// The identity for a role when no explicit signature is given.
    func identity(_ role: Role) throws(GitError) -> Signature {
        let roleKey = role == .author ? "author" : "committer"
        func pick(_ env: String, _ key: String) throws(GitError) -> String? {
            if let v = envString("GIT_\(role.rawValue)_\(env)"), !v.isEmpty { return v }
            if let v = try configLookup(ConfigKey.identity(role: roleKey, field: key)).value, !v.isEmpty { return v }
            if let v = try configLookup(ConfigKey.userIdentity(field: key)).value, !v.isEmpty { return v }
            return nil
        }
        return Signature(name: try pick("NAME", "name") ?? Signature.fallback.name,
                         email: try pick("EMAIL", "email") ?? Signature.fallback.email)
    }

    /// (author, committer) signatures, timestamped.
    func signatures(_ explicit: Signature?) throws(GitError) -> (SignatureHandle, SignatureHandle) {
        let author: Signature, committer: Signature
        if let explicit {
            author = explicit
            committer = explicit
        } else {
            author = try identity(.author)
            committer = try identity(.committer)
        }
        return (try Repository.signature(author, dateVariable: "GIT_AUTHOR_DATE"),
                try Repository.signature(committer, dateVariable: "GIT_COMMITTER_DATE"))
    }

    static func signature(_ who: Signature, dateVariable: String) throws(GitError) -> SignatureHandle {
        var out: UnsafeMutablePointer<git_signature>?
        if let dateText = envString(dateVariable), !dateText.isEmpty {
            guard let (time, offset) = GitDate.parse(dateText) else {
                throw .invalid("invalid date in \(dateVariable): '\(dateText)'")
            }
            try check(git_signature_new(&out, who.name, who.email, time, offset), "create signature for \(who.name) <\(who.email)>")
        } else {
            try check(git_signature_now(&out, who.name, who.email), "create signature for \(who.name) <\(who.email)>")
        }
        guard let out else { throw GitError(code: GIT_ERROR.rawValue, message: "create signature: no result") }
        return SignatureHandle(out)
    }
}

/// Parses the date formats git accepts in GIT_AUTHOR_DATE / GIT_COMMITTER_DATE
/// (the common, unambiguous ones): git's internal "<seconds> <+hhmm>",
/// "@<seconds> [<+hhmm>]", RFC 2822 "Thu, 07 Apr 2005 22:13:13 +0200" and
/// ISO 8601 "2005-04-07T22:13:13[.frac][Z|+02:00|+0200]" (a space may replace
/// the T; no zone = local time).
enum GitDate {
    /// (seconds since epoch, offset in minutes)
    static func parse(_ text: String) -> (Int64, Int32)? {
        let trimmed = text.trimmingWhitespace()
        if let r = parseRaw(trimmed) { return r }
        if let r = parseRFC2822(trimmed) { return r }
        if let r = parseISO(trimmed) { return r }
        return nil
    }

    private static func parseOffset(_ s: Substring) -> Int32? {
        var s = s
        if s == "Z" || s == "z" || s.uppercased() == "UTC" || s.uppercased() == "GMT" { return 0 }
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        s = s.dropFirst()
        let digits = s.filter { $0 != ":" }
        guard digits.count == 4 || digits.count == 2, digits.allSatisfy(\.isASCIIDigitChar), let n = Int32(digits) else { return nil }
        let minutes = digits.count == 4 ? (n / 100) * 60 + n % 100 : n * 60
        return sign == "-" ? -minutes : minutes
    }

    private static func parseRaw(_ s: String) -> (Int64, Int32)? {
        var parts = s.split(separator: " ")
        guard parts.count == 1 || parts.count == 2 else { return nil }
        var seconds = parts[0]
        let explicitAt = seconds.hasPrefix("@")
        if explicitAt { seconds = seconds.dropFirst() }
        guard !seconds.isEmpty, seconds.allSatisfy(\.isASCIIDigitChar), let value = Int64(seconds) else { return nil }
        // Without "@", git only treats large numbers as timestamps.
        if !explicitAt && parts.count == 1 && value < 100_000_000 { return nil }
        if parts.count == 2 {
            guard let offset = parseOffset(parts.removeLast()) else { return nil }
            return (value, offset)
        }
        return (value, 0)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static func parseRFC2822(_ s: String) -> (Int64, Int32)? {
        var parts = s.split(separator: " ").map { String($0) }
        if let first = parts.first, first.hasSuffix(",") { parts.removeFirst() }
        guard parts.count == 5, let day = Int(parts[0]), let year = Int(parts[2]),
              let month = months.firstIndex(of: parts[1].prefix(3).lowercased()),
              let (h, m, sec) = parseClock(parts[3]), let offset = parseOffset(parts[4][...]) else { return nil }
        return (epoch(year: year, month: month + 1, day: day, hour: h, minute: m, second: sec) - Int64(offset) * 60, offset)
    }

    private static func parseISO(_ s: String) -> (Int64, Int32)? {
        let bytes = Array(s.utf8)
        guard bytes.count >= 16 else { return nil }
        let datePart = String(decoding: bytes[0..<10], as: UTF8.self)
        let sep = bytes[10]
        guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: " ") else { return nil }
        let dateFields = datePart.split(separator: "-")
        guard dateFields.count == 3, let year = Int(dateFields[0]), let month = Int(dateFields[1]), let day = Int(dateFields[2]) else { return nil }
        var rest = String(decoding: bytes[11...], as: UTF8.self)[...]
        // Zone: trailing Z, or " +hhmm", or "+hh:mm" attached.
        var offset: Int32?
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            offset = 0; rest = rest.dropLast()
        } else if let space = rest.lastIndex(of: " ") {
            guard let o = parseOffset(rest[rest.index(after: space)...]) else { return nil }
            offset = o; rest = rest[..<space]
        } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            guard let o = parseOffset(rest[signIndex...]) else { return nil }
            offset = o; rest = rest[..<signIndex]
        }
        if let dot = rest.firstIndex(of: ".") { rest = rest[..<dot] }  // fractional seconds
        guard let (h, m, sec) = parseClock(String(rest)) else { return nil }
        if let offset {
            return (epoch(year: year, month: month, day: day, hour: h, minute: m, second: sec) - Int64(offset) * 60, offset)
        }
        // Local time.
        var t = tm()
        t.tm_year = Int32(year - 1900); t.tm_mon = Int32(month - 1); t.tm_mday = Int32(day)
        t.tm_hour = Int32(h); t.tm_min = Int32(m); t.tm_sec = Int32(sec); t.tm_isdst = -1
        let seconds = mktime(&t)
        guard seconds != -1 else { return nil }
        return (Int64(seconds), Int32(t.tm_gmtoff / 60))
    }

    private static func parseClock(_ s: String) -> (Int, Int, Int)? {
        let f = s.split(separator: ":", omittingEmptySubsequences: false)
        guard f.count == 2 || f.count == 3, let h = Int(f[0]), let m = Int(f[1]),
              (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        let sec = f.count == 3 ? Int(f[2]) : 0
        guard let sec, (0...60).contains(sec) else { return nil }
        return (h, m, sec)
    }

    /// Seconds since the epoch of a UTC civil time (proleptic Gregorian).
    static func epoch(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    }
}

extension Character {
    var isASCIIDigitChar: Bool { isASCII && isNumber }
}
