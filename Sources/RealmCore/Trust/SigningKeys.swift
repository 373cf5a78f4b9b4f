import RealmGit
import RealmModel
import RealmSupport

/// `git realm admin key add|remove|list`: the signing keys in this repo's `repos/<repo>.yaml`.
/// A change of keys is itself a realm commit, judged by the keys registered before it: add the
/// new key while signing with the old one, switch `user.signingkey`, then remove the old key.
public enum SigningKeys {
    /// The keys registered for this repo in the realm as last fetched.
    public static func list(participant: Participant) throws -> [SigningKey] {
        try participant.snapshot().repo(participant.name)?.keys ?? []
    }

    /// Adds `key` (default: the key git signs with here) for `principal` (default: user.email).
    /// Returns false when it was registered already.
    @discardableResult
    /// A key as given on the command line: an armored OpenPGP public key as it is, an SSH key
    /// line without its comment.
    public static func keyLine(_ text: String) -> String {
        PGPArmor.isPublicKey(text) ? text.trimmingWhitespace() : SSHSigner.publicKeyLine(text)
    }

    public static func add(participant: Participant, key: String?, principal: String?) throws -> (key: SigningKey, added: Bool) {
        let repository = participant.repository
        let line: String
        if let key {
            line = keyLine(key)
        } else if let signer = try CommitSigner.configured(in: repository) {
            line = signer.publicKey
        } else {
            throw RealmError(.usage, "give the public key (--key 'ssh-ed25519 AAAA...'), or set up signing (docs/trust.md)")
        }
        guard SigningKey.isValid(line) else {
            throw RealmError(.usage, "'\(line.prefix(60))' is not an SSH public key line ('ssh-ed25519 AAAA...') or an armored OpenPGP public key")
        }
        guard let email = try principal ?? repository.configString(ConfigKey.userEmail), SigningKey.isValidPrincipal(email) else {
            throw RealmError(.usage, "give --principal EMAIL (the author email of the commits this key signs)")
        }
        let entry = SigningKey(principal: email, key: line)
        var added = false
        try participant.writer().commit { snapshot in
            guard let realm = snapshot, var repo = try realm.repo(participant.name) else {
                throw RealmError(.usage, "repo '\(participant.name)' is not registered in realm '\(participant.realm)'")
            }
            if repo.keys.contains(entry) { return nil }
            repo.keys.append(entry)
            if !repo.maintainers.contains(email) { repo.maintainers.append(email) }
            added = true
            var change = RealmChange(message: "\(participant.name): add signing key for \(email)")
            change.write(RepoEntry.path(participant.name), repo)
            return change
        }
        return (entry, added)
    }

    /// Removes every registered key whose line, or base64 part, starts with `match`.
    public static func remove(participant: Participant, match: String) throws -> [SigningKey] {
        let needle = match.trimmingWhitespace()
        guard needle.count >= 16 else {
            throw RealmError(.usage, "give the key line, or at least 16 characters of its base64 part")
        }
        var removed: [SigningKey] = []
        try participant.writer().commit { snapshot in
            guard let realm = snapshot, var repo = try realm.repo(participant.name) else {
                throw RealmError(.usage, "repo '\(participant.name)' is not registered in realm '\(participant.realm)'")
            }
            removed = repo.keys.filter { $0.key.hasPrefix(needle) || ($0.key.split(separator: " ").last ?? "").hasPrefix(needle) }
            guard !removed.isEmpty else {
                throw RealmError(.usage, "no key of \(participant.name) matches '\(needle.prefix(40))'",
                                 hint: "see them with 'git realm admin key list'")
            }
            repo.keys.removeAll { removed.contains($0) }
            var change = RealmChange(message: "\(participant.name): remove \(removed.count) signing key(s)")
            change.write(RepoEntry.path(participant.name), repo)
            return change
        }
        return removed
    }
}
