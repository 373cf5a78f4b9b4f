import Foundation
import Testing

/// Governance (docs/trust.md "Governance"): breaking changes wait for an approver other than
/// their author, narrowing changes for their grace period or every importer, domain overrides
/// only tighten. Real keys, a signed realm protected by the pre-receive hook, plain-git forgeries.
@Suite struct GovernanceTests {
    static let contract = "domains/s3-access/contracts/s3-permissions.yaml"

    /// TrustTests' world, with fungal-image-analysis an approver too (alice, the other approver,
    /// maintains aperture and cannot approve aperture's changes), aperture exporting
    /// s3-permissions and fungal-image-analysis importing it (acknowledged).
    static func makeGoverned() throws -> TrustTests.World {
        let w = try TrustTests.makeWorld()
        let clone = w.box.path("approvers")
        try w.box.git(["clone", "--quiet", w.url, clone])
        let realmYAML = try w.box.read(clone + "/realm.yaml")
        try w.box.write(clone + "/realm.yaml", realmYAML.replacingOccurrences(of: "approvers:\n", with: "approvers:\n    - fungal-image-analysis\n"))
        #expect(try w.box.read(clone + "/realm.yaml").contains("- fungal-image-analysis"))
        #expect(try w.commitInRealm(clone, as: "alice", key: "alice", message: "fungal approves too").status == 0)
        let pushed = try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
        #expect(pushed.status == 0, "\(pushed)")

        try w.box.write("aperture/schema.yaml", SyncTests.schema)
        try w.box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, models/*]\nwrite: []\n")
        try w.box.git(["add", "."], in: w.aperture)
        try w.box.git(["commit", "-qm", "s3"], in: w.aperture)
        let export = try w.box.realm(["export", "s3-permissions", "--source", "config/s3.yaml", "--from-file", "config/s3.yaml",
                                      "--schema", "schema.yaml"], in: w.aperture)
        #expect(export.status == 0, "\(export)")
        let published = try w.box.realm(["sync"], in: w.aperture)
        #expect(published.status == 0, "\(published)")
        let imported = try w.box.realm(["import", "s3-permissions", "--from", "aperture", "--range", ">=0.1.0", "--binding", "README.md"], in: w.fungal)
        #expect(imported.status == 0, "\(imported)")
        let acked = try w.box.realm(["sync"], in: w.fungal)
        #expect(acked.status == 0, "\(acked)")
        #expect(try w.box.realmFile(w.url, "domains/s3-access/bindings/fungal-image-analysis.yaml")?.contains("resolved_version") == true)
        return w
    }

    /// The proposal name (`sync/aperture/<stamp>`) recorded on the realm's main.
    static func proposal(_ w: TrustTests.World) throws -> String {
        let records = try w.box.git(["--git-dir", w.url, "ls-tree", "-r", "--name-only", "main", "proposals/"])
        let path = try #require(records.split(separator: "\n").first.map(String.init))
        return "sync/" + path.dropFirst("proposals/".count).dropLast(5)
    }

    /// Pushes `edit` made in a fresh realm clone as `who` (signed with their key).
    static func push(_ w: TrustTests.World, as who: String, _ name: String, _ edit: (String) throws -> Void) throws -> Sandbox.Result {
        let clone = w.box.path("push-\(name)")
        try w.box.git(["clone", "--quiet", w.url, clone])
        try edit(clone)
        #expect(try w.commitInRealm(clone, as: who, key: who, message: name).status == 0)
        return try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
    }

    @Test func aNarrowingChangeWaitsForItsImportersOrItsGracePeriod() throws {
        let w = try Self.makeGoverned()
        let main = try w.box.git(["--git-dir", w.url, "rev-parse", "main"])
        // aperture stops granting models/*: compatible, but fungal still acknowledges the old value.
        try w.box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: []\n")
        try w.box.git(["commit", "-qam", "no models"], in: w.aperture)
        let sync = try w.box.realm(["sync"], in: w.aperture)
        #expect(sync.status == 0, "\(sync)")
        let name = try Self.proposal(w)
        #expect(try w.box.realmFile(w.url, Self.contract)?.contains("models/*") == true, "the contract on main is unchanged")
        #expect(try w.box.git(["--git-dir", w.url, "rev-parse", "main~1"]) == main, "main got the record only")

        let listed = try w.box.realm(["proposals", "--fetch", "--json"], in: w.fungal)
        #expect(listed.status == 0, "\(listed)")
        let items = try #require(try w.box.json(listed)["proposals"] as? [[String: Any]])
        #expect(items.first?["name"] as? String == name)
        #expect(items.first?["ready"] as? Bool == false)
        #expect(items.first?["waiting_for"] as? [String] == ["fungal-image-analysis"])
        #expect(items.first?["grace_ends_at"] as? String != nil)
        let text = try w.box.realm(["proposals"], in: w.fungal)
        #expect(text.stdout.contains("needs the grace period (1") && text.stdout.contains(" left, until ")
                && text.stdout.contains("or an acknowledgement from fungal-image-analysis"), "\(text)")
        let status = try w.box.realm(["status"], in: w.fungal)
        #expect(status.stdout.contains("\(name) (from aperture") && status.stdout.contains("      needs the grace period ("), "status shows the countdown: \(status)")
        let version = try #require(((items.first?["contracts"] as? [[String: Any]])?.first?["version"]) as? String)

        // Landing it early: by the merge command, and by hand past the hook, both refused.
        let early = try w.box.realm(["proposals", "merge", name], in: w.aperture)
        #expect(early.status == 5 && early.stdout.contains("is not ready: needs the grace period"), "\(early)")
        let contractOnBranch = try w.box.git(["--git-dir", w.url, "show", "\(name):\(Self.contract)"])
        let byHand = try Self.push(w, as: "alice", "early") { clone in try w.box.write(clone + "/" + Self.contract, contractOnBranch) }
        #expect(byHand.status != 0 && byHand.stderr.contains("lands a change that narrows what fungal-image-analysis acknowledges before it may"), "\(byHand)")

        // After the grace period (the landing commit dated 15 days on), it lands.
        let later = ["GIT_COMMITTER_DATE": "@\(Int(Date().timeIntervalSince1970) + 15 * 86_400) +0000",
                     "GIT_REALM_NOW": "\(Int(Date().timeIntervalSince1970) + 15 * 86_400)"]
        let dryLater = try w.box.realm(["proposals", "--json"], in: w.aperture, environment: later)
        #expect((try w.box.json(dryLater)["proposals"] as? [[String: Any]])?.first?["ready"] as? Bool == true, "\(dryLater)")

        // Or, as here, when every importer acknowledges it: fungal approves (an early acknowledgement).
        let ack = try w.box.realm(["approve", name], in: w.fungal)
        #expect(ack.status == 0 && ack.stdout.contains("fungal-image-analysis approved \(name)"), "\(ack)")
        let merged = try w.box.realm(["proposals", "merge"], in: w.aperture)
        #expect(merged.status == 0 && merged.stdout.contains("Landed \(name)"), "\(merged)")
        #expect(try w.box.realmFile(w.url, Self.contract)?.contains("version: \"\(version)\"") == true, "landed")
        #expect(try w.box.git(["--git-dir", w.url, "ls-tree", "-r", "--name-only", "main", "proposals/", "approvals/"]).isEmpty, "record and approvals removed")
        #expect(try w.box.git(["--git-dir", w.url, "branch", "--list", "sync/*"]).isEmpty, "branch removed")
        let check = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal)
        #expect(check.status == 0, "\(check)")
    }

    @Test func aBreakingChangeLandsOnlyWithAnotherApproversApprovalOfExactlyItsContent() throws {
        let w = try Self.makeGoverned()
        // read becomes optional: breaking for importers of a backwards-compatible contract.
        try w.box.write("aperture/schema.yaml", SyncTests.schema.replacingOccurrences(of: "required: [read]\n", with: ""))
        try w.box.git(["commit", "-qam", "read is optional"], in: w.aperture)
        let sync = try w.box.realm(["sync"], in: w.aperture)
        #expect(sync.status == 0 && sync.stdout.contains("pending approval"), "\(sync)")
        let name = try Self.proposal(w)
        let stamp = name.split(separator: "/").last.map(String.init) ?? ""
        let record = try #require(try w.box.realmFile(w.url, "proposals/aperture/\(stamp).yaml"))

        // The owner's own approval does not count: by the command, and by hand.
        let own = try w.box.realm(["approve", name], in: w.aperture)
        #expect(own.status == 5 && own.stderr.contains("this repo's own proposal"), "\(own)")
        let files = record.components(separatedBy: "files:\n").last ?? ""
        let selfApproval = try Self.push(w, as: "alice", "self") { clone in
            try w.box.write(clone + "/approvals/aperture/\(stamp)/alice@example.com.yaml", "by: alice@example.com\nfiles:\n\(files)approved_at: now\n")
        }
        #expect(selfApproval.status != 0 && selfApproval.stderr.contains("self-approval"), "\(selfApproval)")
        // An approval in someone else's name, and one for other content.
        let forged = try Self.push(w, as: "bob", "forged") { clone in
            try w.box.write(clone + "/approvals/aperture/\(stamp)/alice@example.com.yaml", "by: alice@example.com\nfiles:\n\(files)approved_at: now\n")
        }
        #expect(forged.status != 0 && forged.stderr.contains("in the name of alice@example.com"), "\(forged)")
        let other = try Self.push(w, as: "bob", "other") { clone in
            let wrong = files.replacingOccurrences(of: #"blob: "[0-9a-f]{40}""#, with: "blob: \"\(String(repeating: "0", count: 40))\"", options: .regularExpression)
            try w.box.write(clone + "/approvals/aperture/\(stamp)/fungal-image-analysis.yaml", "by: fungal-image-analysis\nfiles:\n\(wrong)approved_at: now\n")
        }
        #expect(other.status != 0 && other.stderr.contains("approves content other than"), "\(other)")
        // Landing unapproved: the command says what it needs; by hand, the hook refuses.
        let early = try w.box.realm(["proposals", "merge", name], in: w.aperture)
        #expect(early.status == 5 && early.stdout.contains("needs approval of the breaking change to s3-permissions"), "\(early)")
        let contractOnBranch = try w.box.git(["--git-dir", w.url, "show", "\(name):\(Self.contract)"])
        let direct = try Self.push(w, as: "alice", "direct") { clone in try w.box.write(clone + "/" + Self.contract, contractOnBranch) }
        #expect(direct.status != 0 && direct.stderr.contains("lands a breaking change"), "\(direct)")

        // Another approver (fungal-image-analysis, by bob's key) approves; aperture lands it.
        let approve = try w.box.realm(["approve", "aperture", "--json"], in: w.fungal)
        #expect(approve.status == 0, "\(approve)")
        #expect(try w.box.json(approve)["by"] as? String == "fungal-image-analysis")
        let merged = try w.box.realm(["proposals", "merge", "--json"], in: w.aperture)
        #expect(merged.status == 0, "\(merged)")
        #expect(try w.box.realmFile(w.url, Self.contract)?.contains("compatible: false") == true, "landed: the breaking version's entry")
        // Every reader verifies the whole history, and fungal is told.
        let check = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal)
        #expect(check.status == 0, "\(check)")
        let status = try w.box.realm(["status"], in: w.fungal)
        #expect(status.stdout.contains("Notification from aperture"), "\(status)")
    }

    @Test func aDomainOverrideMayOnlyTighten() throws {
        let w = try TrustTests.makeWorld()
        let path = "domains/s3-access/governance.yaml"
        let loose = try Self.push(w, as: "alice", "loose") { clone in
            try w.box.write(clone + "/" + path, "breaking_changes:\n  require_approval: false\n")
        }
        #expect(loose.status != 0 && loose.stderr.contains("loosens the realm's governance (breaking_changes.require_approval: false"), "\(loose)")
        let shorter = try Self.push(w, as: "alice", "shorter") { clone in
            try w.box.write(clone + "/" + path, "breaking_changes:\n  grace_period_days: 3\n")
        }
        #expect(shorter.status != 0 && shorter.stderr.contains("grace_period_days: 3, shorter than realm.yaml's 14"), "\(shorter)")
        let tighter = try Self.push(w, as: "alice", "tighter") { clone in
            try w.box.write(clone + "/" + path, "breaking_changes:\n  grace_period_days: 30\n")
        }
        #expect(tighter.status == 0, "\(tighter)")
        // A non-approver may not write it at all.
        let bob = try Self.push(w, as: "bob", "bob-governance") { clone in
            try w.box.write(clone + "/" + path, "breaking_changes:\n  grace_period_days: 60\n")
        }
        #expect(bob.status != 0 && bob.stderr.contains("only the realm's approvers"), "\(bob)")
    }
}

extension GovernanceTests {
    /// invite-only: an approver invites a repo with its maintainers' keys; nobody else gets in,
    /// and nobody else can use the invitation.
    @Test func anInviteOnlyRealmAdmitsOnlyInvitedKeys() throws {
        let w = try TrustTests.makeWorld(admission: "invite-only")   // fungal joined by invitation
        let check = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal)
        #expect(check.status == 0, "the invited registration verifies: \(check)")

        // An uninvited repo is refused, locally and before anything is written.
        let carol = try w.box.makeRepo("carol")
        try w.box.git(["config", "user.email", "mallory@example.com"], in: carol)
        try w.box.git(["config", "user.signingkey", w.key("mallory")], in: carol)
        let uninvited = try w.box.realm(["admin", "join", w.url], in: carol)
        #expect(uninvited.status == 5 && uninvited.stderr.contains("is invite-only, and nobody invited 'carol'"), "\(uninvited)")
        #expect(uninvited.stderr.contains("git realm admin invite carol --maintainer mallory@example.com --key"), "says how: \(uninvited)")
        // A non-approver cannot invite, by the command or by hand.
        let byBob = try w.box.realm(["admin", "invite", "carol", "--maintainer", "mallory@example.com"], in: w.fungal)
        #expect(byBob.status == 5 && byBob.stderr.contains("only the realm's approvers may invite"), "\(byBob)")
        let malloryKey = try String(contentsOfFile: w.key("mallory") + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let forgedInvite = try Self.push(w, as: "bob", "forged-invite") { clone in
            try w.box.write(clone + "/invitations/carol.yaml", "repo: carol\nmaintainers: [bob@example.com]\n")
        }
        #expect(forgedInvite.status != 0 && forgedInvite.stderr.contains("only the realm's approvers may invite"), "\(forgedInvite)")
        // Registering by hand without an invitation: refused by the server.
        let byHand = try Self.push(w, as: "mallory", "squat") { clone in
            try w.box.write(clone + "/repos/carol.yaml", "name: carol\nmaintainers: [mallory@example.com]\nkeys:\n  - principal: mallory@example.com\n    key: \(malloryKey)\njoined_at: now\n")
        }
        #expect(byHand.status != 0 && byHand.stderr.contains("admission is invite-only"), "\(byHand)")

        // alice invites carol with alice-made key 'carol'; mallory cannot use the invitation.
        try w.box.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "carol", "-f", w.key("carol")])
        let carolKey = try String(contentsOfFile: w.key("carol") + ".pub", encoding: .utf8)
        let invite = try w.box.realm(["admin", "invite", "carol", "--maintainer", "carol@example.com", "--key", carolKey], in: w.aperture)
        #expect(invite.status == 0, "\(invite)")
        let notYou = try w.box.realm(["admin", "join", w.url], in: carol)
        #expect(notYou.status == 5 && notYou.stderr.contains("the invitation of 'carol' does not name you"), "\(notYou)")
        let stolen = try Self.push(w, as: "mallory", "stolen") { clone in
            try w.box.write(clone + "/repos/carol.yaml", "name: carol\nmaintainers: [mallory@example.com]\nkeys:\n  - principal: mallory@example.com\n    key: \(malloryKey)\njoined_at: now\n")
        }
        #expect(stolen.status != 0 && stolen.stderr.contains("admission is invite-only"), "\(stolen)")
        // Carol, with the invited key, gets in.
        try w.box.git(["config", "user.email", "carol@example.com"], in: carol)
        try w.box.git(["config", "user.signingkey", w.key("carol")], in: carol)
        let joined = try w.box.realm(["admin", "join", w.url], in: carol)
        #expect(joined.status == 0 && joined.stdout.contains("Created repos/carol.yaml"), "\(joined)")
        #expect(try w.box.realmFile(w.url, "invitations/carol.yaml") == nil)
    }
}

extension GovernanceTests {
    /// A repo that leaves keeps its name: in an open realm nobody else may register it again.
    @Test func aLeftRepoNameStaysItsTeams() throws {
        let w = try TrustTests.makeWorld(admission: "open")
        let left = try w.box.realm(["admin", "leave"], in: w.fungal)
        #expect(left.status == 0, "\(left)")
        #expect(try w.box.realmFile(w.url, "repos/fungal-image-analysis.yaml") == nil)
        #expect(try w.box.realmFile(w.url, "retired/fungal-image-analysis.yaml")?.contains("bob@example.com") == true)
        // mallory, by the command and by hand.
        try w.box.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "m", "-f", w.key("mallory")])
        let squatter = try w.box.makeRepo("squatter")
        try w.box.git(["config", "user.email", "mallory@example.com"], in: squatter)
        try w.box.git(["config", "user.signingkey", w.key("mallory")], in: squatter)
        let local = try w.box.realm(["admin", "join", w.url, "--as", "fungal-image-analysis"], in: squatter)
        #expect(local.status == 5 && local.stderr.contains("belonged to a repo that left"), "\(local)")
        let malloryKey = try String(contentsOfFile: w.key("mallory") + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let byHand = try Self.push(w, as: "mallory", "squat-left") { clone in
            try w.box.write(clone + "/repos/fungal-image-analysis.yaml", "name: fungal-image-analysis\nmaintainers: [mallory@example.com]\nkeys:\n  - principal: mallory@example.com\n    key: \(malloryKey)\njoined_at: now\n")
        }
        #expect(byHand.status != 0 && byHand.stderr.contains("a name retired when fungal-image-analysis left"), "\(byHand)")
        let freeing = try Self.push(w, as: "mallory", "free-name") { clone in
            try FileManager.default.removeItem(atPath: clone + "/retired/fungal-image-analysis.yaml")
        }
        #expect(freeing.status != 0, "\(freeing)")
        // bob, with his key, comes back under the same name.
        let back = try w.box.realm(["admin", "join", w.url], in: w.fungal)
        #expect(back.status == 0, "\(back)")
        #expect(try w.box.realmFile(w.url, "repos/fungal-image-analysis.yaml") != nil)
    }
}

extension GovernanceTests {
    /// trust.permissions grants roles files outside the layout; nothing else does.
    @Test func permissionsGrantFilesOutsideTheLayout() throws {
        let w = try TrustTests.makeWorld()
        let granted = try Self.push(w, as: "alice", "permissions") { clone in
            let text = try w.box.read(clone + "/realm.yaml")
            try w.box.write(clone + "/realm.yaml", text.replacingOccurrences(of: "  permissions:\n", with:
                "  permissions:\n    \"docs/**\": [members]\n    \"teams/{repo}/*.md\": [repo_maintainers]\n"))
        }
        #expect(granted.status == 0, "\(granted)")
        let docs = try Self.push(w, as: "bob", "docs") { clone in
            try FileManager.default.createDirectory(atPath: clone + "/docs/guides", withIntermediateDirectories: true)
            try w.box.write(clone + "/docs/guides/s3.md", "how we use s3\n")
        }
        #expect(docs.status == 0, "a member writes docs/**: \(docs)")
        let own = try Self.push(w, as: "bob", "team-own") { clone in
            try FileManager.default.createDirectory(atPath: clone + "/teams/fungal-image-analysis", withIntermediateDirectories: true)
            try w.box.write(clone + "/teams/fungal-image-analysis/oncall.md", "bob\n")
        }
        #expect(own.status == 0, "its own team page: \(own)")
        let other = try Self.push(w, as: "bob", "team-other") { clone in
            try FileManager.default.createDirectory(atPath: clone + "/teams/aperture", withIntermediateDirectories: true)
            try w.box.write(clone + "/teams/aperture/oncall.md", "bob\n")
        }
        #expect(other.status != 0 && other.stderr.contains("teams/aperture/oncall.md"), "another team's page: \(other)")
        let ci = try Self.push(w, as: "bob", "ci") { clone in try w.box.write(clone + "/ci.yml", "x\n") }
        #expect(ci.status != 0 && ci.stderr.contains("is outside the realm's layout"), "no entry: approvers only: \(ci)")
        let check = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.aperture)
        #expect(check.status == 0, "\(check)")
    }
}

extension GovernanceTests {
    /// For forges without hooks: CODEOWNERS from owners and maintainers, and a check that it is current.
    @Test func codeownersNamesEachFilesOwners() throws {
        let w = try TrustTests.makeWorld()
        let clone = w.box.path("realm-ci")
        try w.box.git(["clone", "--quiet", w.url, clone])
        let out = try w.box.realm(["admin", "codeowners"], in: clone)
        #expect(out.status == 0, "\(out)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("* alice@example.com"), "\(out.stdout)")
        #expect(lines.contains("/domains/s3-access/contracts/s3-permissions.yaml alice@example.com"), "\(out.stdout)")
        #expect(lines.contains("/domains/s3-access/bindings/fungal-image-analysis.yaml bob@example.com"), "\(out.stdout)")
        #expect(lines.contains("/repos/fungal-image-analysis.yaml bob@example.com"), "\(out.stdout)")
        #expect(lines.contains("/domains/s3-access/domain.yaml alice@example.com bob@example.com"), "\(out.stdout)")
        // The same from a member's fetched realm; --check says when a committed file is stale.
        let member = try w.box.realm(["admin", "codeowners", "--fetch"], in: w.fungal)
        #expect(member.stdout == out.stdout, "\(member)")
        try w.box.write(clone + "/CODEOWNERS", out.stdout)
        #expect(try w.box.realm(["admin", "codeowners", "--check", "CODEOWNERS"], in: clone).status == 0)
        try w.box.write(clone + "/CODEOWNERS", "* bob@example.com\n")
        let stale = try w.box.realm(["admin", "codeowners", "--check", "CODEOWNERS"], in: clone)
        #expect(stale.status == 1 && stale.stderr.contains("CODEOWNERS is stale"), "\(stale)")
    }
}

extension GovernanceTests {
    /// What the server's hook refuses, a member refuses too when no hook ran: each forgery,
    /// pushed to an unprotected realm, is named (commit, path, rule) by a member's fetch, and
    /// the member's usable realm does not move.
    @Test func membersRefuseWhatTheHookRefuses() throws {
        let w = try Self.makeGoverned()
        try w.box.write("aperture/schema.yaml", SyncTests.schema.replacingOccurrences(of: "required: [read]\n", with: ""))
        try w.box.git(["commit", "-qam", "read is optional"], in: w.aperture)
        #expect(try w.box.realm(["sync"], in: w.aperture).status == 0)
        let name = try Self.proposal(w)
        let stamp = name.split(separator: "/").last.map(String.init) ?? ""
        let record = try #require(try w.box.realmFile(w.url, "proposals/aperture/\(stamp).yaml"))
        let files = record.components(separatedBy: "files:\n").last ?? ""
        let branchContract = try w.box.git(["--git-dir", w.url, "show", "\(name):\(Self.contract)"])
        try FileManager.default.removeItem(atPath: w.url + "/hooks/pre-receive")
        #expect(try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal).status == 0)
        let good = try w.box.git(["--git-dir", w.url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)

        let cases: [(String, String, String, (String) throws -> Void)] = [
            ("alice", "self-approval", "approvals/aperture/\(stamp)/alice@example.com.yaml", { c in
                try w.box.write(c + "/approvals/aperture/\(stamp)/alice@example.com.yaml", "by: alice@example.com\nfiles:\n\(files)approved_at: now\n") }),
            ("bob", "in the name of alice@example.com", "approvals/aperture/\(stamp)/alice@example.com.yaml", { c in
                try w.box.write(c + "/approvals/aperture/\(stamp)/alice@example.com.yaml", "by: alice@example.com\nfiles:\n\(files)approved_at: now\n") }),
            ("bob", "approves content other than", "approvals/aperture/\(stamp)/fungal-image-analysis.yaml", { c in
                try w.box.write(c + "/approvals/aperture/\(stamp)/fungal-image-analysis.yaml", "by: fungal-image-analysis\nfiles:\n  - path: \(Self.contract)\n    blob: \"\(String(repeating: "1", count: 40))\"\napproved_at: now\n") }),
            ("alice", "lands a breaking change", Self.contract, { c in try w.box.write(c + "/" + Self.contract, branchContract) }),
            ("alice", "loosens the realm's governance", "domains/s3-access/governance.yaml", { c in
                try w.box.write(c + "/domains/s3-access/governance.yaml", "breaking_changes:\n  require_approval: false\n") }),
            ("bob", "records a proposal in the name of aperture", "proposals/aperture/20990101-000000.yaml", { c in
                try w.box.write(c + "/proposals/aperture/20990101-000000.yaml", record.replacingOccurrences(of: stamp, with: "20990101-000000")) }),
        ]
        for (who, rule, path, edit) in cases {
            let pushed = try Self.push(w, as: who, "reader-\(rule.prefix(8).replacingOccurrences(of: " ", with: "-"))", edit)
            #expect(pushed.status == 0, "no hook: the host takes anything: \(pushed)")
            let forged = try w.box.git(["--git-dir", w.url, "rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let member = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.fungal)
            #expect(member.status != 0, "\(rule): \(member)")
            #expect(member.output.contains("realm commit \(forged.prefix(12))") && member.output.contains(path) && member.output.contains(rule),
                    "names the commit, the path and the rule: \(member)")
            #expect(try w.box.git(["rev-parse", "refs/realm/letemcook/main"], in: w.fungal).trimmingCharacters(in: .whitespacesAndNewlines) == good,
                    "the usable realm did not move")
            // Put the realm back for the next case (no hook: a force push is taken).
            try w.box.git(["--git-dir", w.url, "update-ref", "refs/heads/main", good])
        }
    }
}

extension GovernanceTests {
    /// What the governance attack review found (docs/trust.md), each refused now.
    @Test func governanceAttackReviewFindingsAreRefused() throws {
        let w = try Self.makeGoverned()   // approvers: alice (approver key) and fungal-image-analysis
        // An approver's email claimed through a repo key: bob lists his own key under alice's
        // address in his own repo file, then signs an approval as alice: no approver key, no approval.
        let bobKey = try String(contentsOfFile: w.key("bob") + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let claimed = try Self.push(w, as: "bob", "claim-alice") { c in
            let path = c + "/repos/fungal-image-analysis.yaml"
            try w.box.write(path, try w.box.read(path).replacingOccurrences(of: "keys:\n", with: "keys:\n  - principal: alice@example.com\n    key: \(bobKey)\n"))
        }
        #expect(claimed.status == 0, "his own file: \(claimed)")
        try w.box.write("aperture/schema.yaml", SyncTests.schema.replacingOccurrences(of: "required: [read]\n", with: ""))
        try w.box.git(["commit", "-qam", "read is optional"], in: w.aperture)
        #expect(try w.box.realm(["sync"], in: w.aperture).status == 0)
        let name = try Self.proposal(w)
        let stamp = name.split(separator: "/").last.map(String.init) ?? ""
        let record = try #require(try w.box.realmFile(w.url, "proposals/aperture/\(stamp).yaml"))
        let files = record.components(separatedBy: "files:\n").last ?? ""
        let clone = w.box.path("as-alice")
        try w.box.git(["clone", "--quiet", w.url, clone])
        try w.box.write(clone + "/approvals/aperture/\(stamp)/alice@example.com.yaml", "by: alice@example.com\nfiles:\n\(files)approved_at: now\n")
        try w.box.git(["add", "-A"], in: clone)
        _ = try w.box.run("git", ["-c", "user.name=alice", "-c", "user.email=alice@example.com", "-c", "gpg.format=ssh",
                                  "-c", "user.signingkey=\(w.key("bob"))", "commit", "-S", "--quiet", "-m", "approve as alice"], in: clone)
        let asAlice = try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
        #expect(asAlice.status != 0 && asAlice.stderr.contains("in the name of alice@example.com"), "\(asAlice)")

        // A second proposal of the same repo (a flood hiding the real one): refused.
        let second = try Self.push(w, as: "alice", "second-proposal") { c in
            try w.box.write(c + "/proposals/aperture/20990101-000000.yaml", record.replacingOccurrences(of: stamp, with: "20990101-000000"))
        }
        #expect(second.status != 0 && second.stderr.contains("a repo has one proposal at a time"), "\(second)")

        // A branch whose content is not what its record names (reviewers would diff one thing
        // and approve another): refused by the server, and not listed by members.
        let branchClone = w.box.path("other-content")
        try w.box.git(["clone", "--quiet", w.url, branchClone])
        let contract = branchClone + "/" + Self.contract
        try w.box.write(contract, try w.box.read(contract).replacingOccurrences(of: "write: []", with: "write: [\"*\"]"))
        #expect(try w.commitInRealm(branchClone, as: "alice", key: "alice", message: "other content").status == 0)
        let otherContent = try w.box.run("git", ["push", "--force", "origin", "HEAD:refs/heads/\(name)"], in: branchClone)
        #expect(otherContent.status != 0 && otherContent.stderr.contains("changes contract files other than its record"), "\(otherContent)")

        // Extreme dates: refused with a message, never a crash.
        let dated = w.box.path("dated")
        try w.box.git(["clone", "--quiet", w.url, dated])
        let binding = dated + "/domains/s3-access/bindings/aperture.yaml"
        try w.box.write(binding, try w.box.read(binding) + "# dated\n")
        try w.box.git(["add", "-A"], in: dated)
        _ = try w.box.run("git", ["-c", "user.name=alice", "-c", "user.email=alice@example.com", "commit", "-S", "--quiet", "-m", "far"],
                          in: dated, environment: ["GIT_COMMITTER_DATE": "@253402300800 +0000", "GIT_AUTHOR_DATE": "@253402300800 +0000"])
        let farPush = try w.box.run("git", ["push", "origin", "HEAD:main"], in: dated)
        #expect(farPush.status != 0 && farPush.stderr.contains("outside the years 1970-9999"), "\(farPush)")
        let future = try w.box.run("git", ["-c", "user.name=alice", "-c", "user.email=alice@example.com", "commit", "--amend", "-S", "--quiet", "-m", "next year"],
                                   in: dated, environment: ["GIT_COMMITTER_DATE": "@\(Int(Date().timeIntervalSince1970) + 365 * 86_400) +0000"])
        #expect(future.status == 0, "\(future)")
        let futurePush = try w.box.run("git", ["push", "origin", "HEAD:main"], in: dated)
        #expect(futurePush.status != 0 && futurePush.stderr.contains("in the future of this clock"), "\(futurePush)")
    }

    /// Deleting a contract others import (or moving it to another domain) breaks them: approvers only.
    @Test func deletingAnImportedContractTakesAnApprover() throws {
        let w = try TrustTests.makeWorld(admission: "open")   // alice: aperture and approver; bob: fungal-image-analysis
        let viewer = try w.box.makeRepo("viewer")
        #expect(try w.box.realm(["admin", "join", w.url], in: viewer).status == 0)
        let made = try w.box.realm(["admin", "domain", "create", "bobs", "--repos", "fungal-image-analysis,viewer",
                                    "--contract", "bobs-c", "--owner", "fungal-image-analysis"], in: w.fungal)
        #expect(made.status == 0, "\(made)")
        let path = "domains/bobs/contracts/bobs-c.yaml"
        let deleted = try Self.push(w, as: "bob", "delete-imported") { c in try FileManager.default.removeItem(atPath: c + "/" + path) }
        #expect(deleted.status != 0 && deleted.stderr.contains("deletes contract bobs-c, which viewer imports: only the realm's approvers"), "\(deleted)")
        let moved = try Self.push(w, as: "bob", "move-imported") { c in
            try FileManager.default.createDirectory(atPath: c + "/domains/s3-access/contracts", withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: c + "/" + path, toPath: c + "/domains/s3-access/contracts/bobs-c.yaml")
        }
        #expect(moved.status != 0 && moved.stderr.contains("deletes contract bobs-c"), "\(moved)")
        // Leaving with --force would delete it too: refused before anything is written.
        let before = try w.box.git(["--git-dir", w.url, "rev-parse", "main"])
        let leave = try w.box.realm(["admin", "leave", "--force"], in: w.fungal)
        #expect(leave.status == 5 && leave.stderr.contains("which only the realm's approvers may do"), "\(leave)")
        #expect(try w.box.git(["--git-dir", w.url, "rev-parse", "main"]) == before, "nothing written")
    }
}
