import RealmJSON

/// Synthetic schemas for benchmarking `SchemaCompatibility.compare`.
public enum SchemaGenerator {
    /// An object schema with `properties` properties in total (every entry of every `properties`
    /// map counts, intermediate objects included), nested `depth` levels deep: each level holds
    /// `fanOut` properties, where `fanOut` is the smallest number whose levels sum to at least
    /// `properties`; the innermost properties are leaves of varied types (strings with bounds
    /// and patterns, integers, numbers, enums, arrays, booleans).
    ///
    /// `variant` 0 is the base schema. Another variant changes about one leaf in seven —
    /// widening or narrowing a bound, adding an enum value, adding an optional sibling property —
    /// so that comparing variant 0 with variant 1 exercises most of the comparison. The output
    /// is deterministic.
    public static func nestedSchema(properties: Int, depth: Int, variant: Int = 0) -> JSONValue {
        let total = max(0, properties)
        let levels = max(1, depth)
        var fanOut = 1
        while levelSum(fanOut, levels) < total { fanOut += 1 }
        var remaining = total
        var counter = 0
        let root = object(level: 1, levels: levels, fanOut: fanOut, remaining: &remaining,
                          counter: &counter, variant: variant, name: "root")
        var top = root
        top["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        top["title"] = .string("generated \(total)x\(levels)")
        return .object(top)
    }

    private static func levelSum(_ fanOut: Int, _ levels: Int) -> Int {
        var sum = 0, width = 1
        for _ in 0..<levels {
            width = width.multipliedReportingOverflow(by: fanOut).overflow ? Int.max / 2 : width * fanOut
            sum = sum > Int.max / 2 ? sum : sum + width
        }
        return sum
    }

    private static func object(level: Int, levels: Int, fanOut: Int, remaining: inout Int,
                               counter: inout Int, variant: Int, name: String) -> JSONObject {
        var props = JSONObject()
        var required: [JSONValue] = []
        var index = 0
        while index < fanOut && remaining > 0 {
            remaining -= 1
            counter += 1
            let key = "\(name)_\(index)"
            if level < levels && remaining > 0 {
                var child = object(level: level + 1, levels: levels, fanOut: fanOut, remaining: &remaining,
                                   counter: &counter, variant: variant, name: key)
                child["description"] = .string("group \(key)")
                props[key] = .object(child)
            } else {
                props[key] = leaf(counter, variant: variant)
                if variant != 0, (counter + variant) % 29 == 0 {
                    props[key + "_extra"] = ["type": "string", "default": ""]
                }
            }
            if index == 0 { required.append(.string(key)) }
            index += 1
        }
        var result: JSONObject = ["type": "object", "properties": .object(props)]
        if !required.isEmpty { result["required"] = .array(required) }
        if level % 2 == 0 { result["additionalProperties"] = false }
        return result
    }

    private static func leaf(_ n: Int, variant: Int) -> JSONValue {
        let changed = variant != 0 && (n + variant) % 7 == 0
        switch n % 6 {
        case 0:
            return ["type": "string", "minLength": 1, "maxLength": .integer(changed ? 128 : 64),
                    "pattern": "^[a-z0-9-]+$", "description": .string("leaf \(n)")]
        case 1:
            return ["type": "integer", "minimum": 0, "maximum": .integer(changed ? 500 : 1000)]
        case 2:
            return ["type": "number", "multipleOf": .number(changed ? 0.25 : 0.5), "exclusiveMinimum": 0]
        case 3:
            var values: [JSONValue] = ["red", "green", "blue"]
            if changed { values.append("violet") }
            return ["type": "string", "enum": .array(values)]
        case 4:
            return ["type": "array", "items": ["type": "string", "format": "uri"],
                    "maxItems": .integer(changed ? 5 : 10), "uniqueItems": true, "default": []]
        default:
            return changed ? ["type": ["boolean", "null"]] : ["type": "boolean", "default": false]
        }
    }
}
