import RealmJSON

/// YAML 1.2 core-schema resolution of plain scalars, plus the YAML 1.1 look-alikes the emitter
/// quotes for the sake of older parsers.
enum CoreSchema {
    /// `null`, `Null`, `NULL`, `~` or empty.
    static func isNullText(_ s: String) -> Bool {
        switch s {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    static func boolValue(_ s: String) -> Bool? {
        switch s {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// What an untagged plain scalar means under the core schema.
    static func resolvePlain(_ s: String) -> JSONValue {
        guard let first = s.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            if let i = intValue(s) { return i }
            if let d = floatValue(s) { return .number(d) }
            return .string(s)
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            return isNullText(s) ? .null : .string(s)
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            if let b = boolValue(s) { return .bool(b) }
            return .string(s)
        default:
            return .string(s)
        }
    }

    /// True when a plain scalar with this text reads back as this same string under the core
    /// schema and is not a YAML 1.1 boolean, null, integer or float either.
    static func plainReadsAsString(_ s: String) -> Bool {
        guard case .string = resolvePlain(s) else { return false }
        return !isYAML11Special(s)
    }

    // MARK: Integers: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+

    /// `.integer`, or `.number` when the value does not fit an Int; nil if not an integer.
    static func intValue(_ s: String) -> JSONValue? {
        let b = Array(s.utf8)
        guard !b.isEmpty else { return nil }
        if b.count > 2, b[0] == UInt8(ascii: "0"), b[1] == UInt8(ascii: "o") || b[1] == UInt8(ascii: "x") {
            let radix = b[1] == UInt8(ascii: "o") ? 8 : 16
            let digits = b[2...]
            guard digits.allSatisfy({ digitValue($0) < radix }) else { return nil }
            var value = 0
            var overflow = false
            for d in digits {
                let (m, o1) = value.multipliedReportingOverflow(by: radix)
                let (a, o2) = m.addingReportingOverflow(digitValue(d))
                if o1 || o2 { overflow = true; break }
                value = a
            }
            if !overflow { return .integer(value) }
            var approx = 0.0
            for d in digits { approx = approx * Double(radix) + Double(digitValue(d)) }
            return .number(approx)
        }
        var i = 0
        if b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") { i = 1 }
        guard i < b.count, b[i...].allSatisfy(isDigit) else { return nil }
        if let v = Int(s) { return .integer(v) }
        return Double(s).map { .number($0) }
    }

    // MARK: Floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.inf | \.nan

    static func floatValue(_ s: String) -> Double? {
        let b = Array(s.utf8)
        var i = 0
        var negative = false
        if let first = b.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            i = 1
        }
        let rest = String(decoding: b[i...], as: UTF8.self)
        switch rest {
        case ".inf", ".Inf", ".INF": return negative ? -.infinity : .infinity
        case ".nan", ".NaN", ".NAN": return i == 0 ? .nan : nil
        default: break
        }
        var digits = 0
        while i < b.count, isDigit(b[i]) { i += 1; digits += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var fraction = 0
            while i < b.count, isDigit(b[i]) { i += 1; fraction += 1 }
            if digits == 0 && fraction == 0 { return nil }
        } else if digits == 0 {
            return nil
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            var exponent = 0
            while i < b.count, isDigit(b[i]) { i += 1; exponent += 1 }
            if exponent == 0 { return nil }
        }
        guard i == b.count else { return nil }
        // Swift's parser wants a digit on both sides of the point.
        return Double(s.replacingDotExponent())
    }

    // MARK: YAML 1.1 look-alikes (PyYAML's resolver), quoted by the emitter

    static func isYAML11Special(_ s: String) -> Bool {
        switch s {
        case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
             "true", "True", "TRUE", "false", "False", "FALSE",
             "on", "On", "ON", "off", "Off", "OFF",
             "~", "null", "Null", "NULL", "", "=", "<<":
            return true
        default:
            break
        }
        guard let first = s.utf8.first,
              isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: ".")
        else { return false }
        let b = Array(s.utf8)
        return isYAML11Int(b) || isYAML11Float(b)
    }

    /// [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
    /// [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+
    private static func isYAML11Int(_ b: [UInt8]) -> Bool {
        var i = 0
        if b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") { i = 1 }
        let r = Array(b[i...])
        guard let first = r.first else { return false }
        if r.count > 2, first == UInt8(ascii: "0"), r[1] == UInt8(ascii: "b") {
            return r[2...].allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") || $0 == UInt8(ascii: "_") }
        }
        if r.count > 2, first == UInt8(ascii: "0"), r[1] == UInt8(ascii: "x") {
            return r[2...].allSatisfy { digitValue($0) < 16 || $0 == UInt8(ascii: "_") }
        }
        if first == UInt8(ascii: "0") {
            return r.count == 1 || r[1...].allSatisfy { digitValue($0) < 8 || $0 == UInt8(ascii: "_") }
        }
        guard isDigit(first) else { return false }
        var j = 1
        while j < r.count, isDigit(r[j]) || r[j] == UInt8(ascii: "_") { j += 1 }
        if j == r.count { return true }
        return matchesSexagesimalTail(r, from: j) == r.count
    }

    /// (:[0-5]?[0-9])+ starting at `j`; returns the end index, or nil when there is no group.
    private static func matchesSexagesimalTail(_ r: [UInt8], from start: Int) -> Int? {
        var j = start
        var groups = 0
        while j < r.count, r[j] == UInt8(ascii: ":") {
            var k = j + 1
            if k + 1 < r.count, r[k] >= UInt8(ascii: "0"), r[k] <= UInt8(ascii: "5"), isDigit(r[k + 1]) {
                k += 2
            } else if k < r.count, isDigit(r[k]) {
                k += 1
            } else {
                break
            }
            j = k
            groups += 1
        }
        return groups > 0 ? j : nil
    }

    /// [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)? |
    /// [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
    private static func isYAML11Float(_ b: [UInt8]) -> Bool {
        var i = 0
        if b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") { i = 1 }
        let r = Array(b[i...])
        let text = String(decoding: r, as: UTF8.self)
        if [".inf", ".Inf", ".INF"].contains(text) { return true }
        if i == 0, [".nan", ".NaN", ".NAN"].contains(text) { return true }
        guard let first = r.first else { return false }
        func exponentTail(_ from: Int) -> Bool {
            var j = from
            if j == r.count { return true }
            guard r[j] == UInt8(ascii: "e") || r[j] == UInt8(ascii: "E") else { return false }
            j += 1
            guard j < r.count, r[j] == UInt8(ascii: "+") || r[j] == UInt8(ascii: "-") else { return false }
            j += 1
            guard j < r.count else { return false }
            return r[j...].allSatisfy(isDigit)
        }
        func digitsOrUnderscores(_ from: Int) -> Int {
            var j = from
            while j < r.count, isDigit(r[j]) || r[j] == UInt8(ascii: "_") { j += 1 }
            return j
        }
        if first == UInt8(ascii: ".") {
            guard i == 0, r.count > 1, isDigit(r[1]) else { return false }
            return exponentTail(digitsOrUnderscores(2))
        }
        guard isDigit(first) else { return false }
        let j = digitsOrUnderscores(1)
        if j < r.count, r[j] == UInt8(ascii: ".") {
            return exponentTail(digitsOrUnderscores(j + 1))
        }
        if let k = matchesSexagesimalTail(r, from: j), k < r.count, r[k] == UInt8(ascii: ".") {
            return digitsOrUnderscores(k + 1) == r.count
        }
        return false
    }

    // MARK: Helpers

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// 0–15 for hex digits, 99 otherwise.
    static func digitValue(_ c: UInt8) -> Int {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c - UInt8(ascii: "A")) + 10
        default: return 99
        }
    }

    /// Shortest round-tripping text for a double that reads back as the same number under the
    /// core schema (`.inf`, `-.inf`, `.nan` for non-finite values).
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        return JSONSerializer.formatNumber(d)
    }
}

extension String {
    /// "1.e5" → "1.0e5" and ".5" → "0.5", which every Double parser accepts.
    fileprivate func replacingDotExponent() -> String {
        var b = Array(utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: ".") {
                let before = i > 0 ? b[i - 1] : 0
                let after = i + 1 < b.count ? b[i + 1] : 0
                if !CoreSchema.isDigit(after) { b.insert(UInt8(ascii: "0"), at: i + 1) }
                if !CoreSchema.isDigit(before) { b.insert(UInt8(ascii: "0"), at: i); i += 1 }
            }
            i += 1
        }
        return String(decoding: b, as: UTF8.self)
    }
}
