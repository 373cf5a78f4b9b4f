import Testing
import RealmGit
@testable import RealmCore

/// Realm files write UTC timestamps as `2026-01-24T10:00:00Z`; status shows ages.
@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z", "19700101-000000"),
        (Int64(1_769_248_800), "2026-01-24T10:00:00Z", "20260124-100000"),
        (Int64(1_709_251_199), "2024-02-29T23:59:59Z", "20240229-235959"),
        (Int64(4_102_444_800), "2100-01-01T00:00:00Z", "21000101-000000"),
    ])
    func formatsParsesAndStamps(_ seconds: Int64, _ text: String, _ stamp: String) {
        #expect(Timestamp.format(seconds) == text)
        #expect(Timestamp.parse(text) == seconds)
        #expect(Timestamp.stamp(seconds) == stamp)
    }

    @Test func readsWhatGitWrites() throws {
        let repos = CoreRepos()
        _ = try repos.makeRepo("app", files: ["a": "a\n"])
        try repos.git(["commit", "--quiet", "--allow-empty", "-m", "dated"], in: "app",
                      environment: ["GIT_COMMITTER_DATE": "2026-01-24T10:00:00Z", "TZ": "UTC"])
        let iso = try repos.git(["log", "-1", "--format=%cI"], in: "app")
        let seconds = try repos.git(["log", "-1", "--format=%ct"], in: "app")
        #expect(Timestamp.parse(iso) == Int64(seconds), "\(iso)")
        #expect(Timestamp.format(Int64(seconds)!) == "2026-01-24T10:00:00Z")
    }

    @Test func fractionsAreIgnoredAndGarbageIsNotATime() {
        #expect(Timestamp.parse("2026-01-24T10:00:00.750Z") == 1_769_248_800)
        for text in ["", "yesterday", "2026-01-24", "2026-01-24T10:00", "2026-13-01T00:00:00Z",
                     "2026-02-30T00:00:00Z", "2026-01-24T24:00:00Z", "2026-01-24T10:00:00+2", "2026-01-24T10:00:00Zjunk",
                     "2026-01-24T10:00:00.Z", "99999-01-24T10:00:00Z"] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }

    /// A note written elsewhere may carry its writer's offset: the instant is what counts.
    @Test func offsetsNameTheSameInstant() {
        #expect(Timestamp.parse("2026-01-24T12:00:00+02:00") == 1_769_248_800)
        #expect(Timestamp.parse("2026-01-24T05:30:00-04:30") == 1_769_248_800)
        #expect(Timestamp.parse("2026-01-24 10:00:00") == 1_769_248_800)
        #expect(Timestamp.parse("2024-02-29T23:59:59z") == 1_709_251_199)
        #expect(Timestamp.parse("1969-12-31T23:59:59Z") == -1)
    }

    @Test(arguments: [
        (Int64(0), "just now"), (Int64(59), "just now"), (Int64(60), "1 min ago"), (Int64(3599), "59 min ago"),
        (Int64(3600), "1 h ago"), (Int64(86_399), "23 h ago"), (Int64(86_400), "1 day ago"),
        (Int64(2 * 86_400 + 5), "2 days ago"), (Int64(-300), "just now"),
    ])
    func ages(_ ago: Int64, _ shown: String) {
        let now: Int64 = 1_769_248_800
        #expect(Timestamp.age(now - ago, now: now) == shown)
    }
}
