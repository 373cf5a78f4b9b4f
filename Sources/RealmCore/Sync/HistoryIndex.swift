import RealmContracts
import RealmGit
import RealmModel
import RealmSupport

/// Which versions a realm file has had: one row per commit that changed it (commit, blob,
/// version, owner), oldest first, as of a realm commit. Derived from verified history and kept
/// as a cache under git's own directory (`<git-common-dir>/git-realm/history/<domain>/<file>`),
/// never in the realm: when the realm moves on, only the new commits are walked (the rows
/// already there are copied, not parsed); when the cached tip is not in the new history
/// (another realm, a rewritten one), it is built again. A torn or unreadable file is built
/// again too: writes are atomic (rename), and a cache is never trusted for more than where its
/// commits came from.
///
/// The file starts with a head of four short lines (the format, the tip, the row of the highest
/// version ever published at its first publication, and what the file holds at the tip), so
/// that `head` reads only the first kilobytes whatever the history's length:
///
///     git-realm history index v2
///     tip <realm commit>
///     newest <commit> <blob> <version> <owner>      (`newest -`: no version was published)
///     current <blob> <name> <owner> <version>       (`current -`: absent at the tip, or not read)
///     <commit> <blob> <version> <owner>             (one row per change, oldest first)
///
/// `current` is written only for a blob that decoded whole (every limit and field checked, as
/// `RealmSnapshot.contract` does) and whose version is one printable word; a reader that finds
/// `-` reads the file itself, and so meets its error.
struct HistoryIndex {
    struct Row {
        var commit: OID
        var blob: OID
        var version: Version
        var owner: String

        var line: String { "\(commit.hex) \(blob.hex) \(version) \(owner)\n" }

        init(commit: OID, blob: OID, version: Version, owner: String) {
            self.commit = commit
            self.blob = blob
            self.version = version
            self.owner = owner
        }

        init?(_ line: Substring) {
            let f = line.split(separator: " ")
            guard f.count == 4, let commit = OID(hex: String(f[0])), let blob = OID(hex: String(f[1])),
                  let version = try? Version.parse(String(f[2])), Names.isValid(String(f[3])) else { return nil }
            self.init(commit: commit, blob: blob, version: version, owner: String(f[3]))
        }
    }

    var tip: OID
    /// The highest version's first row (nil: none published).
    var newest: Row?
    var rows: [Row]

    static let header = "git-realm history index v2"
    /// Enough for the head of any realistic contract (a longer one is read whole).
    static let headBytes = 4096

    /// The head of the index of `path` as of `tip`: one small read when the index is at `tip`.
    /// When the realm moved, brought up to date first (`refreshing`), or nil.
    static func head(repository: Repository, path: String, tip: OID, refreshing: Bool = true) throws -> Head? {
        if let file = location(repository: repository, path: path),
           let prefix = try? readFile(file, prefix: headBytes), let head = Head(prefix), head.tip == tip {
            return head
        }
        return refreshing ? try refreshed(repository: repository, path: path, tip: tip).head : nil
    }

    /// The index of `path` as of `tip`, every row, read, brought up to date and written back
    /// when it moved.
    static func updated(repository: Repository, path: String, tip: OID) throws -> HistoryIndex {
        var (head, bytes) = try refreshed(repository: repository, path: path, tip: tip)
        if let rows = Self.rows(bytes, from: head.rowsStart) { return HistoryIndex(tip: tip, newest: head.newest, rows: rows) }
        // A row that does not parse (edited by hand): built again from the realm's history.
        (head, bytes) = try refreshed(repository: repository, path: path, tip: tip, rebuild: true)
        return HistoryIndex(tip: tip, newest: head.newest, rows: Self.rows(bytes, from: head.rowsStart) ?? [])
    }

    /// The file's head and bytes as of `tip`: read, or extended by the commits since its tip
    /// (the rows before them copied as they are), or built from the whole history; written
    /// back when it changed.
    private static func refreshed(repository: Repository, path: String, tip: OID,
                                  rebuild: Bool = false) throws -> (head: Head, bytes: [UInt8]) {
        let file = location(repository: repository, path: path)
        var old: (head: Head, bytes: [UInt8])?
        if !rebuild, let file, let bytes = try? readFile(file, limit: 64 << 20), let head = Head(bytes) {
            old = (head, bytes)
        }
        if let cached = old?.head, cached.tip != tip, !(try repository.isAncestor(cached.tip, of: tip)) { old = nil }
        if let old, old.head.tip == tip { return old }
        var newest = old?.head.newest
        var current = old?.head.current
        var added = ""
        var facts: [OID: (Version, String, Current)] = [:]
        // Newest first from the walk; appended oldest first.
        for (commit, blob) in try repository.firstParentPathChanges(path, from: tip, stoppingAt: old?.head.tip).reversed() {
            current = nil
            guard let blob else { continue }
            let known: (Version, String, Current)
            if let seen = facts[blob] { known = seen } else {
                guard let contract = try? RealmFiles.decode(Contract.self, bytes: repository.blob(blob), path: path).value,
                      let version = try? Version.parse(contract.version), Names.isValid(contract.owner) else { continue }
                known = (version, contract.owner, Current(blob: blob, name: contract.name, owner: contract.owner, version: contract.version))
                facts[blob] = known
            }
            current = known.2.isWritable ? known.2 : nil
            let row = Row(commit: commit, blob: blob, version: known.0, owner: known.1)
            // The first publication of the highest version: a later equal one does not replace it.
            if newest.map({ row.version > $0.version }) ?? true { newest = row }
            added += row.line
        }
        let head = Head(tip: tip, newest: newest, current: current)
        var bytes = Array(head.text.utf8)
        let rowsStart = bytes.count
        if let old { bytes += old.bytes[old.head.rowsStart...] }
        bytes += Array(added.utf8)
        if let file {
            // A cache: failing to write it costs the next command a walk, nothing else.
            if let slash = file.lastIndex(of: "/") {
                try? makeDirectories(String(file[..<slash]))
                try? writeFile(file, bytes, mode: 0o644, atomic: true)
            }
        }
        var written = head
        written.rowsStart = rowsStart
        return (written, bytes)
    }

    /// `<common-dir>/git-realm/history/<domain>/<name>` for `domains/<domain>/contracts/<name>.yaml`;
    /// nil for a path with anything but valid names (nothing from the realm picks a local path).
    static func location(repository: Repository, path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[0] == "domains", parts[2] == "contracts", parts[3].hasSuffix(".yaml"),
              Names.isValid(parts[1]), Names.isValid(String(parts[3].dropLast(5))) else { return nil }
        return "\(repository.commonDir)/git-realm/history/\(parts[1])/\(parts[3].dropLast(5))"
    }

    /// The rows after the head; nil when one does not parse.
    static func rows(_ bytes: [UInt8], from start: Int) -> [Row]? {
        guard start <= bytes.count, bytes.last.map({ $0 == UInt8(ascii: "\n") }) ?? true else { return nil }
        var rows: [Row] = []
        for line in String(decoding: bytes[start...], as: UTF8.self).split(separator: "\n") {
            guard let row = Row(line) else { return nil }
            rows.append(row)
        }
        return rows
    }

    /// What the file holds at the tip: a contract that decoded whole.
    struct Current {
        var blob: OID
        var name: String
        var owner: String
        /// As written in the file.
        var version: String

        /// Names valid and the version one printable word, so that the line reads back as written.
        var isWritable: Bool {
            Names.isValid(name) && Names.isValid(owner) && !version.isEmpty && version.utf8.count <= 256
                && version.utf8.allSatisfy { (0x21...0x7e).contains($0) }
        }

        init(blob: OID, name: String, owner: String, version: String) {
            self.blob = blob
            self.name = name
            self.owner = owner
            self.version = version
        }

        init?(_ line: Substring) {
            let f = line.split(separator: " ")
            guard f.count == 4, let blob = OID(hex: String(f[0])) else { return nil }
            self.init(blob: blob, name: String(f[1]), owner: String(f[2]), version: String(f[3]))
            guard isWritable else { return nil }
        }

        var text: String { "\(blob.hex) \(name) \(owner) \(version)" }
    }

    /// The file's first four lines.
    struct Head {
        var tip: OID
        var newest: Row?
        var current: Current?
        /// Where the rows start in the file.
        var rowsStart = 0

        init(tip: OID, newest: Row?, current: Current?) {
            self.tip = tip
            self.newest = newest
            self.current = current
        }

        /// From the start of the file (the whole file or its first `headBytes`); nil when the
        /// four lines are not all there and well formed.
        init?(_ bytes: [UInt8]) {
            var lines: [Substring] = []
            var start = 0
            for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
                lines.append(Substring(String(decoding: bytes[start..<i], as: UTF8.self)))
                start = i + 1
                if lines.count == 4 { break }
            }
            guard lines.count == 4, lines[0] == HistoryIndex.header, lines[1].hasPrefix("tip "),
                  let tip = OID(hex: String(lines[1].dropFirst(4))),
                  lines[2].hasPrefix("newest "), lines[3].hasPrefix("current ") else { return nil }
            let newest = lines[2].dropFirst(7), current = lines[3].dropFirst(8)
            if newest == "-" {
                self.newest = nil
            } else {
                guard let row = Row(newest) else { return nil }
                self.newest = row
            }
            if current == "-" {
                self.current = nil
            } else {
                guard let value = Current(current) else { return nil }
                self.current = value
            }
            self.tip = tip
            rowsStart = start
        }

        var text: String {
            "\(HistoryIndex.header)\ntip \(tip.hex)\nnewest \(newest.map { String($0.line.dropLast()) } ?? "-")\n"
                + "current \(current?.text ?? "-")\n"
        }
    }
}
