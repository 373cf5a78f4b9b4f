import ArgumentParser
import RealmCore

extension GraphRenderer.Format: ExpressibleByArgument {}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw the realm's dependency graph: repos, and domains as edges provider -> consumer.",
        discussion: networkDiscussion + "\n\n" + exitCodeDiscussion)

    @Option(help: "Output format: text, mermaid or dot.")
    var format: GraphRenderer.Format = .text

    @Flag(help: "Fetch the realm first.")
    var fetch = false

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            if fetch { try fetchOrFallBack(participant) }
            let graph = try DependencyGraph.build(from: try participant.snapshot())
            Output.block(GraphRenderer.render(graph, realm: participant.realm, format: format))
        }
    }
}
