import RealmYAML

/// `changes/<name>.yaml`: a coordinated change across repos (`git realm worktree --rfc <name>`,
/// docs/change.md): the branch every repo taking part works on, each repo with the commit its
/// branch started from, and who started it. `git realm commit`, `push` (and, later, `pr`) find
/// the repos of a change here. Written by the maintainers of the repos taking part
/// (docs/trust.md).
public struct ChangeRecord: RealmDocument, Equatable {
    public static let directory = "changes"
    public static func path(_ name: String) -> String { "changes/\(name).yaml" }

    /// One repo taking part: its realm name and the commit its branch started from.
    public struct Member: Sendable, Equatable {
        public var repo: String
        public var base: String
        public init(repo: String, base: String) {
            self.repo = repo
            self.base = base
        }
    }

    /// A pull request opened for one repo of the change (`git realm pr`, docs/pr.md): how the
    /// importers' commits name it (`Depends-On:`) and teammates find it.
    public struct PullRequestEntry: Sendable, Equatable {
        public var repo: String
        public var number: Int
        public var url: String
        public init(repo: String, number: Int, url: String) {
            self.repo = repo
            self.number = number
            self.url = url
        }

        /// A URL a trailer line can carry: printable ASCII, no spaces, at most 512 bytes.
        public static func isValidURL(_ url: String) -> Bool {
            !url.isEmpty && url.utf8.count <= 512 && url.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
        }
    }

    public var name: String
    /// The branch in every repo (`feat/<name>`).
    public var branch: String
    public var repos: [Member]
    public var createdBy: String
    public var createdAt: String
    /// The change's pull requests, in merge order (`pull_requests:`; written by `git realm pr`).
    public var pullRequests: [PullRequestEntry] = []
    public var extra: [YAMLPair] = []

    public init(name: String, branch: String, repos: [Member], createdBy: String, createdAt: String) {
        self.name = name
        self.branch = branch
        self.repos = repos
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    public init?(reading node: YAMLNode, context ref: DecodeContextRef) {
        guard var r = FieldReader(node, context: ref.context) else { return nil }
        name = r.string("name", required: true) ?? ""
        if !ChangeRecord.isValidName(name) {
            ref.context.error(r.mark(of: "name"), "field 'name' must be a change name (letters, digits, '.', '_' and single '-', at most 64)")
        }
        branch = r.string("branch", required: true) ?? ""
        repos = (r.list("repos", required: true) ?? []).compactMap { item in
            guard var m = FieldReader(item, context: ref.context, prefix: "repos[].") else { return nil }
            let repo = m.name("repo", required: true) ?? ""
            let base = m.string("base", required: true) ?? ""
            if base.utf8.count != 40 || !base.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) {
                ref.context.error(m.mark(of: "base"), "field 'repos[].base' must be a commit id (40 lowercase hex digits)")
            }
            _ = m.unknownFields()
            return Member(repo: repo, base: base)
        }
        createdBy = r.string("created_by") ?? ""
        createdAt = r.string("created_at") ?? ""
        pullRequests = (r.list("pull_requests") ?? []).compactMap { item in
            guard var p = FieldReader(item, context: ref.context, prefix: "pull_requests[].") else { return nil }
            let repo = p.name("repo", required: true) ?? ""
            let number = p.int("number", required: true) ?? 0
            let url = p.string("url", required: true) ?? ""
            if number < 1 || number > 1_000_000_000 {
                ref.context.error(p.mark(of: "number"), "field 'pull_requests[].number' must be a number from 1 to 1000000000")
            }
            if !PullRequestEntry.isValidURL(url) {
                ref.context.error(p.mark(of: "url"), "field 'pull_requests[].url' must be printable ASCII without spaces, at most 512 bytes")
            }
            _ = p.unknownFields()
            return PullRequestEntry(repo: repo, number: number, url: url)
        }
        extra = r.unknownFields()
    }

    public func encode() -> YAMLNode {
        var b = MappingBuilder()
        b.add("name", name, quoted: true)
        b.add("branch", branch, quoted: true)
        b.add("repos", YAMLNode.seq(repos.map { member in
            var m = MappingBuilder()
            m.add("repo", member.repo)
            m.add("base", member.base, quoted: true)
            return m.node
        }))
        b.add("created_by", createdBy)
        b.add("created_at", createdAt)
        if !pullRequests.isEmpty {
            b.add("pull_requests", YAMLNode.seq(pullRequests.map { pr in
                var m = MappingBuilder()
                m.add("repo", pr.repo)
                m.add("number", pr.number)
                m.add("url", pr.url, quoted: true)
                return m.node
            }))
        }
        b.append(extra)
        return b.node
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.branch == b.branch && a.repos == b.repos && a.createdBy == b.createdBy && a.createdAt == b.createdAt
            && a.pullRequests == b.pullRequests
    }

    /// A change name becomes a branch component (`feat/<name>`), a folder (`.worktrees/feat-<name>`)
    /// and a realm file name: ASCII letters and digits, with '.', '_' or single '-' between them;
    /// it starts and ends with a letter or digit; at most 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        var previousSeparator = false
        for b in bytes {
            if alnum(b) { previousSeparator = false; continue }
            guard b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") else { return false }
            if previousSeparator { return false }
            previousSeparator = true
        }
        return !name.hasSuffix(".lock")
    }
}

extension RealmSnapshot {
    /// The names of the recorded changes, sorted (files with an invalid name are skipped).
    public func changeNames() throws -> [String] {
        try source.list(ChangeRecord.directory).compactMap { file -> String? in
            guard file.hasSuffix(".yaml") else { return nil }
            let name = String(file.dropLast(5))
            return ChangeRecord.isValidName(name) ? name : nil
        }.sorted()
    }

    public func change(_ name: String) throws -> ChangeRecord? {
        try load(ChangeRecord.self, ChangeRecord.path(name))
    }
}

extension DependencyGraph {
    /// `repos` in dependency order: every exporter before its importers, also through repos
    /// outside `repos` (a -> x -> b puts a before b); repos that do not depend on each other in
    /// name order. Repos the graph does not know come last, in name order.
    public func order(of repos: [String]) -> [String] {
        var indegree: [String: Int] = Dictionary(nodes.map { ($0, 0) }, uniquingKeysWith: { a, _ in a })
        for edge in edges { indegree[edge.to, default: 0] += 1 }
        var ready = Set(nodes.filter { indegree[$0] == 0 })
        var order: [String] = []
        while let next = ready.min() {
            ready.remove(next)
            order.append(next)
            for edge in edges where edge.from == next {
                indegree[edge.to, default: 0] -= 1
                if indegree[edge.to] == 0 { ready.insert(edge.to) }
            }
        }
        let wanted = Set(repos)
        let known = order.filter { wanted.contains($0) }
        return known + repos.filter { !known.contains($0) }.sorted()
    }
}
