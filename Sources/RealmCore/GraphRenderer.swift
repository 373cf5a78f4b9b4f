import RealmModel
import RealmSupport

/// Renders the realm's dependency graph: repos as nodes, domains as labelled edges
/// provider -> consumer.
public enum GraphRenderer {
    public enum Format: String, Sendable, CaseIterable { case text, mermaid, dot }

    public static func render(_ graph: DependencyGraph, realm: String, format: Format) -> String {
        let edges = graph.edges.sorted { ($0.from, $0.domain, $0.to) < ($1.from, $1.domain, $1.to) }
        let nodes = graph.nodes.sorted()
        switch format {
        case .text:
            var lines = ["realm \(realm): \(nodes.count) repo\(nodes.count == 1 ? "" : "s"), \(edges.count) dependenc\(edges.count == 1 ? "y" : "ies")"]
            for node in nodes {
                let outgoing = edges.filter { $0.from == node }
                if outgoing.isEmpty {
                    if !edges.contains(where: { $0.to == node }) { lines.append("  \(node)") }
                    continue
                }
                for edge in outgoing { lines.append("  \(edge.from) -> (\(edge.domain)) -> \(edge.to)") }
            }
            return lines.joined(separator: "\n") + "\n"
        case .mermaid:
            var lines = ["graph LR"]
            for node in nodes { lines.append("  \(mermaidID(node))[\"\(node)\"]") }
            for edge in edges { lines.append("  \(mermaidID(edge.from)) -->|\(edge.domain)| \(mermaidID(edge.to))") }
            return lines.joined(separator: "\n") + "\n"
        case .dot:
            var lines = ["digraph \"\(realm)\" {", "  rankdir=LR;", "  node [shape=box];"]
            for node in nodes { lines.append("  \"\(node)\";") }
            for edge in edges { lines.append("  \"\(edge.from)\" -> \"\(edge.to)\" [label=\"\(edge.domain)\"];") }
            lines.append("}")
            return lines.joined(separator: "\n") + "\n"
        }
    }

    private static func mermaidID(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
