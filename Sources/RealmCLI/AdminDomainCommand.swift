import ArgumentParser
import RealmCore

struct AdminDomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Manage domains (coordination contexts between repos).",
        subcommands: [AdminDomainCreateCommand.self])
}

struct AdminDomainCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a domain with a contract between registered repos.",
        discussion: """
        Writes domains/<name>/domain.yaml, a contract skeleton (version 1.0.0) owned
        by --owner (default: the first of --repos), a provider binding for the owner
        and consumer bindings (importing >=1.0.0, <2.0.0) for the others. Refuses a
        domain that would create a cycle in the exporter -> importer graph, and
        names the cycle.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The domain's name (kebab-case).")
    var name: String

    @Option(help: "Comma-separated repos taking part (at least two, all registered).")
    var repos: String

    @Option(help: "The contract the owner provides.")
    var contract: String

    @Option(help: "The repo that owns the contract (default: the first of --repos).")
    var owner: String?

    @Option(help: "A sentence describing the domain.")
    var description: String?

    @Option(help: "The contract's initial JSON Schema (YAML or JSON file; default {type: object}).")
    var schema: String?

    @Option(help: "The contract's initial value (YAML or JSON file; default {}).")
    var value: String?

    @Option(name: .customLong("contract-version"), help: ArgumentHelp("The contract's initial version (default 1.0.0).", valueName: "version"))
    var contractVersion: String?

    /// The old spelling, which shadowed the global --version: still taken, with a note.
    @Option(name: .customLong("version"), help: .hidden)
    var legacyVersion: String?

    func validate() throws {
        if contractVersion != nil && legacyVersion != nil { throw ValidationError("give the version once, with --contract-version") }
    }

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            var operation = CreateDomain(name: name, repos: splitList(repos), contract: contract,
                                         owner: owner, description: description)
            if let schema { operation.schema = try DocumentLoader.load(schema) }
            if let value { operation.value = try DocumentLoader.load(value) }
            if legacyVersion != nil { Output.warning("domain create --version is now --contract-version; --version still works") }
            operation.version = contractVersion ?? legacyVersion ?? "1.0.0"
            let result = try operation.run(in: participant)
            if output.json {
                Output.json(["domain": .string(name), "owner": .string(result.owner),
                             "consumers": .array(result.consumers.map { .string($0) }),
                             "files": .array(result.files.map { .string($0) })])
                return
            }
            for file in result.files {
                let note = file.contains("/bindings/\(result.owner).yaml") ? " (provider)"
                    : file.contains("/bindings/") ? " (consumer)" : ""
                Output.line("\(Output.check) Created \(file)\(note)")
            }
            Output.line("\(Output.check) Pushed to realm '\(participant.realm)'")
        }
    }
}
