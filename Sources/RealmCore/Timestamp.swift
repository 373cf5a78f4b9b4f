#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
import RealmSupport
#endif

/// UTC timestamps as the realm files write them (`2026-01-24T10:00:00Z`), without Foundation.
public enum Timestamp {
    /// Seconds since the epoch; `GIT_REALM_NOW` (seconds) overrides it for reproducible runs.
    public static func nowSeconds() -> Int64 {
        if let fixed = envString("GIT_REALM_NOW"), let value = Int64(fixed) {
            return value
        }
        return Int64(time(nil))
    }

    public static func now() -> String { format(nowSeconds()) }

    public static func format(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
    }

    /// Compact form for branch names: `20260124-103000`.
    public static func stamp(_ seconds: Int64) -> String {
        let digits = format(seconds).filter(\.isNumber)
        return digits.prefix(8) + "-" + digits.dropFirst(8)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (fractions and offsets tolerated); nil when unreadable.
    public static func parse(_ text: String) -> Int64? {
        let digits = text.split(whereSeparator: { !$0.isNumber }).map(String.init)
        guard digits.count >= 6, let y = Int32(digits[0]), let mo = Int32(digits[1]), let d = Int32(digits[2]),
              let h = Int32(digits[3]), let mi = Int32(digits[4]), let s = Int32(digits[5]) else { return nil }
        var parts = tm()
        parts.tm_year = y - 1900
        parts.tm_mon = mo - 1
        parts.tm_mday = d
        parts.tm_hour = h
        parts.tm_min = mi
        parts.tm_sec = s
        return Int64(timegm(&parts))
    }

    /// "just now", "5 min ago", "3 h ago", "2 days ago".
    public static func age(_ seconds: Int64, now: Int64 = nowSeconds()) -> String {
        let delta = max(0, now - seconds)
        switch delta {
        case ..<60: return "just now"
        case ..<3600: return "\(delta / 60) min ago"
        case ..<86400: return "\(delta / 3600) h ago"
        default: return "\(delta / 86400) day\(delta / 86400 == 1 ? "" : "s") ago"
        }
    }

    /// A time left: "13 days 4 h", "5 h 20 min", "3 min", "under a minute".
    public static func countdown(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        switch s {
        case ..<60: return "under a minute"
        case ..<3600: return "\(s / 60) min"
        case ..<86400: return "\(s / 3600) h \(s % 3600 / 60) min"
        default: return "\(s / 86400) day\(s / 86400 == 1 ? "" : "s") \(s % 86400 / 3600) h"
        }
    }
}
