import RealmContracts
import RealmGit
import RealmModel
import RealmSupport

/// Which versions a realm file has had: one row per commit that changed it (commit, blob,
/// version, owner), oldest first, as of a realm commit. Derived from verified history and kept
/// as a cache under git's own directory (`<git-common-dir>/git-realm/history/<domain>/<file>`),
/// never in the realm: when the realm moves on, only the new commits are walked; when the cached
/// tip is not in the new history (another realm, a rewritten one), it is built again. A torn or
/// unreadable file is built again too: writes are atomic (rename), and a cache is never trusted
/// for more than where its commits came from.
struct HistoryIndex {
    struct Row {
        var commit: OID
        var blob: OID
        var version: Version
        var owner: String
    }

    var tip: OID
    var rows: [Row]

    static let header = "git-realm history index v1"

    /// The index of `path` as of `tip`, read, brought up to date and written back when it moved.
    static func updated(repository: Repository, path: String, tip: OID) throws -> HistoryIndex {
        let file = location(repository: repository, path: path)
        var index = file.flatMap { read($0) }
        if let cached = index, cached.tip != tip, !(try repository.isAncestor(cached.tip, of: tip)) { index = nil }
        if let index, index.tip == tip { return index }
        var rows = index?.rows ?? []
        var facts: [OID: (Version, String)] = [:]
        for row in rows { facts[row.blob] = (row.version, row.owner) }
        // Newest first from the walk; appended oldest first.
        for (commit, blob) in try repository.firstParentPathChanges(path, from: tip, stoppingAt: index?.tip).reversed() {
            guard let blob else { continue }
            let known: (Version, String)
            if let seen = facts[blob] { known = seen } else {
                guard let contract = try? RealmFiles.decode(Contract.self, bytes: repository.blob(blob), path: path).value,
                      let version = try? Version.parse(contract.version) else { continue }
                known = (version, contract.owner)
                facts[blob] = known
            }
            rows.append(Row(commit: commit, blob: blob, version: known.0, owner: known.1))
        }
        let result = HistoryIndex(tip: tip, rows: rows)
        if let file { result.write(to: file) }
        return result
    }

    /// `<common-dir>/git-realm/history/<domain>/<name>` for `domains/<domain>/contracts/<name>.yaml`;
    /// nil for a path with anything but valid names (nothing from the realm picks a local path).
    static func location(repository: Repository, path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[0] == "domains", parts[2] == "contracts", parts[3].hasSuffix(".yaml"),
              Names.isValid(parts[1]), Names.isValid(String(parts[3].dropLast(5))) else { return nil }
        return "\(repository.commonDir)/git-realm/history/\(parts[1])/\(parts[3].dropLast(5))"
    }

    static func read(_ file: String) -> HistoryIndex? {
        guard let bytes = try? readFile(file, limit: 64 << 20) else { return nil }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines[0] == header, lines.last == "", let tip = OID(hex: String(lines[1].dropFirst(4))),
              lines[1].hasPrefix("tip ") else { return nil }
        lines.removeLast()
        var rows: [Row] = []
        for line in lines.dropFirst(2) {
            let f = line.split(separator: " ")
            guard f.count == 4, let commit = OID(hex: String(f[0])), let blob = OID(hex: String(f[1])),
                  let version = try? Version.parse(String(f[2])), Names.isValid(String(f[3])) else { return nil }
            rows.append(Row(commit: commit, blob: blob, version: version, owner: String(f[3])))
        }
        return HistoryIndex(tip: tip, rows: rows)
    }

    func write(to file: String) {
        var text = "\(Self.header)\ntip \(tip.hex)\n"
        for row in rows where Names.isValid(row.owner) {
            text += "\(row.commit.hex) \(row.blob.hex) \(row.version) \(row.owner)\n"
        }
        // A cache: failing to write it costs the next command a walk, nothing else.
        guard let slash = file.lastIndex(of: "/") else { return }
        try? makeDirectories(String(file[..<slash]))
        try? writeFile(file, Array(text.utf8), mode: 0o644, atomic: true)
    }
}
