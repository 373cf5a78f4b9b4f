import RealmYAML

/// `domains/<domain>/domain.yaml`: a coordination context (an edge between repos).
public struct Domain: RealmDocument, Equatable {
    public static func directory(_ domain: String) -> String { "domains/\(domain)" }
    public static func path(_ domain: String) -> String { "domains/\(domain)/domain.yaml" }

    public var name: String
    public var description: String = ""
    public var createdAt: String
    public var members: [String] = []
    public var extra: [YAMLPair] = []

    public init(name: String, description: String, createdAt: String, members: [String]) {
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.members = members
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        name = r.name("name", required: true) ?? ""
        description = r.string("description") ?? ""
        createdAt = r.string("created_at") ?? ""
        members = r.stringList("members") ?? []
        for (i, member) in members.enumerated() where !Names.isValid(member) {
            ref.context.error(r.mark(of: "members"), "members[\(i)]: '\(member)' \(Names.problem(with: member) ?? "")")
        }
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("name", name)
        b.add("description", description)
        b.add("created_at", createdAt)
        b.add("members", strings: members)
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.description == b.description && a.createdAt == b.createdAt && a.members == b.members
    }
}

/// Optional `domains/<domain>/governance.yaml`: overrides the realm's governance for one domain.
public struct DomainGovernance: RealmDocument, Equatable {
    public static func path(_ domain: String) -> String { "domains/\(domain)/governance.yaml" }

    public var admission: String?
    public var approvers: [String]?
    public var requireApproval: Bool?
    public var gracePeriodDays: Int?
    public var extra: [YAMLPair] = []

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        admission = r.oneOf("admission", RealmConfig.admissionModes)
        approvers = r.stringList("approvers")
        if var b = r.mapping("breaking_changes") {
            requireApproval = b.bool("require_approval")
            gracePeriodDays = b.int("grace_period_days")
            _ = b.unknownFields()
        }
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("admission", admission)
        b.add("approvers", strings: approvers)
        if requireApproval != nil || gracePeriodDays != nil {
            var bc = MappingBuilder()
            bc.add("require_approval", requireApproval)
            bc.add("grace_period_days", gracePeriodDays)
            b.add("breaking_changes", bc.node)
        }
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.admission == b.admission && a.approvers == b.approvers
            && a.requireApproval == b.requireApproval && a.gracePeriodDays == b.gracePeriodDays
    }
}
