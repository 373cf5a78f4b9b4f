import RealmGit
import RealmModel
import RealmSupport

/// Which domains a repository has a binding in, remembered per `domains/` tree.
///
/// Finding them means reading every domain's tree: about 2,000 objects in a realm of 1,000
/// domains, most of the time of `status` or `pre-push` there. The answer depends only on the
/// `domains/` tree, so it is kept in this repository under `refs/realm/<realm>/index` as a
/// small blob keyed by that tree's id; a realm change gives a new id and the next command
/// rebuilds it. The ref is derived state: deleting it only costs one slow read. Writing it is
/// best effort (a read-only clone just reads the long way every time). Realms of fewer than
/// `minimumDomains` domains are always read the long way.
///
///     git-realm binding index 1
///     domains <domains tree id>
///     repo <repo>
///     domain <name>        (one line per domain, sorted)
public struct BindingIndex {
    public let repository: Repository
    public let ref: String

    static let header = "git-realm binding index 1"
    /// Below this many domains reading them all is cheaper than writing the index (a blob and
    /// a ref: two new files), so small realms do without.
    public static let minimumDomains = 64

    public init(repository: Repository, ref: String) {
        self.repository = repository
        self.ref = ref
    }

    /// The domains in which `repo` has a binding in the realm at `commit`.
    public func domains(of repo: String, at commit: OID, scan: () throws -> [String]) throws -> [String] {
        guard let domainsTree = try repository.entry(at: "domains", in: commit)?.oid else { return [] }
        let key = "\(Self.header)\ndomains \(domainsTree.hex)\nrepo \(repo)\n"
        if let stored = try? repository.resolve(ref: ref), let bytes = try? repository.blob(stored) {
            let text = String(decoding: bytes, as: UTF8.self)
            if text.hasPrefix(key) {
                return text.dropFirst(key.count).split(separator: "\n").compactMap { line in
                    line.hasPrefix("domain ") ? String(line.dropFirst("domain ".count)) : nil
                }
            }
        }
        // A stored index exists only for a large realm; count the domains only on a miss.
        guard try repository.listTree(at: "domains", in: commit).count >= Self.minimumDomains else { return try scan() }
        let domains = try scan()
        let text = key + domains.map { "domain \($0)\n" }.joined()
        if let blob = try? repository.writeBlob(Array(text.utf8)) {
            try? repository.setRef(ref, to: blob, message: "git-realm: binding index")
        }
        return domains
    }
}
