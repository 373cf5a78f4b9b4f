import RealmYAML

/// `repos/<repo>.yaml`: a registered participant.
public struct RepoEntry: RealmDocument, Equatable {
    public static func path(_ repo: String) -> String { "repos/\(repo).yaml" }

    public var name: String
    public var org: String?
    /// Where the repository can be cloned from, without credentials; nil when it has no
    /// shareable remote (git-realm publishes no local path).
    public var url: String?
    /// Written by earlier git-realm versions for a repository without a remote: a path on the machine
    /// that joined. Read and kept, never written for a new entry.
    public var path: String?
    public var maintainers: [String] = []
    public var joinedAt: String
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
        joinedAt = r.string("joined_at") ?? ""
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("name", name)
        b.add("org", org)
        b.add("url", url)
        b.add("path", path)
        b.add("maintainers", strings: maintainers)
        b.add("joined_at", joinedAt)
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.org == b.org && a.url == b.url && a.path == b.path
            && a.maintainers == b.maintainers && a.joinedAt == b.joinedAt
    }
}
