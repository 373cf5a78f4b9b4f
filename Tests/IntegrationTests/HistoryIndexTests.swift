import Foundation
import Testing

/// Which versions a contract has had is a cache under git's directory
/// (`git-realm/history/<domain>/<contract>`, docs/architecture.md). An importer at the newest
/// version reads only its head, so its commands cost the same however long the history
/// (scripts/benchmark-history.sh); and the cache never changes what a command says.
@Suite struct HistoryIndexTests {
    static let index = "fungal-image-analysis/.git/git-realm/history/s3-access/s3-permissions"

    /// What fungal's status says about its imports, contracts and notifications (times left out).
    private func view(_ box: Sandbox, _ fungal: String, fetch: Bool = false) throws -> String {
        let r = try box.realm(["status", "--json"] + (fetch ? ["--fetch"] : []), in: fungal)
        #expect(r.status == 0, "\(r)")
        let json = try box.json(r)
        let notifications = (json["notifications"] as? [[String: Any]] ?? []).map { $0.filter { $0.key != "age_seconds" } }
        let kept: [String: Any] = ["import_status": json["import_status"] ?? [], "domains": json["domains"] ?? [],
                                   "notifications": notifications, "warnings": json["warnings"] ?? []]
        return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The import's status and newest version, the contract's version as listed, and the
    /// import's value changes from what it acknowledged to the newest.
    private func importStatus(_ view: String) -> (status: String, newest: String, listed: String, changes: [String]) {
        let json = (try? JSONSerialization.jsonObject(with: Data(view.utf8))) as? [String: Any] ?? [:]
        let state = (json["import_status"] as? [[String: Any]])?.first ?? [:]
        let contract = ((json["domains"] as? [[String: Any]])?.first?["contracts"] as? [[String: Any]])?.first ?? [:]
        return (state["status"] as? String ?? "", state["newest_version"] as? String ?? "", contract["version"] as? String ?? "",
                state["changes"] as? [String] ?? [])
    }

    /// Status says the same with the index brought up to date, read warm, removed, and left by an
    /// older git-realm (format v1): through a stale import, an acknowledgement, a version lower
    /// than one published before, and a newer one.
    @Test func theIndexNeverChangesWhatStatusSays() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        let steps: [(String, () throws -> Void, (status: String, newest: String, listed: String))] = [
            ("as joined", {}, ("current", "1.0.0", "1.0.0")),
            ("1.5.0 published", { try box.publishS3(url, version: "1.5.0", read: ["jobs/*/masks/*", "a/*"]) }, ("stale", "1.5.0", "1.5.0")),
            ("1.5.0 acknowledged", { try box.acknowledgeByHand(url, version: "1.5.0") }, ("current", "1.5.0", "1.5.0")),
            // The contract now says 1.2.0, but 1.5.0 was published: still the newest its range accepts.
            ("1.2.0 published after 1.5.0", { try box.publishS3(url, version: "1.2.0", read: ["jobs/*/masks/*"]) }, ("current", "1.5.0", "1.2.0")),
            ("1.6.0 published", { try box.publishS3(url, version: "1.6.0", read: ["jobs/*/masks/*", "b/*"]) }, ("stale", "1.6.0", "1.6.0")),
        ]
        for (name, step, expected) in steps {
            try step()
            let fetched = try view(box, fungal, fetch: true)
            let got = importStatus(fetched)
            #expect(got.status == expected.status && got.newest == expected.newest && got.listed == expected.listed,
                    "\(name): \(got) in \(fetched)")
            #expect(got.status == "current" ? got.changes.isEmpty : !got.changes.isEmpty, "\(name): \(got.changes)")
            if name == "1.6.0 published" {
                // From what it acknowledged (1.5.0, which read a/*), not from nothing.
                #expect(got.changes.joined().contains("a/*"), "\(name): \(got.changes)")
            }
            #expect(try view(box, fungal) == fetched, "\(name): warm")
            try FileManager.default.removeItem(atPath: box.path(Self.index))
            #expect(try view(box, fungal) == fetched, "\(name): rebuilt")
            #expect(try box.read(Self.index).hasPrefix("git-realm history index v2\n"))
            try box.write(Self.index, "git-realm history index v1\ntip \(try box.git(["rev-parse", "refs/realm/letemcook/main"], in: fungal))")
            #expect(try view(box, fungal) == fetched, "\(name): after an older format")
        }
    }

    /// An importer at the newest version reads the index's head and nothing after it: rows
    /// made unreadable change nothing. Once a newer version is published, the rows are needed
    /// and rebuilt.
    @Test func anImporterAtTheNewestVersionReadsOnlyTheHead() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        try box.publishS3(url, version: "1.5.0", read: ["jobs/*/masks/*", "a/*"])
        try box.acknowledgeByHand(url, version: "1.5.0")
        #expect(importStatus(try view(box, fungal, fetch: true)).status == "current")
        let head = try box.read(Self.index).split(separator: "\n", omittingEmptySubsequences: false).prefix(4)
        #expect(head.count == 4 && head[2].hasSuffix(" 1.5.0 aperture") && head[3].hasSuffix(" s3-permissions aperture 1.5.0"),
                "\(head)")
        try box.write(Self.index, head.joined(separator: "\n") + "\nnot a row\n")
        let warm = try box.realm(["status"], in: fungal)
        #expect(warm.status == 0 && !warm.stdout.contains("stale"), "\(warm)")
        let sync = try box.realm(["sync", "--dry-run"], in: fungal)
        #expect(sync.status == 0, "\(sync)")
        #expect(try box.read(Self.index).hasSuffix("\nnot a row\n"), "the rows were not read")

        try box.publishS3(url, version: "1.6.0", read: ["jobs/*/masks/*", "b/*"])
        let stale = importStatus(try view(box, fungal, fetch: true))
        #expect(stale.status == "stale" && stale.newest == "1.6.0", "\(stale)")
        let rebuilt = try box.read(Self.index)
        let rows = rebuilt.split(separator: "\n").dropFirst(4)
        #expect(!rebuilt.contains("not a row") && rows.allSatisfy { $0.split(separator: " ").count == 4 }, "\(rebuilt)")
        #expect(rows.last?.hasSuffix(" 1.6.0 aperture") == true && rows.contains { $0.hasSuffix(" 1.5.0 aperture") }, "\(rebuilt)")
    }

    /// What the head says of the contract at the tip holds for that tip only: a contract made
    /// unreadable after it was indexed is read, and refused naming the file.
    @Test func aContractBrokenAfterIndexingIsStillRefused() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        #expect(importStatus(try view(box, fungal, fetch: true)).status == "current")
        try box.editRealmByHand(url, message: "broken") { clone in
            try box.write(clone + "/" + Sandbox.s3Contract, "name: s3-permissions\nversion: \"1.0.0\"\nowner: aperture\nschema: 5\n")
        }
        let status = try box.realm(["status", "--fetch"], in: fungal)
        #expect(status.status != 0, "\(status)")
        #expect(status.output.contains(Sandbox.s3Contract), "\(status)")
        let again = try box.realm(["status"], in: fungal)
        #expect(again.status != 0 && again.output.contains(Sandbox.s3Contract), "\(again)")
    }
}
