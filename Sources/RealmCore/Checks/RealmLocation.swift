import RealmGit
import RealmModel
import RealmSupport

/// Where `git realm check` finds the realm it checks: a clone of the realm itself (its working
/// tree, with the clone's history), a bare realm repository (its HEAD), or a participant (the
/// realm commit it last fetched, `refs/realm/<realm>/main`).
public enum RealmLocation {
    case clone(repository: Repository, root: String)
    case bare(repository: Repository, head: OID)
    case participant(Participant)

    /// Finds the realm around `directory`: a repository whose top holds `realm.yaml` is the
    /// realm; otherwise it must have joined one.
    public static func find(from directory: String = currentDirectory()) throws -> RealmLocation {
        let repository = try Participant.openRepository(from: directory)
        if let root = repository.workdir {
            if fileExists(root + "/" + RealmConfig.path) { return .clone(repository: repository, root: root) }
        } else if let head = try repository.headCommit(), try repository.blob(at: RealmConfig.path, in: head) != nil {
            return .bare(repository: repository, head: head)
        }
        guard let membership = try Membership.load(in: repository, realm: RealmSelection.name) else {
            throw RealmError(.notInRealm, "this repository is neither a realm (no realm.yaml at its top) nor has it joined one (no \(Membership.fileName))",
                             hint: "run it in a clone of the realm, or in a repository that ran 'git realm admin join <realm-url>'")
        }
        return .participant(Participant(repository: repository, membership: membership))
    }

    public var repository: Repository {
        switch self {
        case .clone(let repository, _), .bare(let repository, _): return repository
        case .participant(let participant): return participant.repository
        }
    }

    /// The files to check: the working tree of a clone, HEAD of a bare realm, the fetched
    /// commit of a participant.
    public func source() throws -> any RealmSource {
        switch self {
        case .clone(_, let root): return DirectoryRealmSource(root: root)
        case .bare(let repository, let head): return GitRealmSource(repository: repository, commit: head)
        case .participant(let participant):
            guard let tip = try participant.fetchedTip() else { throw notFetched(participant) }
            return GitRealmSource(repository: participant.repository, commit: tip)
        }
    }

    /// The newest realm commit: HEAD of a clone or bare realm, the fetched tip of a participant.
    public func tip() throws -> OID {
        switch self {
        case .clone(let repository, _):
            guard let head = try repository.headCommit() else {
                throw RealmError(.usage, "the realm clone has no commits yet")
            }
            return head
        case .bare(_, let head): return head
        case .participant(let participant):
            guard let tip = try participant.fetchedTip() else { throw notFetched(participant) }
            return tip
        }
    }

    /// A short description for human output: "realm clone /x", "realm 'letemcook' fetched at 3f2a9c41d0e2".
    public func describe() throws -> String {
        switch self {
        case .clone(_, let root): return "realm working tree \(root)"
        case .bare(let repository, let head): return "realm \(repository.gitDir) at \(head.description.prefix(12))"
        case .participant(let participant):
            let tip = try participant.fetchedTip().map { String($0.description.prefix(12)) } ?? "(not fetched)"
            return "realm '\(participant.realm)' fetched at \(tip)"
        }
    }

    /// The commit a revision names, in the repository that holds the realm's history.
    public func resolve(_ revision: String) throws -> OID {
        do {
            let oid = try repository.revparse(revision)
            _ = try repository.commit(oid)
            return oid
        } catch {
            var hint: String? = nil
            if case .participant(let participant) = self {
                hint = "in a participant, name realm commits as \(RefLayout.fetchedMain(realm: participant.realm))~N or by id"
            }
            throw RealmError(.usage, "cannot resolve --base '\(revision)' to a commit", hint: hint)
        }
    }

    /// The default base for version bumps: the previous commit. In a clone whose working tree
    /// differs from HEAD (uncommitted edits), HEAD itself, so that the edits are what is
    /// checked. nil when there is no previous commit.
    public func defaultBase(workingTreeChanged: Bool) throws -> OID? {
        switch self {
        case .clone(let repository, _):
            guard let head = try repository.headCommit() else { return nil }
            if workingTreeChanged { return head }
            return try repository.commit(head).parents.first
        case .bare(let repository, let head):
            return try repository.commit(head).parents.first
        case .participant(let participant):
            guard let tip = try participant.fetchedTip() else { return nil }
            return try participant.repository.commit(tip).parents.first
        }
    }

    private func notFetched(_ participant: Participant) -> RealmError {
        RealmError(.notInRealm, "realm '\(participant.realm)' has not been fetched into this repository",
                   hint: "run 'git realm check --fetch ...' or 'git realm status --fetch'")
    }
}
