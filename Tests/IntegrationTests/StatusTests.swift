import Foundation
import Testing

/// What `git realm status` tells each side: notifications, local export drift, stale and
/// broken imports, pending sync branches, acknowledgements, and how old its view is.
@Suite struct StatusTests {
    /// aperture published s3-permissions 1.5.0 and notified fungal; a breaking 2.0.0 waits on
    /// a sync branch.
    private func publishedScenario() throws -> (box: Sandbox, realm: String, aperture: String, fungal: String) {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        try box.publishS3(url, version: "1.5.0", read: ["jobs/*/masks/*", "training-metrics/experiments/*"])
        try box.addRealmNote(url, Sandbox.notificationLine(to: "fungal-image-analysis", version: "1.5.0",
                                                           changes: ["+ training-metrics/experiments/*"]))
        // A sync branch made by hand, as `sync` makes them for changes awaiting approval.
        let clone = box.path("realm-sync-branch")
        try box.git(["clone", "--quiet", url, clone])
        try box.write("realm-sync-branch/" + Sandbox.s3Contract,
                      Sandbox.s3ContractText(version: "2.0.0", read: ["training-metrics/*"]))
        try box.git(["commit", "--quiet", "-am", "aperture: s3-permissions 2.0.0 (breaking)"], in: clone)
        try box.git(["push", "--quiet", "origin", "HEAD:refs/heads/sync/aperture/20260101-000000"], in: clone)
        return (box, url, aperture, fungal)
    }

    /// status reads only this repo's part of the realm, finding its domains through the binding
    /// index (refs/realm/<realm>/index), which follows every change of the realm's domains.
    @Test func domainsOfThisRepoFollowTheRealmThroughTheIndex() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeScenario()
        // Enough domains for the index to be worth keeping (BindingIndex.minimumDomains), none
        // of them fungal's.
        try box.editRealmByHand(url, message: "70 more domains") { clone in
            for i in 0..<70 {
                try box.write("\(clone)/domains/filler-\(i)/domain.yaml",
                              "name: filler-\(i)\ndescription: filler\ncreated_at: 2026-01-01T00:00:00Z\nmembers: [aperture]\n")
                try box.write("\(clone)/domains/filler-\(i)/bindings/aperture.yaml", "repo: aperture\nrole: provider\n")
            }
        }
        func domains() throws -> [String] {
            let status = try box.realm(["status", "--fetch", "--json"], in: fungal)
            #expect(status.status == 0, "\(status)")
            let list = try box.json(status)["domains"] as? [[String: Any]] ?? []
            return list.compactMap { $0["name"] as? String }.sorted()
        }
        #expect(try domains() == ["s3-access"])
        let index = try box.git(["cat-file", "-p", "refs/realm/letemcook/index"], in: fungal)
        #expect(index.hasPrefix("git-realm binding index 1\ndomains "), "\(index)")
        #expect(index.hasSuffix("repo fungal-image-analysis\ndomain s3-access\n"), "\(index)")

        // A new domain with fungal in it: a new domains/ tree, so the index is rebuilt.
        let more = try box.realm(["admin", "domain", "create", "image-api", "--repos", "aperture,fungal-image-analysis",
                                  "--contract", "image-endpoints"], in: aperture)
        #expect(more.status == 0, "\(more)")
        #expect(try domains() == ["image-api", "s3-access"])
        // Removed by hand in the realm: gone from status too.
        try box.editRealmByHand(url) { clone in
            try FileManager.default.removeItem(atPath: clone + "/domains/image-api/bindings/fungal-image-analysis.yaml")
        }
        #expect(try domains() == ["s3-access"])
        // The index is derived state: without it, status reads the long way and writes it again.
        try box.git(["update-ref", "-d", "refs/realm/letemcook/index"], in: fungal)
        #expect(try domains() == ["s3-access"])
        #expect(try box.run("git", ["rev-parse", "--verify", "-q", "refs/realm/letemcook/index"], in: fungal).status == 0)
    }

    @Test func importerSeesNotificationStaleImportAndSyncBranch() throws {
        let (box, _, _, fungal) = try publishedScenario()
        let status = try box.realm(["status", "--fetch"], in: fungal, environment: Sandbox.fiveMinutesLater)
        #expect(status.status == 0, "\(status)")
        let out = status.stdout
        #expect(out.contains("🔔 Notification from aperture (5 min ago): Contract 's3-permissions' updated to 1.5.0"), "\(out)")
        #expect(out.contains("   + training-metrics/experiments/*"))
        #expect(out.contains("Your import (>=1.0.0, <2.0.0) is still satisfied."))
        #expect(out.contains("⚠️ Stale imports:"))
        #expect(out.contains("s3-permissions: 1.0.0 → 1.5.0 available"))
        #expect(out.contains("⏳ Pending sync branches"))
        #expect(out.contains("sync/aperture/20260101-000000 (from aperture, 2026-01-01T00:00:00Z): aperture: s3-permissions 2.0.0 (breaking)"), "\(out)")
        #expect(out.contains("Imports: s3-permissions from aperture >=1.0.0, <2.0.0, resolved 1.0.0, stale"))

        let json = try box.json(try box.realm(["status", "--json"], in: fungal, environment: Sandbox.fiveMinutesLater))
        let notifications = try #require(json["notifications"] as? [[String: Any]])
        #expect(notifications.count == 1)
        #expect(notifications.first?["from"] as? String == "aperture")
        #expect(notifications.first?["version"] as? String == "1.5.0")
        #expect(notifications.first?["age_seconds"] as? Int == 300)
        #expect(notifications.first?["satisfied"] as? Bool == true)
        let imports = try #require(json["import_status"] as? [[String: Any]])
        #expect(imports.first?["status"] as? String == "stale")
        #expect(imports.first?["newest_version"] as? String == "1.5.0")
        let domain = try #require((json["domains"] as? [[String: Any]])?.first)
        let entry = try #require((domain["imports"] as? [[String: Any]])?.first)
        #expect(entry["status"] as? String == "stale")
        #expect(entry["recorded_status"] as? String == "current")
        let branches = try #require(json["sync_branches"] as? [[String: Any]])
        #expect(branches.first?["repo"] as? String == "aperture")
        #expect(branches.first?["stamp"] as? String == "20260101-000000")
        #expect(branches.first?["concerns_you"] as? Bool == true)
        #expect((json["realm"] as? [String: Any])?["fetch_is_old"] as? Bool == false)

        // An acknowledgement line alone (anyone may write notes) changes nothing...
        let url = try #require(try box.realmURL(fungal))
        try box.addRealmNote(url, Sandbox.acknowledgementLine(from: "fungal-image-analysis", version: "1.5.0"))
        let forged = try box.realm(["status", "--fetch"], in: fungal)
        #expect(forged.stdout.contains("🔔"), "\(forged)")
        // ...once fungal acknowledges 1.5.0 in its binding, the notification is gone.
        try box.acknowledgeByHand(url, version: "1.5.0")
        let after = try box.realm(["status", "--fetch"], in: fungal)
        #expect(!after.stdout.contains("🔔"), "\(after)")
    }

    /// Renaming every entry of a 20,000-entry list: the value diff was quadratic (22 s in
    /// `status`); now it is linear and shows at most Limits.valueDiffLines (200) lines.
    @Test func hugeListRenameIsDiffedLinearlyAndCapped() throws {
        let box = try Sandbox()
        let (url, aperture, _) = try box.makeExportScenario()
        let count = 20_000
        try box.publishS3(url, version: "1.5.0", read: (0..<count).map { "old/\($0)/*" })
        try box.write("aperture/config/s3.yaml",
                      "read: [" + (0..<count).map { "new/\($0)/*" }.joined(separator: ", ") + "]\nwrite: []\n")
        let json = try box.json(try box.realm(["status", "--fetch", "--json"], in: aperture))
        let drift = try #require((json["export_drift"] as? [[String: Any]])?.first)
        let changes = try #require(drift["changes"] as? [String])
        #expect(changes.count == 201)
        #expect(changes.first == "+ new/0/*")
        #expect(changes[199] == "+ new/199/*")
        #expect(changes.last == "... and \(2 * count - 200) more")
    }

    @Test func exporterSeesLocalDriftAndAcknowledgements() throws {
        let (box, url, aperture, _) = try publishedScenario()
        try box.write("aperture/config/s3.yaml",
                      "read: [jobs/*/masks/*, training-metrics/experiments/*, training-metrics/runs/*]\nwrite: []\n")
        let status = try box.realm(["status", "--fetch"], in: aperture)
        #expect(status.status == 0, "\(status)")
        let out = status.stdout
        #expect(out.contains("""
        ⚠️ Contract change detected:
           s3-permissions has local changes:
             + training-metrics/runs/*
           Affected repos:
             - fungal-image-analysis (imports >=1.0.0, <2.0.0)
           Run 'git realm sync' to update realm
        """), "\(out)")
        #expect(out.contains("⏳ fungal-image-analysis has not acknowledged s3-permissions 1.5.0 yet"), "\(out)")
        #expect(out.contains("sync/aperture/20260101-000000 (yours"))

        try box.acknowledgeByHand(url, version: "1.5.0")
        let acked = try box.realm(["status", "--fetch"], in: aperture)
        #expect(acked.stdout.contains("fungal-image-analysis acknowledged s3-permissions 1.5.0"), "\(acked)")
        #expect(!acked.stdout.contains("has not acknowledged"))

        let json = try box.json(try box.realm(["status", "--json"], in: aperture))
        let drift = try #require((json["export_drift"] as? [[String: Any]])?.first)
        #expect(drift["contract"] as? String == "s3-permissions")
        #expect(drift["changes"] as? [String] == ["+ training-metrics/runs/*"])
        let affected = try #require(drift["affected"] as? [[String: Any]])
        #expect(affected.first?["repo"] as? String == "fungal-image-analysis")
        #expect(affected.first?["version"] as? String == ">=1.0.0, <2.0.0")
        let acks = try #require((json["acknowledgements"] as? [[String: Any]])?.first)
        #expect(acks["version"] as? String == "1.5.0")
        #expect((acks["acknowledged"] as? [[String: Any]])?.first?["repo"] as? String == "fungal-image-analysis")
        #expect((acks["pending"] as? [[String: Any]])?.isEmpty == true)

        // Nothing changed locally: no drift.
        try box.git(["checkout", "--", "config/s3.yaml"], in: aperture)
        try box.write("aperture/config/s3.yaml", "read: [jobs/*/masks/*, training-metrics/experiments/*]\nwrite: []\n")
        let clean = try box.realm(["status"], in: aperture)
        #expect(!clean.stdout.contains("Contract change detected"), "\(clean)")
    }

    @Test func aLaterAcknowledgementCoversEarlierNotifications() throws {
        let (box, url, _, fungal) = try publishedScenario()
        try box.publishS3(url, version: "1.6.0", read: ["jobs/*/masks/*", "training-metrics/*"])
        try box.addRealmNote(url, Sandbox.notificationLine(to: "fungal-image-analysis", version: "1.6.0", previous: "1.5.0",
                                                           changes: ["+ training-metrics/*"]))
        let both = try box.json(try box.realm(["status", "--fetch", "--json"], in: fungal))
        #expect((both["notifications"] as? [[String: Any]])?.map { $0["version"] as? String } == ["1.5.0", "1.6.0"])
        // Shown as one entry about the contract (the newest version, the changes of both), or each with --all.
        let text = try box.realm(["status"], in: fungal).stdout
        #expect(text.components(separatedBy: "🔔").count == 2, "\(text)")
        #expect(text.contains("Contract 's3-permissions' updated to 1.6.0 (2 versions since 1.0.0)")
                && text.contains("+ training-metrics/*"), "\(text)")
        let each = try box.realm(["status", "--all"], in: fungal).stdout
        #expect(each.components(separatedBy: "🔔").count == 3 && each.contains("updated to 1.5.0") && each.contains("updated to 1.6.0"), "\(each)")
        try box.acknowledgeByHand(url, version: "1.6.0")
        let none = try box.json(try box.realm(["status", "--fetch", "--json"], in: fungal))
        #expect((none["notifications"] as? [[String: Any]])?.isEmpty == true)
    }

    @Test func saysHowOldTheStateIsWhenTheFetchIsOldOrFails() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        #expect(try box.realm(["status", "--fetch"], in: fungal).status == 0)
        let threeDaysLater = String(Int(Date().timeIntervalSince1970) + 3 * 86_400 + 60)
        let old = try box.realm(["status"], in: fungal, environment: ["GIT_REALM_NOW": threeDaysLater])
        #expect(old.stdout.contains("⚠️  the realm was last fetched 3 days ago"), "\(old)")
        let oldJSON = try box.json(try box.realm(["status", "--json"], in: fungal, environment: ["GIT_REALM_NOW": threeDaysLater]))
        #expect((oldJSON["realm"] as? [String: Any])?["fetch_is_old"] as? Bool == true)

        try FileManager.default.moveItem(atPath: url, toPath: url + ".away")
        let failed = try box.realm(["status", "--fetch"], in: fungal, environment: ["GIT_REALM_NOW": threeDaysLater])
        #expect(failed.status == 0, "\(failed)")
        #expect(failed.stderr.contains("warning: fetch failed, showing the state fetched 3 days ago: cannot fetch realm 'letemcook'"), "\(failed)")
        #expect(failed.stdout.contains("Domains:"))
    }
}

extension Sandbox {
    /// The realm URL recorded in a participant's `.gitrealm`.
    func realmURL(_ repo: String) throws -> String? {
        let r = try run("git", ["config", "-f", ".gitrealm", "realm.url"], in: repo)
        return r.status == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
