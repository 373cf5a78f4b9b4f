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

    /// Parses an RFC 3339 time, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` (`T` or a
    /// space between date and time; no zone reads as UTC), into seconds since the epoch; nil
    /// when it is anything else or out of range (month 13, hour 24, offset beyond 23:59).
    /// Fractions are dropped; an offset is applied (`10:00:00+02:00` is 08:00 UTC).
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var v = 0
            for k in i..<(i + width) {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            i += width
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let y = number(4), expect("-"), let mo = number(2), expect("-"), let d = number(2) else { return nil }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let h = number(2), expect(":"), let mi = number(2), expect(":"), let s = number(2) else { return nil }
        if expect(".") {
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start else { return nil }
        }
        var offset = 0
        if i < b.count, b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = number(2), expect(":"), let om = number(2), oh <= 23, om <= 59 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        }
        guard i == b.count else { return nil }
        let daysInMonth = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth[mo - 1], h <= 23, mi <= 59, s <= 60 else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm), so no libc time zone is involved.
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = Int64(era) * 146_097 + Int64(doe) - 719_468
        return days * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)
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
