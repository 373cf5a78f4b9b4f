import Testing
import RealmGit
import RealmLimits
@testable import RealmCore

/// A realm writer may notify without end: status shows the newest notifications, oldest first,
/// and says how many older ones it left out.
@Suite struct NotificationsTests {
    static func notification(version: String, at: String) -> IncomingNotification {
        IncomingNotification(
            record: NotificationRecord(kind: .notification, domain: "s3-access", contract: "s3-permissions",
                                       from: "aperture", to: "fungal", version: version, at: at),
            realmCommit: OID(hex: String(repeating: "a", count: 40))!, acknowledged: false, superseded: false)
    }

    @Test func theNewestAreShownOldestFirst() {
        let limit = Limits.notificationsShown
        let total = limit + 7
        // Minute i of the day is version 1.i.0; given in a scrambled order.
        let all = (0..<total).map { i in
            Self.notification(version: "1.\(i).0", at: Timestamp.format(1_769_248_800 + Int64(i) * 60))
        }
        let scrambled = all.enumerated().sorted { ($0.offset * 37) % total < ($1.offset * 37) % total }.map(\.element)
        #expect(scrambled.map(\.record.version) != all.map(\.record.version))
        let (shown, omitted) = Notifications.newest(scrambled)
        #expect(omitted == 7)
        #expect(shown.map(\.record.version) == (7..<total).map { "1.\($0).0" })
    }

    @Test func fewNotificationsAreAllShown() {
        let two = [Self.notification(version: "1.2.0", at: "2026-01-24T12:00:00Z"),
                   Self.notification(version: "1.1.0", at: "2026-01-24T11:00:00Z")]
        let (shown, omitted) = Notifications.newest(two)
        #expect(omitted == 0)
        #expect(shown.map(\.record.version) == ["1.1.0", "1.2.0"])
        #expect(Notifications.newest([]).shown.isEmpty)
    }

    /// A notification whose time cannot be read counts as the oldest: it is the first left out.
    @Test func anUnreadableTimeIsTheOldest() {
        let limit = Limits.notificationsShown
        var notes = (0..<limit).map { Self.notification(version: "1.\($0 + 1).0", at: Timestamp.format(1_769_248_800 + Int64($0))) }
        notes.insert(Self.notification(version: "9.9.9", at: "not a time"), at: limit / 2)
        let (shown, omitted) = Notifications.newest(notes)
        #expect(omitted == 1)
        #expect(!shown.contains { $0.record.version == "9.9.9" })
    }
}
