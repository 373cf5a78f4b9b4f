/// Repos are nodes; each domain adds edges from its exporters (providers, contract owners) to
/// its importers (consumers). The realm forbids cycles (seeds: "Cycle Prevention").
public struct DependencyGraph: Sendable, Equatable {
    public struct Edge: Sendable, Hashable {
        public var from: String
        public var to: String
        public var domain: String
        public init(from: String, to: String, domain: String) {
            self.from = from
            self.to = to
            self.domain = domain
        }
    }

    public private(set) var nodes: [String] = []
    public private(set) var edges: [Edge] = []

    public init(nodes: [String] = [], edges: [Edge] = []) {
        for node in nodes { addNode(node) }
        for edge in edges { add(edge) }
    }

    public mutating func addNode(_ node: String) {
        if !nodes.contains(node) { nodes.append(node) }
    }

    public mutating func add(_ edge: Edge) {
        addNode(edge.from)
        addNode(edge.to)
        if !edges.contains(edge) { edges.append(edge) }
    }

    /// The realm's graph: every registered repo, and an edge per domain from each repo that
    /// exports there (or owns a contract there) to each repo that imports there.
    public static func build(from realm: RealmSnapshot) throws -> DependencyGraph {
        var graph = DependencyGraph(nodes: try realm.repoNames())
        for domain in try realm.domainNames() {
            // A malformed domain file (a bad member name, say) is an error here as for status.
            _ = try realm.domain(domain)
            var exporters: [String] = [], importers: [String] = []
            for repo in try realm.bindingRepos(in: domain) {
                guard let binding = try realm.binding(domain: domain, repo: repo) else { continue }
                if binding.role == "provider" || !binding.exports.isEmpty { exporters.append(repo) }
                if binding.role == "consumer" || !binding.imports.isEmpty { importers.append(repo) }
            }
            for contract in try realm.contractNames(in: domain) {
                if let owner = try realm.contractSummary(domain: domain, name: contract)?.owner, !exporters.contains(owner) {
                    exporters.append(owner)
                }
            }
            for from in exporters {
                for to in importers where to != from { graph.add(Edge(from: from, to: to, domain: domain)) }
            }
        }
        return graph
    }

    /// A cycle as a closed walk of edges, or nil. Deterministic: nodes and edges in insertion order.
    public func cycle() -> [Edge]? {
        var state: [String: Int] = [:]   // 1 = on the stack, 2 = done
        var stack: [Edge] = []
        func visit(_ node: String) -> [Edge]? {
            state[node] = 1
            for edge in edges where edge.from == node {
                switch state[edge.to] {
                case 1:
                    let start = stack.firstIndex { $0.from == edge.to } ?? stack.count
                    return Array(stack[start...]) + [edge]
                case 2: continue
                default:
                    stack.append(edge)
                    if let found = visit(edge.to) { return found }
                    stack.removeLast()
                }
            }
            state[node] = 2
            return nil
        }
        for node in nodes where state[node] == nil {
            if let found = visit(node) { return found }
        }
        return nil
    }

    /// `a -> (s3-access) -> b -> (feedback-loop) -> a`
    public static func describe(_ cycle: [Edge]) -> String {
        guard let first = cycle.first else { return "" }
        return cycle.reduce(first.from) { $0 + " -> (\($1.domain)) -> " + $1.to }
    }

    /// Repos in an order where every exporter comes before its importers (the merge order).
    public func topologicalOrder() -> [String] {
        var indegree: [String: Int] = Dictionary(nodes.map { ($0, 0) }, uniquingKeysWith: { first, _ in first })
        for edge in edges { indegree[edge.to, default: 0] += 1 }
        var ready = nodes.filter { indegree[$0] == 0 }
        var order: [String] = []
        while !ready.isEmpty {
            let node = ready.removeFirst()
            order.append(node)
            for edge in edges where edge.from == node {
                indegree[edge.to, default: 0] -= 1
                if indegree[edge.to] == 0 { ready.append(edge.to) }
            }
        }
        return order
    }
}
