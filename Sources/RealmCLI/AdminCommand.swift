import ArgumentParser

struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Create realms, join and leave them, create domains.",
        subcommands: [AdminInitCommand.self, AdminJoinCommand.self, AdminDomainCommand.self, AdminLeaveCommand.self,
                      AdminAdmitCommand.self, AdminInviteCommand.self, AdminKeyCommand.self, AdminProtectCommand.self,
                      AdminCodeOwnersCommand.self, AdminCacheCommand.self])
}
