import Testing
import RealmSupport
@testable import RealmCore

/// What a member accepts as a session record (docs/awareness.md): everything in it came from the
/// realm remote, so it is read bounded and validated.
@Suite struct SessionRecordTests {
    static let good = SessionRecord(repo: "aperture", user: "bob@example.com", email: "bob@example.com", change: "training-metrics-v2",
                                    domains: ["s3-access"], exports: ["s3-permissions"], startedAt: 1_800_000_000,
                                    lastActivity: 1_800_000_600, ttl: 7200)

    @Test func roundTripsThroughItsCommitMessage() throws {
        let decoded = try SessionRecord.decode(message: Self.good.message)
        #expect(decoded == Self.good)
        #expect(Self.good.message.hasPrefix("git-realm session: aperture bob@example.com\n\n{"))
    }

    @Test func idleAndPrunableFollowItsOwnTTL() {
        #expect(!Self.good.isIdle(at: 1_800_000_600 + 7200))
        #expect(Self.good.isIdle(at: 1_800_000_600 + 7201))
        #expect(!Self.good.isPrunable(at: 1_800_000_600 + 7300, margin: 600), "a pruner leaves clocks a margin")
        var stopped = Self.good
        stopped.stopped = true
        #expect(stopped.isIdle(at: 0) && stopped.isPrunable(at: 0))
    }

    @Test func userIDsAreRefComponents() {
        #expect(SessionRecord.userID(email: "Bob.Smith+x@Example.com") == "bob.smith+x@example.com")
        #expect(SessionRecord.userID(email: "a b/c:d") == "a=20b=2fc=3ad")
        // Two emails never share an id (a session ref each).
        #expect(SessionRecord.userID(email: "a'b@x") == "a=27b@x")
        #expect(SessionRecord.userID(email: "a-b@x") == "a-b@x")
        #expect(SessionRecord.userID(email: "é@x") == "=c3=a9@x")
        #expect(SessionRecord.userID(email: "") == nil)
        #expect(SessionRecord.userID(email: ".hidden") == nil)
        #expect(SessionRecord.userID(email: "a..b") == nil)
        #expect(SessionRecord.userID(email: "x.lock") == nil)
        #expect(SessionRecord.userID(email: String(repeating: "a", count: 65)) == nil)
    }

    @Test func refusesWhatIsNotAValidRecord() {
        func refused(_ edit: (inout String) -> Void) -> Bool {
            var text = Self.good.message
            edit(&text)
            return (try? SessionRecord.decode(message: text)) == nil
        }
        #expect(refused { $0 = "hello" })
        #expect(refused { $0 = $0.replacingAll("\"v\":1", with: "\"v\":2") })
        #expect(refused { $0 = $0.replacingAll("training-metrics-v2", with: "\u{1b}[2J") }, "a control character")
        #expect(refused { $0 = $0.replacingAll("training-metrics-v2", with: "../../etc") })
        #expect(refused { $0 = $0.replacingAll("\"user\":\"bob@example.com\"", with: "\"user\":\"alice@example.com\"") },
                "the user is the id of its email")
        #expect(refused { $0 = $0.replacingAll("\"ttl\":7200", with: "\"ttl\":1") })
        #expect(refused { $0 = $0.replacingAll("\"ttl\":7200", with: "\"ttl\":99999999999") })
        #expect(refused { $0 = $0.replacingAll("\"state\":\"active\"", with: "\"state\":\"zombie\"") })
        #expect(refused { $0 += String(repeating: " ", count: 9000) }, "oversized")
        #expect(refused { $0 = $0.replacingAll("[\"s3-access\"]", with: "[" + Array(repeating: "\"d\"", count: 40).joined(separator: ",") + "]") })
        #expect(refused { $0 = $0.replacingAll("2027-01-15T08:10:00Z", with: "2027-01-15T07:00:00Z") }, "last activity before start")
    }
}
