import ArgumentParser
import RealmCore

struct AdminKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "List, add or remove this repo's signing keys in the realm.",
        discussion: """
        A repo's maintainers sign its realm changes with the keys in repos/<repo>.yaml
        (docs/trust.md). A change of keys is judged by the keys registered before it: to
        rotate, add the new key while git still signs with the old one, switch
        user.signingkey, then remove the old key.
        """,
        subcommands: [AdminKeyListCommand.self, AdminKeyAddCommand.self, AdminKeyRemoveCommand.self])
}

struct AdminKeyListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List this repo's signing keys (in the realm as last fetched).",
        discussion: "\(exitCodeDiscussion)")

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let keys = try SigningKeys.list(participant: participant)
            if output.json {
                Output.json(["repo": .string(participant.name),
                             "keys": .array(keys.map { ["principal": .string($0.principal), "key": .string($0.key)] })])
                return
            }
            if keys.isEmpty { Output.line("\(participant.name) has no signing key registered") }
            for key in keys { Output.line("\(key.principal) \(key.key)") }
        }
    }
}

struct AdminKeyAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a signing key for this repo.",
        discussion: """
        Without --key, registers the key git signs with here (gpg.format ssh,
        user.signingkey). The principal defaults to user.email.

        \(exitCodeDiscussion)
        """)

    @Option(help: "The public key line ('ssh-ed25519 AAAA...').")
    var key: String?

    @Option(help: "The email address the key's commits carry as author.")
    var principal: String?

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let result = try SigningKeys.add(participant: participant, key: key, principal: principal)
            if output.json {
                Output.json(["principal": .string(result.key.principal), "key": .string(result.key.key), "added": .bool(result.added)])
                return
            }
            Output.line(result.added ? "\(Output.check) Registered \(result.key.key.prefix(30))... for \(result.key.principal)"
                                     : "Already registered: \(result.key.key.prefix(30))... for \(result.key.principal)")
        }
    }
}

struct AdminKeyRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a signing key of this repo.",
        discussion: "\(exitCodeDiscussion)")

    @Argument(help: "The key line, or at least 16 characters of its base64 part.")
    var key: String

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let participant = try Participant.current()
            let removed = try SigningKeys.remove(participant: participant, match: key)
            if output.json {
                Output.json(["removed": .array(removed.map { ["principal": .string($0.principal), "key": .string($0.key)] })])
                return
            }
            for key in removed { Output.line("\(Output.check) Removed \(key.key.prefix(30))... of \(key.principal)") }
        }
    }
}
