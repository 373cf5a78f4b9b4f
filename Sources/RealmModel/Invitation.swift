import RealmYAML

/// `invitations/<repo>.yaml`: an approver invites a repo to register itself: who its
/// maintainers are and which keys they sign with. In an `invite-only` realm this is the only way
/// in besides an approver's `admin admit`; in an `approval` realm it admits in advance.
public struct Invitation: RealmDocument, Equatable {
    public static let directory = "invitations"
    public static func path(_ repo: String) -> String { "invitations/\(repo).yaml" }

    public var repo: String
    public var maintainers: [String] = []
    public var keys: [SigningKey] = []
    public var invitedAt: String
    public var extra: [YAMLPair] = []

    public init(repo: String, maintainers: [String], keys: [SigningKey], invitedAt: String) {
        self.repo = repo
        self.maintainers = maintainers
        self.keys = keys
        self.invitedAt = invitedAt
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        repo = r.name("repo", required: true) ?? ""
        maintainers = r.stringList("maintainers") ?? []
        keys = SigningKey.read(r.list("keys") ?? [], context: ref.context, field: "keys")
        invitedAt = r.string("invited_at") ?? ""
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("repo", repo)
        b.add("maintainers", strings: maintainers)
        if !keys.isEmpty { b.add("keys", SigningKey.encode(keys)) }
        b.add("invited_at", invitedAt)
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.repo == b.repo && a.maintainers == b.maintainers && a.keys == b.keys && a.invitedAt == b.invitedAt
    }

    /// Whether `entry` registers what this invitation invites: its name, only invited
    /// maintainers, and only invited keys (so nobody else's key rides along).
    public func admits(_ entry: RepoEntry) -> Bool {
        let people = Set(maintainers + keys.map(\.principal))
        return entry.name == repo && entry.maintainers.allSatisfy(people.contains)
            && entry.keys.allSatisfy(keys.contains) && (!entry.keys.isEmpty || !entry.maintainers.isEmpty)
    }
}

extension RealmSnapshot {
    public func invitation(_ repo: String) throws -> Invitation? { try load(Invitation.self, Invitation.path(repo)) }
    public func invitationNames() throws -> [String] {
        try source.list(Invitation.directory).compactMap { $0.hasSuffix(".yaml") ? String($0.dropLast(5)) : nil }.sorted()
    }
}
