import RealmYAML

/// `realm.yaml`: the realm's name, format version, governance and trust settings.
public struct RealmConfig: RealmDocument, Equatable {
    public static let path = "realm.yaml"
    public static let admissionModes = ["open", "approval", "invite-only"]
    public static let trustModes = ["collaborative", "vendor-customer", "federation"]
    public static let domainOverrideModes = ["tighten-only", "any"]

    public struct BreakingChanges: Sendable, Equatable {
        public var requireApproval: Bool = true
        public var gracePeriodDays: Int = 14
        public init(requireApproval: Bool = true, gracePeriodDays: Int = 14) {
            self.requireApproval = requireApproval
            self.gracePeriodDays = gracePeriodDays
        }
    }

    public struct Governance: Sendable, Equatable {
        public var admission: String = "approval"
        public var approvers: [String] = []
        public var breakingChanges = BreakingChanges()
        /// Whether a domain's `governance.yaml` may loosen these rules (`any`) or only tighten
        /// them (`tighten-only`, the default).
        public var domainOverrides: String = "tighten-only"
        public var extra: [YAMLPair] = []
        public init(admission: String = "approval", approvers: [String] = [], breakingChanges: BreakingChanges = .init()) {
            self.admission = admission
            self.approvers = approvers
            self.breakingChanges = breakingChanges
        }
        public static func == (a: Self, b: Self) -> Bool {
            a.admission == b.admission && a.approvers == b.approvers && a.breakingChanges == b.breakingChanges
                && a.domainOverrides == b.domainOverrides
        }
    }

    public struct Trust: Sendable, Equatable {
        public var mode: String = "collaborative"
        public var requireSignedCommits: Bool = false
        /// The approvers' signing keys: an approver by email proves it with one of these
        /// (docs/trust.md). Written by `admin init` for the creator.
        public var approverKeys: [SigningKey] = []
        /// Path pattern -> roles, in file order.
        public var permissions: [(String, [String])] = Trust.defaultPermissions
        public var extra: [YAMLPair] = []
        public init() {}
        public static let defaultPermissions: [(String, [String])] = [
            ("repos/{repo}.yaml", ["repo_maintainers"]),
            ("domains/{domain}/domain.yaml", ["domain_owners"]),
            ("domains/{domain}/contracts/{name}.yaml", ["contract_owner"]),
            ("domains/{domain}/bindings/{repo}.yaml", ["repo_maintainers"]),
        ]
        public static func == (a: Self, b: Self) -> Bool {
            a.mode == b.mode && a.requireSignedCommits == b.requireSignedCommits && a.approverKeys == b.approverKeys
                && a.permissions.map(\.0) == b.permissions.map(\.0) && a.permissions.map(\.1) == b.permissions.map(\.1)
        }
    }

    public var name: String
    public var version: String = "1.0.0"
    public var createdAt: String
    public var governance = Governance()
    public var trust = Trust()
    /// Where the realm repository's own pull requests live (`forge:`, as in `repos/<repo>.yaml`;
    /// written by `admin init --forge`, docs/forges.md); nil: none named.
    public var forge: ForgeSetting?
    public var extra: [YAMLPair] = []

    public init(name: String, createdAt: String, approvers: [String] = []) {
        self.name = name
        self.createdAt = createdAt
        self.governance.approvers = approvers
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        name = r.name("name", required: true) ?? ""
        version = r.string("version", required: true) ?? ""
        createdAt = r.string("created_at") ?? ""
        if var g = r.mapping("governance") {
            governance.admission = g.oneOf("admission", Self.admissionModes) ?? governance.admission
            governance.approvers = g.stringList("approvers") ?? []
            if var b = g.mapping("breaking_changes") {
                governance.breakingChanges.requireApproval = b.bool("require_approval") ?? true
                let days = b.int("grace_period_days") ?? 14
                if days < 0 { ref.context.error(b.mark(of: "grace_period_days"), "field 'governance.breaking_changes.grace_period_days' must not be negative") }
                governance.breakingChanges.gracePeriodDays = days
                _ = b.unknownFields()
            }
            governance.domainOverrides = g.oneOf("domain_overrides", Self.domainOverrideModes) ?? governance.domainOverrides
            governance.extra = g.unknownFields()
        }
        if var t = r.mapping("trust") {
            trust.mode = t.oneOf("mode", Self.trustModes) ?? trust.mode
            trust.requireSignedCommits = t.bool("require_signed_commits") ?? false
            trust.approverKeys = SigningKey.read(t.list("approver_keys") ?? [], context: ref.context, field: "trust.approver_keys")
            if var p = t.mapping("permissions") {
                var permissions: [(String, [String])] = []
                for pair in p.node.mappingPairs ?? [] {
                    guard let key = pair.key.scalarValue else { continue }
                    if let roles = p.stringList(key) { permissions.append((key, roles)) }
                }
                trust.permissions = permissions
                _ = p.unknownFields()
            }
            trust.extra = t.unknownFields()
        }
        forge = r.mapping("forge").map(ForgeSetting.read)
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("name", name)
        b.add("version", version, quoted: true)
        b.add("created_at", createdAt)
        var g = MappingBuilder()
        g.add("admission", governance.admission)
        g.add("approvers", strings: governance.approvers)
        var bc = MappingBuilder()
        bc.add("require_approval", governance.breakingChanges.requireApproval)
        bc.add("grace_period_days", governance.breakingChanges.gracePeriodDays)
        g.add("breaking_changes", bc.node)
        if governance.domainOverrides != "tighten-only" { g.add("domain_overrides", governance.domainOverrides) }
        g.append(governance.extra)
        b.add("governance", g.node)
        var t = MappingBuilder()
        t.add("mode", trust.mode)
        t.add("require_signed_commits", trust.requireSignedCommits)
        if !trust.approverKeys.isEmpty { t.add("approver_keys", SigningKey.encode(trust.approverKeys)) }
        var p = MappingBuilder()
        for (pattern, roles) in trust.permissions { p.add(pattern, strings: roles) }
        t.add("permissions", p.node)
        t.append(trust.extra)
        b.add("trust", t.node)
        b.add("forge", forge?.encode())
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.version == b.version && a.createdAt == b.createdAt
            && a.governance == b.governance && a.trust == b.trust && a.forge == b.forge
    }
}
