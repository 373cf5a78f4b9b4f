import Testing
@testable import RealmModel

/// `changes/<name>.yaml` and the order `push` (and later `pr`) acts in.
@Suite struct ChangeRecordTests {
    static let base = String(repeating: "a", count: 40)

    @Test func aRecordRoundTripsAndRefusesPaths() throws {
        let record = ChangeRecord(name: "training-metrics-v2", branch: "feat/training-metrics-v2",
                                  repos: [.init(repo: "aperture", base: Self.base)], createdBy: "a@example.com", createdAt: "2026-11-27T00:00:00Z")
        let text = RealmFiles.encode(record)
        #expect(try RealmFiles.decode(ChangeRecord.self, text: text, path: "changes/x.yaml").value == record)
        #expect(RealmFiles.encode(try RealmFiles.decode(ChangeRecord.self, text: text, path: "changes/x.yaml").value) == text)
        let hostile = "name: x\nbranch: feat/x\nrepos:\n  - repo: ../../etc\n    base: \"\(Self.base)\"\n"
        #expect(throws: ModelError.self) { try RealmFiles.decode(ChangeRecord.self, text: hostile, path: "changes/x.yaml") }
        let badBase = "name: x\nbranch: feat/x\nrepos:\n  - repo: a\n    base: \"HEAD; rm -rf\"\n"
        #expect(throws: ModelError.self) { try RealmFiles.decode(ChangeRecord.self, text: badBase, path: "changes/x.yaml") }
    }

    @Test func namesAreBranchAndPathSafe() {
        for good in ["x", "training-metrics-v2", "v1.2_fix", "RFC-12"] { #expect(ChangeRecord.isValidName(good), "\(good)") }
        for bad in ["", "../x", "a/b", "a..b", "-a", "a-", ".a", "a.lock", "a b", "a~1", "a^", "a:b", "a--b", String(repeating: "a", count: 65)] {
            #expect(!ChangeRecord.isValidName(bad), "\(bad)")
        }
    }

    @Test func orderPutsExportersFirstThenNames() {
        // zeta -> mid -> alpha (through a repo outside the change), and beta on its own.
        let graph = DependencyGraph(nodes: ["alpha", "beta", "mid", "zeta"],
                                    edges: [.init(from: "zeta", to: "mid", domain: "d1"), .init(from: "mid", to: "alpha", domain: "d2")])
        #expect(graph.order(of: ["alpha", "zeta", "beta"]) == ["beta", "zeta", "alpha"])
        #expect(graph.order(of: ["alpha", "unknown", "zeta"]) == ["zeta", "alpha", "unknown"])
    }
}
