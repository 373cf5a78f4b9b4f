import RealmGit
import RealmModel

/// `git realm admin invite REPO`: an approver invites a repo, naming its maintainers and the
/// keys they sign with (`invitations/<repo>.yaml`). The invited repo's `admin join` then
/// registers it directly, consuming the invitation; `--withdraw` removes one.
public struct InviteRepo {
    public var repo: String
    public var maintainers: [String]
    public var keys: [String]
    public var withdraw = false

    public init(repo: String, maintainers: [String], keys: [String], withdraw: Bool = false) {
        self.repo = repo
        self.maintainers = maintainers
        self.keys = keys
        self.withdraw = withdraw
    }

    public func run(in participant: Participant) throws -> (invitation: Invitation?, commit: OID?) {
        if let problem = Names.problem(with: repo) { throw RealmError(.usage, "repo name '\(repo)' \(problem)") }
        var invitation: Invitation?
        if !withdraw {
            guard !maintainers.isEmpty else { throw RealmError(.usage, "name the invited maintainers (--maintainer EMAIL)") }
            for email in maintainers where !SigningKey.isValidPrincipal(email) {
                throw RealmError(.usage, "'\(email.prefix(80))' is not an email address (--maintainer)")
            }
            let lines = keys.map(SigningKeys.keyLine)
            for line in lines where !SigningKey.isValid(line) {
                throw RealmError(.usage, "'\(line.prefix(60))' is not an SSH public key line ('ssh-ed25519 AAAA...') or an armored OpenPGP public key")
            }
            // Each key signs for the first maintainer named (a key's principal is one email).
            invitation = Invitation(repo: repo, maintainers: maintainers,
                                    keys: lines.map { SigningKey(principal: maintainers[0], key: $0) }, invitedAt: Timestamp.now())
        }
        let commit = try participant.writer().commit { snapshot in
            guard let realm = snapshot else { throw RealmError(.usage, "the realm has no main branch") }
            let config = try realm.config()
            let email = try participant.repository.configString(ConfigKey.userEmail)
            guard try JoinRealm.isApprover(config, email: email, repository: participant.repository)
                    || config.governance.approvers.contains(participant.name) else {
                throw RealmError(.refused, "only the realm's approvers may invite a repo (you are \(email ?? "no user.email"))")
            }
            let path = Invitation.path(repo)
            var change = RealmChange(message: withdraw ? "Withdraw the invitation of \(repo)" : "Invite \(repo)")
            if let invitation {
                if try realm.repo(repo) != nil { throw RealmError(.refused, "'\(repo)' is already registered in realm '\(participant.realm)'") }
                if try realm.invitation(repo) == invitation { return nil }
                change.write(path, invitation)
            } else {
                guard try realm.exists(path) else { throw RealmError(.usage, "realm '\(participant.realm)' has no invitation of '\(repo)'") }
                change.delete(path)
            }
            return change
        }
        return (invitation, commit)
    }
}
