import RealmJSON
import RealmLimits

extension SchemaEvaluator {
    // MARK: Assertions (no subschemas)

    @inline(never)
    mutating func evalAssertion(_ keyword: SchemaKeyword, _ instance: JSONValue, report: Bool) -> Bool {
        switch keyword {
        case .type(let mask):
            if Self.matches(mask, instance) { return true }
            if report {
                fail("expected \(mask.names.joined(separator: " or ")), got \(instance.typeName)", schema: "type")
            }
            return false

        case .enumeration(let values, let strings):
            let found: Bool
            if let strings {
                if case .string(let s) = instance { found = strings.contains(ExactString(s)) } else { found = false }
            } else {
                found = values.contains { jsonEqual($0, instance) }
            }
            if !found && report {
                let list = values.prefix(10).map(Self.preview).joined(separator: ", ") + (values.count > 10 ? ", ..." : "")
                fail("\(Self.preview(instance)) is not one of the allowed values [\(list)]", schema: "enum")
            }
            return found

        case .const(let value):
            if jsonEqual(instance, value) { return true }
            if report { fail("must be \(Self.preview(value)), got \(Self.preview(instance))", schema: "const") }
            return false

        case .multipleOf(let divisor):
            guard instance.isNumber else { return true }
            if Self.isMultiple(instance, of: divisor) { return true }
            if report { fail("\(instance) is not a multiple of \(divisor)", schema: "multipleOf") }
            return false

        case .bound(let kind, let limit):
            guard instance.isNumber else { return true }
            let order = Self.compare(instance, limit)
            let valid: Bool
            let relation: String
            switch kind {
            case .maximum: valid = order <= 0; relation = "greater than the maximum"
            case .exclusiveMaximum: valid = order < 0; relation = "not less than the exclusive maximum"
            case .minimum: valid = order >= 0; relation = "less than the minimum"
            case .exclusiveMinimum: valid = order > 0; relation = "not greater than the exclusive minimum"
            }
            if !valid && report { fail("\(instance) is \(relation) \(limit)", schema: kind.keyword) }
            return valid

        case .count(let kind, let limit):
            return evalCount(kind, limit, instance, report: report)

        case .pattern(let matcher):
            guard case .string(let s) = instance else { return true }
            guard let found = match(matcher, s, keyword: "pattern") else { return false }
            if found { return true }
            if report { fail("\(Self.preview(instance)) does not match the pattern \(matcher.source)", schema: "pattern") }
            return false

        case .uniqueItems:
            guard case .array(let items) = instance else { return true }
            guard let (first, second) = Self.firstDuplicate(items) else { return true }
            if report { fail("items \(first) and \(second) are equal; items must be unique", schema: "uniqueItems") }
            return false

        case .required(let names):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for name in names where object[name] == nil {
                valid = false
                guard report else { return false }
                fail("missing required property '\(name)'", schema: "required")
            }
            return valid

        case .dependentRequired(let dependencies, let keyword):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for (name, required) in dependencies where object[name] != nil {
                for other in required where object[other] == nil {
                    valid = false
                    guard report else { return false }
                    fail("property '\(name)' requires property '\(other)'", schema: keyword, name)
                }
            }
            return valid

        default:
            return true
        }
    }

    private mutating func evalCount(_ kind: CountKind, _ limit: Int, _ instance: JSONValue, report: Bool) -> Bool {
        let count: Int
        let noun: String
        switch (kind, instance) {
        case (.maxLength, .string(let s)):
            if s.utf8.count <= limit { return true }  // code points never outnumber UTF-8 bytes
            count = s.unicodeScalars.count
            noun = "character"
        case (.minLength, .string(let s)):
            // A code point takes 1 to 4 UTF-8 bytes.
            if s.utf8.count < limit {
                count = s.unicodeScalars.count
            } else if limit <= s.utf8.count / 4 {
                return true
            } else {
                count = s.unicodeScalars.count
            }
            noun = "character"
        case (.maxItems, .array(let a)), (.minItems, .array(let a)):
            count = a.count
            noun = "item"
        case (.maxProperties, .object(let o)), (.minProperties, .object(let o)):
            count = o.count
            noun = "property"
        default:
            return true
        }
        let isMax = kind == .maxLength || kind == .maxItems || kind == .maxProperties
        let valid = isMax ? count <= limit : count >= limit
        if !valid && report {
            let counted = noun == "property" ? (count == 1 ? "1 property" : "\(count) properties") : Self.plural(count, noun)
            fail("has \(counted), \(isMax ? "more than the maximum" : "fewer than the minimum") of \(limit)",
                 schema: kind.keyword)
        }
        return valid
    }

    // MARK: - Value helpers

    private static func matches(_ mask: TypeMask, _ instance: JSONValue) -> Bool {
        switch instance {
        case .null: return mask.contains(.null)
        case .bool: return mask.contains(.boolean)
        case .integer: return mask.contains(.integer) || mask.contains(.number)
        case .number(let d):
            return mask.contains(.number) || (mask.contains(.integer) && d.isFinite && d.rounded() == d)
        case .string: return mask.contains(.string)
        case .array: return mask.contains(.array)
        case .object: return mask.contains(.object)
        }
    }

    /// -1, 0 or 1 as `a` is below, equal to or above `b` (both numbers).
    private static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .integer(let x) = a, case .integer(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        let x = a.doubleValue!, y = b.doubleValue!
        return x < y ? -1 : (x == y ? 0 : 1)
    }

    private static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        if case .integer(let a) = value, case .integer(let b) = divisor { return a % b == 0 }
        let a = value.doubleValue!, b = divisor.doubleValue!
        let quotient = a / b
        guard quotient.isFinite else { return false }
        let rounded = quotient.rounded()
        return quotient == rounded || abs(quotient - rounded) < 1e-9
    }

    /// Indexes of the first two equal items, or nil when all are distinct.
    private static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        if items.count < 2 { return nil }
        if items.count <= 8 {
            for i in 0..<items.count {
                for j in (i + 1)..<items.count where jsonEqual(items[i], items[j]) { return (i, j) }
            }
            return nil
        }
        var seen: [HashableJSON: Int] = [:]
        seen.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            if let earlier = seen.updateValue(n, forKey: HashableJSON(value: item)) { return (earlier, n) }
        }
        return nil
    }
}
