import Foundation
import Testing

/// Attacks on what landed with sessions, watch, the git-native forge, the cache, more than one
/// realm and the history index's head, by a hostile realm writer or remote: each test is one
/// attack that once worked, and asserts what the user sees now.
@Suite struct AttackTests {
    /// The import's status and reason as `status --json` reports them.
    private func importState(_ box: Sandbox, _ fungal: String) throws -> (status: String, reason: String) {
        let r = try box.realm(["status", "--fetch", "--json"], in: fungal)
        #expect(r.status == 0 || r.status == 1, "\(r)")
        let state = (try box.json(r)["import_status"] as? [[String: Any]])?.first ?? [:]
        return (state["status"] as? String ?? "", state["reason"] as? String ?? "")
    }

    /// A contract file deleted, and another file of the domain whose `name:` field says it is
    /// that contract: status read "is the contract there" from the names inside the files it
    /// listed, so the import stayed `current` (sync, reading the file itself, says broken).
    @Test func aDecoyFileNamedLikeADeletedContractDoesNotKeepItsImportCurrent() throws {
        let box = try Sandbox()
        let (url, _, fungal) = try box.makeExportScenario()
        #expect(try importState(box, fungal).status == "current")
        try box.editRealmByHand(url, message: "decoy") { clone in
            let real = clone + "/" + Sandbox.s3Contract
            let text = try box.read(real)
            try FileManager.default.removeItem(atPath: real)
            try box.write(clone + "/domains/s3-access/contracts/decoy.yaml", text)
        }
        let state = try importState(box, fungal)
        #expect(state.status == "broken" && state.reason.contains("no longer exists"), "\(state)")
        let synced = try box.realm(["sync"], in: fungal)
        #expect(synced.stdout.contains("s3-permissions: broken, contract 's3-permissions' no longer exists"), "\(synced)")
    }
}
