import RealmSupport
import RealmYAML

/// `repos/<repo>.yaml`: a registered participant.
public struct RepoEntry: RealmDocument, Equatable {
    public static func path(_ repo: String) -> String { "repos/\(repo).yaml" }
    /// `retired/<repo>.yaml`: the entry of a repo that left, kept so that its name stays its
    /// team's (docs/trust.md "Admission").
    public static let retiredDirectory = "retired"
    public static func retiredPath(_ repo: String) -> String { "retired/\(repo).yaml" }

    public var name: String
    public var org: String?
    /// Where the repository can be cloned from, without credentials; nil when it has no
    /// shareable remote (git-realm publishes no local path).
    public var url: String?
    /// Written by earlier git-realm versions for a repository without a remote: a path on the machine
    /// that joined. Read and kept, never written for a new entry.
    public var path: String?
    public var maintainers: [String] = []
    /// The maintainers' public signing keys: who may write this repo's realm files
    /// (docs/trust.md). A key's principal is the email its commits carry as author.
    public var keys: [SigningKey] = []
    public var joinedAt: String
    /// Where the repo's pull requests live (`forge:`; docs/pr.md); nil: the git-native forge.
    public var forge: ForgeSetting?
    /// The maintainers' user names on the realm's forge (`forge_users:`; docs/forges.md): who is
    /// asked to review a realm PR for a sync proposal this repo imports from. Forges know their
    /// users by name, not by the emails in `maintainers`.
    public var forgeUsers: [String] = []
    public var extra: [YAMLPair] = []

    public init(name: String, org: String? = nil, url: String? = nil, path: String? = nil,
                maintainers: [String] = [], joinedAt: String) {
        self.name = name
        self.org = org
        self.url = url
        self.path = path
        self.maintainers = maintainers
        self.joinedAt = joinedAt
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        name = r.name("name", required: true) ?? ""
        org = r.string("org")
        url = r.string("url")
        path = r.string("path")
        maintainers = r.stringList("maintainers") ?? []
        keys = SigningKey.read(r.list("keys") ?? [], context: ref.context, field: "keys")
        joinedAt = r.string("joined_at") ?? ""
        forge = r.mapping("forge").map(ForgeSetting.read)
        forgeUsers = r.stringList("forge_users") ?? []
        if forgeUsers.count > 32 || !forgeUsers.allSatisfy(Self.isValidForgeUser) {
            ref.context.error(r.mark(of: "forge_users"), "field 'forge_users' must list at most 32 forge user names (ASCII letters, digits, '.', '_', '-', not starting with '.' or '-', at most 64 each)")
        }
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("name", name)
        b.add("org", org)
        b.add("url", url)
        b.add("path", path)
        b.add("maintainers", strings: maintainers)
        if !keys.isEmpty { b.add("keys", SigningKey.encode(keys)) }
        b.add("joined_at", joinedAt)
        b.add("forge", forge?.encode())
        if !forgeUsers.isEmpty { b.add("forge_users", strings: forgeUsers) }
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.org == b.org && a.url == b.url && a.path == b.path
            && a.maintainers == b.maintainers && a.keys == b.keys && a.joinedAt == b.joinedAt && a.forge == b.forge
            && a.forgeUsers == b.forgeUsers
    }

    /// A user name as Forgejo, Gitea and GitHub allow one, and safe to print and put in a URL.
    public static func isValidForgeUser(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }
}

/// A maintainer's public SSH signing key, as an allowed-signers line lists it.
public struct SigningKey: Sendable, Equatable {
    public var principal: String
    /// `type base64` (no comment, no options).
    public var key: String

    public init(principal: String, key: String) {
        self.principal = principal
        self.key = key
    }

    /// A key an allowed-signers file can hold as is: a known type and base64, nothing else.
    /// An ASCII-armored OpenPGP public key (`-----BEGIN PGP PUBLIC KEY BLOCK-----`).
    public var isOpenPGP: Bool { PGPArmor.isPublicKey(key) }

    public static func isValid(_ key: String) -> Bool {
        if PGPArmor.isPublicKey(key) { return true }
        let parts = key.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                                  "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
                                  "sk-ecdsa-sha2-nistp256@openssh.com"].contains(String(parts[0])) else { return false }
        return !parts[1].isEmpty && parts[1].utf8.count <= 4096
            && parts[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") }
    }

    /// A principal an allowed-signers file can hold: an email-like word, no pattern characters.
    public static func isValidPrincipal(_ principal: String) -> Bool {
        !principal.isEmpty && principal.utf8.count <= 254 && principal.contains("@")
            && principal.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !"\"',*?!".unicodeScalars.contains($0) }
    }

    /// A list of `{principal, key}` mappings under `field` (`keys`, `trust.approver_keys`), each
    /// checked as an allowed-signers file will need it.
    static func read(_ items: [YAMLNode], context: DecodeContext, field: String) -> [SigningKey] {
        items.compactMap { item in
            guard var k = FieldReader(item, context: context, prefix: "\(field)[].") else { return nil }
            let principal = k.string("principal", required: true) ?? ""
            let key = k.string("key", required: true) ?? ""
            if !isValid(key) {
                context.error(k.mark(of: "key"), "field '\(field)[].key' must be an SSH public key ('ssh-ed25519 AAAA...') or an armored OpenPGP public key")
            }
            if !isValidPrincipal(principal) {
                context.error(k.mark(of: "principal"), "field '\(field)[].principal' must be an email address without spaces or quotes")
            }
            _ = k.unknownFields()
            return SigningKey(principal: principal, key: key)
        }
    }

    static func encode(_ keys: [SigningKey]) -> YAMLNode {
        YAMLNode.seq(keys.map { key in
            var k = MappingBuilder()
            k.add("principal", key.principal)
            k.add("key", key.key)
            return k.node
        })
    }

    /// The allowed-signers line: `principal namespaces="git" type base64`.
    public var allowedSignersLine: String { "\(principal) namespaces=\"git\" \(key)" }
}
