import RealmYAML

/// `proposals/<repo>/<stamp>.yaml`: a change that waits on the realm's main for approval or for
/// its grace period (docs/trust.md "Governance"). The proposed files themselves are on the
/// realm branch `sync/<repo>/<stamp>`; the record names them by blob id, so an approval and the
/// change that lands name exactly the same content.
public struct Proposal: RealmDocument, Equatable {
    public static let directory = "proposals"
    public static func path(repo: String, stamp: String) -> String { "proposals/\(repo)/\(stamp).yaml" }

    /// One file the proposal writes: its realm path and the blob id of its new content.
    public struct File: Sendable, Equatable, Hashable {
        public var path: String
        public var blob: String
        public init(path: String, blob: String) {
            self.path = path
            self.blob = blob
        }
    }

    public var repo: String
    public var stamp: String
    /// The realm branch holding the proposed files (`sync/<repo>/<stamp>`).
    public var branch: String { "sync/\(repo)/\(stamp)" }
    /// When it was proposed, in seconds since the epoch: the verifier holds it to the time of
    /// the commit that writes the record, so a grace period counts from history.
    public var proposedAt: Int64
    public var files: [File]
    public var extra: [YAMLPair] = []

    public init(repo: String, stamp: String, proposedAt: Int64, files: [File]) {
        self.repo = repo
        self.stamp = stamp
        self.proposedAt = proposedAt
        self.files = files
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        repo = r.name("repo", required: true) ?? ""
        stamp = r.string("stamp", required: true) ?? ""
        if !Proposal.isValidStamp(stamp) {
            ref.context.error(r.mark(of: "stamp"), "field 'stamp' must be letters, digits and '-' (a sync branch's last part)")
        }
        let at = r.int("proposed_at", required: true) ?? 0
        if at < 0 || at > 253_402_300_799 {
            ref.context.error(r.mark(of: "proposed_at"), "field 'proposed_at' must be seconds between 1970 and 9999")
        }
        proposedAt = Int64(min(max(at, 0), 253_402_300_799))
        files = Proposal.File.read(r.list("files", required: true) ?? [], context: ref.context, field: "files")
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("repo", repo)
        b.add("stamp", stamp, quoted: true)
        b.add("proposed_at", Int(proposedAt))
        b.add("files", File.encode(files))
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.repo == b.repo && a.stamp == b.stamp && a.proposedAt == b.proposedAt && a.files == b.files
    }

    /// A stamp names a file and a branch: letters, digits and '-', at most 64.
    public static func isValidStamp(_ stamp: String) -> Bool {
        !stamp.isEmpty && stamp.utf8.count <= 64
            && stamp.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }
    }
}

extension Proposal.File {
    static func read(_ items: [YAMLNode], context: DecodeContext, field: String) -> [Proposal.File] {
        items.compactMap { item in
            guard var f = FieldReader(item, context: context, prefix: "\(field)[].") else { return nil }
            let path = f.string("path", required: true) ?? ""
            let blob = f.string("blob", required: true) ?? ""
            if blob.utf8.count != 40 || !blob.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) {
                context.error(f.mark(of: "blob"), "field '\(field)[].blob' must be a blob id (40 lowercase hex digits)")
            }
            _ = f.unknownFields()
            return Proposal.File(path: path, blob: blob)
        }
    }

    static func encode(_ files: [Proposal.File]) -> YAMLNode {
        YAMLNode.seq(files.map { file in
            var f = MappingBuilder()
            f.add("path", file.path)
            f.add("blob", file.blob, quoted: true)
            return f.node
        })
    }
}

/// `approvals/<repo>/<stamp>/<by>.yaml`: `by` (an approver's email, an approver repo, or an
/// importer acknowledging early) approves exactly the files of proposal `<repo>/<stamp>`.
public struct Approval: RealmDocument, Equatable {
    public static let directory = "approvals"
    public static func directory(repo: String, stamp: String) -> String { "approvals/\(repo)/\(stamp)" }
    public static func path(repo: String, stamp: String, by: String) -> String { "approvals/\(repo)/\(stamp)/\(by).yaml" }

    public var by: String
    public var files: [Proposal.File]
    public var approvedAt: String
    public var extra: [YAMLPair] = []

    public init(by: String, files: [Proposal.File], approvedAt: String) {
        self.by = by
        self.files = files
        self.approvedAt = approvedAt
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        by = r.string("by", required: true) ?? ""
        files = Proposal.File.read(r.list("files", required: true) ?? [], context: ref.context, field: "files")
        approvedAt = r.string("approved_at") ?? ""
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("by", by)
        b.add("files", Proposal.File.encode(files))
        b.add("approved_at", approvedAt)
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool { a.by == b.by && a.files == b.files && a.approvedAt == b.approvedAt }

    /// Who may be named in an approval's file name: a repo name, or an email address without
    /// '/', spaces or control characters, not starting with '.'.
    public static func isValidApprover(_ by: String) -> Bool {
        Names.isValid(by) || (SigningKey.isValidPrincipal(by) && !by.contains("/") && !by.hasPrefix(".") && by.utf8.count <= 254)
    }
}

extension RealmSnapshot {
    /// The proposals recorded on this commit: (repo, stamp) pairs, sorted.
    public func proposalNames() throws -> [(repo: String, stamp: String)] {
        var result: [(repo: String, stamp: String)] = []
        for repo in try source.list(Proposal.directory).sorted() where Names.isValid(repo) {
            for file in try source.list("\(Proposal.directory)/\(repo)").sorted() where file.hasSuffix(".yaml") {
                let stamp = String(file.dropLast(5))
                if Proposal.isValidStamp(stamp) { result.append((repo, stamp)) }
            }
        }
        return result
    }

    /// The stamps of the proposals `repo` has recorded (a repo has one at a time).
    public func proposalStamps(of repo: String) throws -> [String] {
        try source.list("\(Proposal.directory)/\(repo)").sorted().compactMap { file in
            guard file.hasSuffix(".yaml") else { return nil }
            let stamp = String(file.dropLast(5))
            return Proposal.isValidStamp(stamp) ? stamp : nil
        }
    }

    public func proposal(repo: String, stamp: String) throws -> Proposal? {
        try load(Proposal.self, Proposal.path(repo: repo, stamp: stamp))
    }

    /// The approvals of one proposal, by file name; an unreadable one is skipped.
    public func approvals(repo: String, stamp: String) throws -> [Approval] {
        let directory = Approval.directory(repo: repo, stamp: stamp)
        return try source.list(directory).sorted().compactMap { file -> Approval? in
            guard file.hasSuffix(".yaml") else { return nil }
            let by = String(file.dropLast(5))
            guard Approval.isValidApprover(by), let approval = try? load(Approval.self, "\(directory)/\(file)"),
                  approval.by == by else { return nil }
            return approval
        }
    }
}
