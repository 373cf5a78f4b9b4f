import RealmSupport
/// The one place every ref name is built. See docs/git-layer.md.
public enum RefLayout {
    /// This repository's own notes (the hooks write them).
    public static let localNotes = "refs/notes/realm"
    /// The realm repository's main branch.
    public static let realmMainBranch = "refs/heads/main"
    /// The realm repository's notes.
    public static let realmNotes = "refs/notes/realm"

    /// Prefix under which a member repository keeps what it fetched from a realm.
    public static func fetchedPrefix(realm: String) -> String { "refs/realm/\(realm)" }

    /// "refs/realm/<realm>/main"
    public static func fetchedMain(realm: String) -> String { "\(fetchedPrefix(realm: realm))/main" }
    /// "refs/realm/<realm>/incoming": the realm's main as last fetched, before verification
    /// moves `fetchedMain` to it (docs/trust.md).
    public static func fetchedIncoming(realm: String) -> String { "\(fetchedPrefix(realm: realm))/incoming" }
    /// "refs/realm/<realm>/verified": the newest realm commit this repository verified; a fetched
    /// main must contain it.
    public static func verified(realm: String) -> String { "\(fetchedPrefix(realm: realm))/verified" }
    /// "refs/realm/<realm>/notes/realm": the realm's refs/notes/realm as fetched. Notes are
    /// fetched with a glob (`refs/notes/*`) because an explicit source ref that does not exist
    /// yet (a realm nobody has notified) would fail the whole fetch.
    public static func fetchedNotes(realm: String) -> String { "\(fetchedPrefix(realm: realm))/notes/realm" }
    /// "refs/realm/<realm>/index": a blob naming the domains in which this repository has a
    /// binding, for one `domains/` tree (RealmCore's BindingIndex); derived, rebuilt when stale.
    public static func bindingIndex(realm: String) -> String { "\(fetchedPrefix(realm: realm))/index" }
    /// Glob "refs/realm/<realm>/sync/*" (for `Repository.references(glob:)`, whose
    /// `*` spans "/": it matches every "<repo>/<stamp>").
    public static func fetchedSyncBranches(realm: String) -> String { "\(fetchedPrefix(realm: realm))/sync/*" }
    /// "refs/realm/<realm>/sync/<repo>/<stamp>"
    public static func fetchedSyncBranch(realm: String, repo: String, stamp: String) -> String {
        "\(fetchedPrefix(realm: realm))/sync/\(repo)/\(stamp)"
    }
    /// "refs/heads/join/<repo>" in the realm repository: a repo asking to join a realm whose
    /// admission is `approval` or `invite-only`, until an approver admits it.
    public static func realmJoinBranch(repo: String) -> String { "refs/heads/join/\(repo)" }
    /// "refs/realm/<realm>/join/<repo>": a join proposal fetched by an approver to admit it.
    public static func fetchedJoinBranch(realm: String, repo: String) -> String { "\(fetchedPrefix(realm: realm))/join/\(repo)" }
    /// Whether `name` is below "refs/realm/<realm>/sync/".
    public static func isFetchedSyncBranch(_ name: String, realm: String) -> Bool {
        name.hasPrefix(fetchedSyncPrefix(realm: realm))
    }
    /// "refs/realm/<realm>/sync/<repo>/<stamp>" read back: its repo and stamp (the stamp may
    /// hold "/"); nil for another ref or one without both parts.
    public static func parseFetchedSyncBranch(_ name: String, realm: String) -> (repo: String, stamp: String)? {
        let prefix = fetchedSyncPrefix(realm: realm)
        guard name.hasPrefix(prefix) else { return nil }
        let parts = name.dropFirst(prefix.count).split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
    private static func fetchedSyncPrefix(realm: String) -> String { "\(fetchedPrefix(realm: realm))/sync/" }
    /// Glob "refs/realm/<realm>/*": everything a repository keeps of one realm (`leave` deletes it).
    public static func fetchedRefs(realm: String) -> String { "\(fetchedPrefix(realm: realm))/*" }
    /// "refs/realm-incoming/main": where `admin join` fetches a realm's main once, to read its
    /// name before it knows it (deleted right after).
    public static let joinIncoming = "refs/realm-incoming/main"

    /// "feat/<change>": the branch of a coordinated change in every repo taking part
    /// (`git realm worktree --rfc <change>`, docs/change.md).
    public static func changeBranchName(change: String) -> String { "feat/\(change)" }
    /// "refs/heads/feat/<change>"
    public static func changeBranch(change: String) -> String { branchPrefix + changeBranchName(change: change) }
    /// "refs/remotes/<remote>/feat/<change>": what the repo last knew of the change's branch on `remote`.
    public static func remoteChangeBranch(remote: String, change: String) -> String {
        "refs/remotes/\(remote)/\(changeBranchName(change: change))"
    }
    /// "refs/heads/<name>" for a branch name.
    public static func branch(_ name: String) -> String { branchPrefix + name }
    /// "<change>" of "refs/heads/feat/<change>" or "feat/<change>"; nil for any other ref.
    public static func parseChangeBranch(_ ref: String) -> String? {
        let short = shortBranchName(ref)
        guard short.hasPrefix("feat/") else { return nil }
        let name = String(short.dropFirst("feat/".count))
        return name.isEmpty || name.contains("/") ? nil : name
    }

    /// "refs/heads/<name>" shown as "<name>"; any other ref unchanged.
    public static func shortBranchName(_ ref: String) -> String {
        ref.hasPrefix(branchPrefix) ? String(ref.dropFirst(branchPrefix.count)) : ref
    }
    private static let branchPrefix = "refs/heads/"

    /// "refs/heads/sync/<repo>/<stamp>" or "sync/<repo>/<stamp>" as "<repo>/<stamp>" (a realm
    /// sync branch named the way a user may name it); any other text without "refs/heads/".
    public static func withoutSyncBranchPrefix(_ name: String) -> String {
        let short = shortBranchName(name)
        return short.hasPrefix("sync/") ? String(short.dropFirst("sync/".count)) : short
    }

    /// "refs/heads/sync/": the prefix of the realm's sync branches (`watch` compares them).
    public static let realmSyncBranchPrefix = "refs/heads/sync/"
    /// "refs/notes/": the prefix of the realm's notes refs (what a realm fetch mirrors).
    public static let realmNotesPrefix = "refs/notes/"

    /// "refs/heads/sync/<repo>/<stamp>" in the realm repository.
    public static func realmSyncBranch(repo: String, stamp: String) -> String { "refs/heads/sync/\(repo)/\(stamp)" }

    /// Glob "refs/remotes/<remote>/*": the remote-tracking refs of one remote (pre-push looks
    /// for the merge base of a new branch among them).
    public static func remoteTrackingRefs(remote: String) -> String { "refs/remotes/\(remote)/*" }
    /// Glob "refs/remotes/*": every remote-tracking ref.
    public static let allRemoteTrackingRefs = "refs/remotes/*"

    /// What `git fetch` needs to mirror a realm into refs/realm/<realm>/ (main as `incoming`).
    public static func fetchRefspecs(realm: String) -> [String] {
        [
            // main lands in `incoming`; only history verification moves `fetchedMain` (docs/trust.md).
            "+\(realmMainBranch):\(fetchedIncoming(realm: realm))",
            "+refs/notes/*:\(fetchedPrefix(realm: realm))/notes/*",
            "+refs/heads/sync/*:\(fetchedPrefix(realm: realm))/sync/*",
            sessionFetchRefspec(realm: realm),
        ]
    }

    // MARK: the git-native forge (docs/pr.md)

    /// "refs/realm/pulls/<n>" on a repo's own remote: pull request n of the git-native forge, a
    /// metadata commit (pull.json, reviews.json).
    public static func forgePull(_ number: Int) -> String { "\(forgeRemotePrefix)/pulls/\(number)" }
    /// "refs/realm/statuses/<sha>" on a repo's own remote: the commit statuses (checks) of one commit.
    public static func forgeStatuses(sha: String) -> String { "\(forgeRemotePrefix)/statuses/\(sha)" }
    private static let forgeRemotePrefix = "refs/realm"
    /// "refs/realm-forge/<remote>": where a clone keeps what it last fetched of `remote`'s
    /// git-native forge (its refs/realm/ and its branches).
    public static func forgeFetchedPrefix(remote: String) -> String { "refs/realm-forge/\(remote)" }
    /// The fetch of a git-native forge: every ref under refs/realm/ and every branch (PR heads and
    /// bases), pruned, into `forgeFetchedPrefix(remote:)`.
    public static func forgeFetchRefspecs(remote: String) -> [String] {
        ["+\(forgeRemotePrefix)/*:\(forgeFetchedPrefix(remote: remote))/realm/*",
         "+\(branchPrefix)*:\(forgeFetchedPrefix(remote: remote))/heads/*"]
    }
    /// Glob of the fetched pull requests of `remote`.
    public static func fetchedForgePulls(remote: String) -> String { "\(forgeFetchedPrefix(remote: remote))/realm/pulls/*" }
    public static func fetchedForgePull(remote: String, number: Int) -> String { "\(forgeFetchedPrefix(remote: remote))/realm/pulls/\(number)" }
    public static func fetchedForgeStatuses(remote: String, sha: String) -> String { "\(forgeFetchedPrefix(remote: remote))/realm/statuses/\(sha)" }
    /// A branch of `remote` as the git-native forge last fetched it.
    public static func fetchedForgeBranch(remote: String, branch: String) -> String { "\(forgeFetchedPrefix(remote: remote))/heads/\(branch)" }
    /// n of "refs/realm-forge/<remote>/realm/pulls/<n>" (a decimal from 1 to 10^9 without leading zeros); nil otherwise.
    public static func parseFetchedForgePull(_ name: String, remote: String) -> Int? {
        let prefix = "\(forgeFetchedPrefix(remote: remote))/realm/pulls/"
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.count <= 10, digits.first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let n = Int(digits), n <= 1_000_000_000 else { return nil }
        return n
    }
    /// Whether `name` is a branch name git accepts (`feat/x`, `main`): components joined by "/",
    /// each valid (`isValidComponent`), at most 255 bytes.
    public static func isValidBranchName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, !name.hasPrefix("-") else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isValidComponent(String($0)) }
    }
    /// "refs/remotes/<remote>/HEAD": the remote's default branch as this clone knows it.
    public static func remoteHead(remote: String) -> String { "refs/remotes/\(remote)/HEAD" }
    /// "<branch>" of "refs/remotes/<remote>/<branch>" (what `remoteHead` points at), when a valid branch name.
    public static func parseRemoteBranch(_ ref: String, remote: String) -> String? {
        let prefix = "refs/remotes/\(remote)/"
        guard ref.hasPrefix(prefix) else { return nil }
        let name = String(ref.dropFirst(prefix.count))
        return isValidBranchName(name) ? name : nil
    }

    // MARK: sessions (docs/awareness.md)

    /// "refs/realm/sessions/" in the realm repository: one ref per repo and user, outside main,
    /// each a parentless commit (no history kept).
    public static let realmSessionsPrefix = "refs/realm/sessions/"
    /// Glob "refs/realm/sessions/*" (ls-remote pattern of the realm's sessions).
    public static let realmSessions = "refs/realm/sessions/*"
    /// "refs/realm/sessions/<repo>/<user>" in the realm repository.
    public static func realmSession(repo: String, user: String) -> String { "\(realmSessionsPrefix)\(repo)/\(user)" }
    /// "refs/realm/sessions/<repo>/<user>" read back; nil for any other ref (exactly two
    /// components below the prefix, each a valid ref component).
    public static func parseRealmSession(_ ref: String) -> (repo: String, user: String)? {
        guard ref.hasPrefix(realmSessionsPrefix) else { return nil }
        return twoComponents(ref.dropFirst(realmSessionsPrefix.count))
    }
    /// "refs/realm/<realm>/sessions/": where a member keeps the sessions as last fetched.
    private static func fetchedSessionsPrefix(realm: String) -> String { "\(fetchedPrefix(realm: realm))/sessions/" }
    /// Glob "refs/realm/<realm>/sessions/*".
    public static func fetchedSessions(realm: String) -> String { "\(fetchedSessionsPrefix(realm: realm))*" }
    /// "refs/realm/<realm>/sessions/<repo>/<user>"
    public static func fetchedSession(realm: String, repo: String, user: String) -> String {
        "\(fetchedSessionsPrefix(realm: realm))\(repo)/\(user)"
    }
    /// "refs/realm/<realm>/sessions/<repo>/<user>" read back; nil for any other ref.
    public static func parseFetchedSession(_ name: String, realm: String) -> (repo: String, user: String)? {
        let prefix = fetchedSessionsPrefix(realm: realm)
        guard name.hasPrefix(prefix) else { return nil }
        return twoComponents(name.dropFirst(prefix.count))
    }
    /// The fetch refspec of the realm's sessions alone (`session list`, `watch`).
    public static func sessionFetchRefspec(realm: String) -> String { "+\(realmSessions):\(fetchedSessionsPrefix(realm: realm))*" }

    private static func twoComponents(_ rest: Substring) -> (String, String)? {
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, isValidComponent(parts[0]), isValidComponent(parts[1]) else { return nil }
        return (parts[0], parts[1])
    }

    /// Whether `s` may be used as one component of a ref name (git
    /// check-ref-format rules, applied to a single component): non-empty; no
    /// "/"; does not start or end with "."; does not end with ".lock"; no "..";
    /// no "@{"; not "@"; no control characters, space, DEL, or any of ~ ^ : ? * [ \.
    public static func isValidComponent(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, s != "@" else { return false }
        if bytes.first == UInt8(ascii: ".") || bytes.last == UInt8(ascii: ".") { return false }
        if s.hasSuffix(".lock") { return false }
        var previous: UInt8 = 0
        for b in bytes {
            if b < 0x20 || b == 0x7f { return false }
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "~"), UInt8(ascii: "^"), UInt8(ascii: ":"), UInt8(ascii: "?"),
                 UInt8(ascii: "*"), UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                return false
            case UInt8(ascii: ".") where previous == UInt8(ascii: "."):
                return false
            case UInt8(ascii: "{") where previous == UInt8(ascii: "@"):
                return false
            default:
                break
            }
            previous = b
        }
        return true
    }
}
