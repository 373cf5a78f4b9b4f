#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmLimits
import RealmModel
import RealmYAML
import RealmSupport

/// One change to the realm: files to write or delete. Built from the realm as it is at the
/// tip being written on, so a retry after a concurrent write re-applies it to the new tip.
public struct RealmChange: Sendable {
    public var files: [String: TreeChange] = [:]
    public var message: String
    /// JSON lines for the realm note on the commit this change creates (notifications).
    public var notesOnNewCommit: [String] = []
    /// JSON lines for the notes on existing realm commits (acknowledgements).
    public var notesOnCommits: [OID: [String]] = [:]
    /// Push the commit to this realm branch (`refs/heads/sync/<repo>/<stamp>`) instead of main:
    /// a change that waits for approval.
    public var branch: String?
    /// The branch's tip when the change replaces a proposal already pending there (the push
    /// leases it); nil when the branch must not exist yet.
    public var branchTip: OID?
    /// With `branch`: files written on main in a commit of their own, pushed with the branch
    /// (atomically); the branch's commit is made on top of it. A proposal's record.
    public var mainFiles: [String: TreeChange] = [:]
    public var mainMessage: String?

    public init(message: String) { self.message = message }

    public mutating func write<T: RealmDocument>(_ path: String, _ document: T) {
        files[path] = .blob(RealmFiles.encodeBytes(document))
    }

    public mutating func delete(_ path: String) { files[path] = .delete }

    public var isEmpty: Bool { files.isEmpty && notesOnNewCommit.isEmpty && notesOnCommits.isEmpty }
}

/// Writes the realm: every write is one commit on top of the fetched tip, pushed with
/// compare-and-swap (`--force-with-lease` on the tip it was built on). When someone else wrote
/// first the push is rejected: fetch, re-apply the change to the new tip, push again.
public struct RealmWriter {
    /// When a write fetches the realm before building its change.
    public enum FetchPolicy: Sendable {
        /// Fetch, then build on the fetched tip.
        case first
        /// Build on the realm as last fetched here and let the push's leases prove that it is
        /// still the realm's tip: one round trip instead of two when nobody wrote meanwhile.
        /// Fetch (and build again) when there is no fetched realm, when the build has nothing
        /// to write (what it reports must be current too) and when the push is rejected
        /// because the realm moved. docs/sync.md has the argument.
        case whenNeeded
        /// Build on what is there; fetch only to retry (a realm being created).
        case never
    }

    public let repository: Repository
    public let realm: String
    public let url: String
    /// Writers that collide retry in rounds and only a few land per round: twenty syncing at the
    /// same moment needed up to 9 attempts on 2 cores (8 made some give up with exit 6).
    public var maxAttempts = 16

    public init(repository: Repository, realm: String, url: String) {
        self.repository = repository
        self.realm = realm
        self.url = url
    }

    /// Refs pushed with a realm write, in the same atomic push, each leased: a user's session
    /// refreshed, idle sessions pruned (docs/awareness.md). `mirrors`: the fetched refs to move
    /// to the pushed values (nil: delete) once the push landed.
    public struct AlongsideRefs {
        public var refspecs: [String] = []
        public var leases: [(ref: String, expected: OID?)] = []
        public var mirrors: [(ref: String, value: OID?)] = []
    }

    /// Built right before each push (after each fetch): what rides along with the realm write.
    /// Only a push that writes the realm carries it; it never makes a push by itself.
    public var alongside: (() throws -> AlongsideRefs?)?

    /// Runs `build` against the freshly fetched realm (nil when the realm has no main yet) and
    /// lands its change. Returns the new realm commit, or nil when there was nothing to change.
    /// `build` may throw to refuse; nothing is written then.
    @discardableResult
    public func commit(fetch policy: FetchPolicy = .first, _ build: (RealmSnapshot?) throws -> RealmChange?) throws -> OID? {
        try commit(fetch: policy) { snapshot, _ in try build(snapshot) }
    }

    /// A build on an unverified realm (see `FetchPolicy.whenNeeded`) throws this before doing
    /// anything it should do only once and only for the realm as it is (run a validation
    /// script): the realm is fetched and the build runs again.
    public struct NeedsCurrentRealm: Error {
        public init() {}
    }

    /// `commit(fetch:_:)` whose `build` is told whether its snapshot is known to be the realm's
    /// tip (fetched just now) or only the realm as last fetched here, to be proven by the push.
    @discardableResult
    public func commit(fetch policy: FetchPolicy, _ build: (RealmSnapshot?, _ current: Bool) throws -> RealmChange?) throws -> OID? {
        var attempt = 0
        var fetchNext = policy == .first
        var fetched = false
        let network = try RealmRemote.policy(for: repository)
        while true {
            attempt += 1
            if fetchNext {
                try RealmRemote.fetch(into: repository, realm: realm, url: url, policy: network)
                fetched = true
            }
            fetchNext = true
            let tip = try repository.resolve(ref: RefLayout.fetchedMain(realm: realm))
            // Unverified: built on the realm as last fetched, proven current only by a push.
            let unverified = policy == .whenNeeded && !fetched
            if unverified && tip == nil { continue }
            if unverified { RealmRemote.removeStaleLocks(under: repository.commonDir + "/" + RefLayout.fetchedPrefix(realm: realm)) }
            let snapshot = tip.map {
                RealmSnapshot(source: GitRealmSource(repository: repository, commit: $0, indexRef: RefLayout.bindingIndex(realm: realm)))
            }
            let built: RealmChange?
            do {
                built = try Trace.region("realm change built") { try build(snapshot, !unverified) }
            } catch where unverified {
                continue   // NeedsCurrentRealm, or a refusal that the current realm may not repeat
            }
            guard let change = built, !change.isEmpty else {
                if unverified { continue }
                return nil
            }
            let notesTip = try repository.resolve(ref: RefLayout.fetchedNotes(realm: realm))
            // The new objects (a contract blob, the trees above it, the commit, the notes
            // commit and its trees) are written as one pack: two files instead of ten.
            let written = try Trace.region("realm objects written") {
                try repository.writingObjectsAsOnePack { objects -> (commit: OID?, notes: OID?, record: OID?) in
                    // A proposal: its record on main first, the proposed change on top of it.
                    var base = tip
                    var record: OID?
                    if change.branch != nil && !change.mainFiles.isEmpty {
                        var main = RealmChange(message: change.mainMessage ?? change.message)
                        main.files = change.mainFiles
                        record = try write(main, on: tip, notes: nil, into: objects).commit
                        base = record
                    }
                    let w = try write(change, on: base, notes: notesTip, into: objects)
                    return (w.commit, w.notes, record)
                }
            }
            guard let commit = written.commit else { return nil }
            let record = written.record.flatMap { $0 == tip ? nil : $0 }
            let newCommit = commit != tip
            // Only a push to main leases main: anything else is built on a fetched realm.
            if unverified && (!newCommit || change.branch != nil) { continue }
            let notes = written.notes

            var refspecs: [String] = []
            var leases: [(ref: String, expected: OID?)] = []
            if let branch = change.branch {
                guard newCommit else { return nil }
                refspecs.append("\(commit.hex):\(branch)")
                leases.append((ref: branch, expected: change.branchTip))
                if let record {
                    refspecs.append("\(record.hex):\(RefLayout.realmMainBranch)")
                    leases.append((ref: RefLayout.realmMainBranch, expected: tip))
                }
            } else if newCommit {
                refspecs.append("\(commit.hex):\(RefLayout.realmMainBranch)")
                leases.append((ref: RefLayout.realmMainBranch, expected: tip))
            }
            if let notes, notes != notesTip {
                refspecs.append("\(notes.hex):\(RefLayout.realmNotes)")
                leases.append((ref: RefLayout.realmNotes, expected: notesTip))
            }
            if refspecs.isEmpty { return nil }
            let realmLeases = Set(leases.map(\.ref))
            let extra = try alongside?()
            do {
                let unchanged = try GitRemote.push(repoDir: repository.workdir ?? repository.gitDir, url: url,
                                                   refspecs: refspecs + (extra?.refspecs ?? []), atomic: true,
                                                   leases: leases + (extra?.leases ?? []), policy: network)
                // The realm already had these very commits (the same change, made by a run that
                // was killed before it could record them here): no lease was checked for them,
                // so nothing is proven; fetch and look again. Built on a fresh fetch, every ref
                // already holding what this run pushed means another run made the identical
                // commit in between (two syncs of one clone in the same second): this run wrote
                // nothing, and after a fetch it finds nothing to do and says so.
                if !unchanged.isEmpty && (unverified || Set(unchanged).intersection(realmLeases) == realmLeases) { continue }
            } catch {
                // A push that lost a race is not always reported as a rejection (a ref-lock race
                // on the remote reads "failed to push some refs"); the realm having moved is the
                // authoritative sign.
                let moved = error.isRejected || (!error.timedOut && (try? realmMoved(main: tip, notes: notesTip, policy: network)) == true)
                guard moved else {
                    var failure = RealmRemote.unreachable(realm: realm, url: url, error, verb: "push to", preposition: "at")
                    if error.timedOut {
                        failure.hint = "git was stopped mid-push, so the write may or may not have landed; run the command again (a re-run publishes nothing twice)"
                    }
                    throw failure
                }
                guard attempt < maxAttempts else {
                    throw RealmError(.conflict, "realm '\(realm)' kept changing while writing; gave up after \(attempt) attempts",
                                     hint: "run the command again")
                }
                // Built on an older fetch: not a collision with another writer, no need to wait.
                if !unverified { backoff(attempt) }
                continue
            }
            if change.branch == nil && newCommit {
                try recordPushed(RefLayout.fetchedMain(realm: realm), commit, over: tip, message: "git-realm: wrote realm")
            } else if let record {
                try recordPushed(RefLayout.fetchedMain(realm: realm), record, over: tip, message: "git-realm: wrote realm")
            }
            if let notes, notes != notesTip {
                try recordPushed(RefLayout.fetchedNotes(realm: realm), notes, over: notesTip, message: "git-realm: wrote realm notes")
            }
            try extra?.recordPushed(in: repository)
            return commit
        }
    }

    /// The realm commit for `change` on `tip` (the tip itself when the change leaves the tree
    /// as it is) and the notes commit on `notesTip` carrying its notes, written into `objects`.
    private func write(_ change: RealmChange, on tip: OID?, notes notesTip: OID?,
                       into objects: Repository) throws -> (commit: OID?, notes: OID?) {
        var commit = tip
        try Self.readable(change)
        if !change.files.isEmpty || tip == nil {
            let tree = try Trace.region("realm tree built") { try objects.buildTree(base: tip, changes: change.files) }
            if let tip, try objects.commit(tip).tree == tree, change.branch == nil {
                commit = tip
            } else if let signer = try CommitSigner.configured(in: repository) {
                // Signed whenever the user can sign (git's own settings: gpg.format ssh, user.signingkey).
                commit = try objects.createSignedCommit(tree: tree, parents: tip.map { [$0] } ?? [], message: change.message,
                                                        signer: signer)
            } else {
                if let tip, (try? RealmSnapshot(source: GitRealmSource(repository: repository, commit: tip)).config())?.trust.requireSignedCommits == true {
                    throw RealmError(.refused, "realm '\(realm)' requires signed commits, and git is not set up to sign here; nothing was written",
                                     hint: "git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub (docs/trust.md)")
                }
                commit = try objects.createCommit(tree: tree, parents: tip.map { [$0] } ?? [], message: change.message)
            }
        }
        guard let commit else { return (nil, notesTip) }
        // Notes: one notes commit on top of the fetched notes tip, merged like cat_sort_uniq.
        // Notes on a new commit only where it is pushed to main.
        var notes = notesTip
        var noteTargets = change.notesOnCommits
        if commit != tip && !change.notesOnNewCommit.isEmpty && change.branch == nil {
            noteTargets[commit, default: []] += change.notesOnNewCommit
        }
        for (target, lines) in noteTargets.sorted(by: { $0.key.hex < $1.key.hex }) where !lines.isEmpty {
            let existing = try notes.flatMap { try objects.note(notesCommit: $0, on: target) }
            let merged = NotificationRecord.merge(note: existing, adding: lines)
            if merged == existing { continue }
            notes = try objects.createNotesCommit(parent: notes, target: target, text: merged)
        }
        return (commit, notes)
    }

    /// Refuses a change that writes a file every member's reader would refuse (over
    /// `Limits.documentBytes`, too deep, too many nodes): the reader's own parser, with the
    /// reader's own limits, judges each YAML file before anything is written.
    static func readable(_ change: RealmChange) throws {
        for (path, file) in change.files.sorted(by: { $0.key < $1.key }) {
            guard case .blob(let bytes) = file, path.hasSuffix(".yaml") else { continue }
            do { try YAML.check(bytes: bytes) } catch {
                throw RealmError(.usage, "refusing to write \(path) (\(bytes.count) bytes): every member would refuse to read it: \(error.message); nothing was written",
                                 hint: "make the value or schema smaller (limits: docs/security.md)")
            }
        }
    }

    /// Moves a fetched realm ref from `old` (what the pushed change was built on) to what was
    /// just pushed. Another command in this clone may have fetched meanwhile: a ref that moved is
    /// left as it is (it holds the realm as fetched later, or the next fetch puts it right), and
    /// a ref locked for the moment is tried again (bounded).
    private func recordPushed(_ ref: String, _ value: OID, over old: OID?, message: String) throws {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try repository.updateRef(ref, to: value, expected: old, message: message)
                return
            } catch {
                if error.isConflict { return }
                guard error.isLocked, attempt < Limits.fetchLockAttempts else { throw error }
                RealmRemote.lockBackoff(attempt)
            }
        }
    }

    /// Whether the realm's main or notes are no longer what the change was built on.
    private func realmMoved(main: OID?, notes: OID?, policy: NetworkPolicy) throws -> Bool {
        let refs = try GitRemote.lsRemote(url: url, patterns: [RefLayout.realmMainBranch, RefLayout.realmNotes], policy: policy)
        return refs.first { $0.name == RefLayout.realmMainBranch }?.oid != main
            || refs.first { $0.name == RefLayout.realmNotes }?.oid != notes
    }

    private func backoff(_ attempt: Int) {
        let base = 20_000 * (1 << min(attempt, 6))   // microseconds
        usleep(UInt32(base + Int.random(in: 0..<base)))
    }
}
