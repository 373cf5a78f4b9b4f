@testable import RealmContracts
import RealmJSON
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Seeded fuzzing of everything the contract engine reads from a realm: version ranges and
/// versions, JSON text, regular expressions, JSON Schemas with instances, and schema pairs for
/// the compatibility engine. It asserts that nothing crashes and that every call returns
/// (work is bounded by step budgets, not by time) and a few invariants.
///
/// Deterministic: the seed is printed first (a crash shows it as the last line before the
/// trap) and named in every recorded issue. Reproduce with `REALM_FUZZ_SEED=<seed>`; scale with
/// `REALM_FUZZ_SCALE=<n>` (iterations are multiplied by n).
@Suite struct ContractFuzzTests {
    static let seed: UInt64 = {
        if let text = getenv("REALM_FUZZ_SEED").map({ String(cString: $0) }), let value = UInt64(text) { return value }
        return 0x5EED_0F_2026
    }()
    static let scale: Int = {
        if let text = getenv("REALM_FUZZ_SCALE").map({ String(cString: $0) }), let value = Int(text), value > 0 { return value }
        return 1
    }()

    private func announce(_ part: String, _ salt: UInt64) -> Fuzz {
        print("fuzz \(part): seed \(Self.seed) (REALM_FUZZ_SEED=\(Self.seed) to reproduce)")
        return Fuzz(seed: Self.seed ^ salt)
    }

    @Test func versionsAndRanges() {
        var fuzz = announce("semver", 1)
        let syntaxes: [VersionRange.Syntax] = [.auto, .npm, .cargo]
        for iteration in 0..<(20_000 * Self.scale) {
            let text = fuzz.semverText()
            let versionText = fuzz.semverText(versionLike: true)
            let version = try? Version(versionText)
            if let version {
                // Parsed versions print back and bump without trapping.
                #expect((try? Version(version.description)) == version, "seed \(Self.seed) #\(iteration): \(versionText)")
                for level in BumpLevel.allCases { _ = VersionBump.minimumVersion(after: version, for: level) }
            }
            for syntax in syntaxes {
                guard let range = try? VersionRange.parse(text, syntax: syntax) else { continue }
                _ = range.normalized
                if let version {
                    let satisfied = range.satisfies(version)
                    #expect(range.maxSatisfying([version]) == (satisfied ? version : nil), "seed \(Self.seed) #\(iteration): \(text)")
                }
                // The normalized form is npm syntax and means the same.
                if let again = try? VersionRange.parse(range.normalized, syntax: .npm), let version {
                    #expect(again.satisfies(version) == range.satisfies(version),
                            "seed \(Self.seed) #\(iteration): \(text) -> \(range.normalized) on \(version)")
                }
            }
        }
    }

    @Test func jsonText() {
        var fuzz = announce("json", 2)
        for iteration in 0..<(10_000 * Self.scale) {
            let value = fuzz.value(depth: 3)
            var text = JSONSerializer.string(value)
            if fuzz.chance(0.7) { text = fuzz.mutate(text) }
            guard let parsed = try? JSONParser.parse(text) else { continue }
            // What parses serialises and parses back to the same value.
            let again = try? JSONParser.parse(JSONSerializer.string(parsed))
            #expect(again.map { jsonEqual($0, parsed) } == true, "seed \(Self.seed) #\(iteration): \(text)")
        }
    }

    @Test func regularExpressions() {
        var fuzz = announce("regex", 3)
        var compiled = 0
        for iteration in 0..<(5_000 * Self.scale) {
            let pattern = fuzz.pattern()
            guard let matcher = try? PatternMatcher(pattern) else { continue }
            compiled += 1
            for _ in 0..<4 {
                let input = fuzz.string(maxLength: 40)
                var budget = 200_000
                let result = matcher.matches(input, budget: &budget)
                #expect(result != nil, "seed \(Self.seed) #\(iteration): \(pattern) ran out of steps on \(input.debugDescription)")
            }
        }
        print("fuzz regex: \(compiled) patterns compiled")
        #expect(compiled > 100)
    }

    @Test func schemasAndInstances() {
        var fuzz = announce("schema", 4)
        var compiled = 0
        for iteration in 0..<(3_000 * Self.scale) {
            let schema = fuzz.schemaDocument()
            guard let validator = try? JSONSchemaValidator(schema: schema) else { continue }
            compiled += 1
            for _ in 0..<4 {
                let instance = fuzz.value(depth: 3)
                let errors = validator.validate(instance, stepLimit: 20_000, patternSteps: 100_000)
                let valid = validator.isValid(instance, stepLimit: 20_000, patternSteps: 100_000)
                let budgeted = errors.contains { $0.message.hasPrefix("schema too complex") || $0.message.contains("regex steps") }
                if !budgeted {
                    // The memo of shared subschemas changes nothing but the work.
                    let plain = validator.isValid(instance, stepLimit: 1_000_000, patternSteps: 1_000_000, memoise: false)
                    #expect(plain == valid, "seed \(Self.seed) #\(iteration): the memo changed the result on \(instance) for \(JSONSerializer.string(schema))")
                    #expect(valid == errors.isEmpty,
                            "seed \(Self.seed) #\(iteration): validate and isValid disagree on \(instance) for \(JSONSerializer.string(schema))")
                }
            }
        }
        print("fuzz schema: \(compiled) schemas compiled")
        #expect(compiled > 100)
    }

    @Test func compatibilityOfSchemaPairs() {
        var fuzz = announce("compat", 5)
        var compared = 0
        for iteration in 0..<(1_500 * Self.scale) {
            let old = fuzz.schemaDocument()
            let new = fuzz.chance(0.5) ? fuzz.perturb(old) : fuzz.schemaDocument()
            if getenv("REALM_FUZZ_VERBOSE").map({ String(cString: $0) }) == "2" {
                print("#\(iteration) old: \(JSONSerializer.string(old))\n#\(iteration) new: \(JSONSerializer.string(new))")
                fflush(nil)
            }
            for mode in [CompatibilityMode.strict, .lenient] {
                let engine = CompatEngine(old: old, new: new, mode: mode, stepLimit: 50_000)
                do {
                    let changes = try engine.run()
                    compared += 1
                    if jsonEqual(old, new) { #expect(changes.isEmpty, "seed \(Self.seed) #\(iteration)") }
                    // Copying probes of a `$ref` pair changes the work, not the verdicts.
                    let plain = CompatEngine(old: old, new: new, mode: mode, stepLimit: 50_000, cachesProbes: false)
                    if let plainChanges = try? plain.run() {
                        let verdict = CompatibilityReport(mode: mode, changes: changes)
                        let plainVerdict = CompatibilityReport(mode: mode, changes: plainChanges)
                        #expect(verdict.backward == plainVerdict.backward && verdict.forward == plainVerdict.forward,
                                "seed \(Self.seed) #\(iteration): the probe cache changed the verdict")
                    }
                } catch {
                    if getenv("REALM_FUZZ_VERBOSE") != nil { print("compat error: \(error.message)") }
                    #expect(!error.message.isEmpty, "seed \(Self.seed) #\(iteration)")
                }
            }
        }
        print("fuzz compat: \(compared) comparisons finished")
        #expect(compared > 100)
    }
}

/// SplitMix64 and generators of hostile-looking input.
struct Fuzz {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    // MARK: Semver

    static let numbers = ["0", "1", "2", "10", "01", "9007199254740991", "9007199254740992", "9223372036854775807",
                          "9223372036854775808", "18446744073709551616", "99999999999999999999999"]

    mutating func semverText(versionLike: Bool = false) -> String {
        if versionLike && chance(0.6) {
            var text = [pick(Self.numbers), pick(Self.numbers), pick(Self.numbers)].joined(separator: ".")
            if chance(0.3) { text += "-" + pick(["alpha", "0", "1", "rc.1", "9223372036854775807", "x.y"]) }
            if chance(0.2) { text += "+" + pick(["build", "001", "a.b"]) }
            return text
        }
        let tokens = ["^", "~", "~>", ">=", "<=", ">", "<", "=", "v", " ", " - ", " || ", "||", ", ", ",", ".", "x", "X", "*",
                      "-", "+", "alpha", "0", "1", "2"] + Self.numbers
        var text = ""
        for _ in 0..<(1 + int(10)) { text += pick(tokens) }
        return text
    }

    // MARK: JSON

    static let strings = ["", "a", "b", "ab", "aaaa", "x-y", "é", "e\u{301}", "💩", "\u{0}", "\n", "jobs/*", "1.2.3",
                          String(repeating: "a", count: 30) + "!", "\u{2028}", "\u{FEFF}"]

    mutating func string(maxLength: Int) -> String {
        if chance(0.5) { return pick(Self.strings) }
        let alphabet: [Character] = ["a", "b", "c", "A", "0", "1", "_", "-", " ", ".", "/", "é", "💩", "\n", "!"]
        var s = ""
        for _ in 0..<int(maxLength + 1) { s.append(pick(alphabet)) }
        return s
    }

    mutating func value(depth: Int) -> JSONValue {
        switch int(depth > 0 ? 8 : 6) {
        case 0: return .null
        case 1: return .bool(chance(0.5))
        case 2: return .integer(pick([0, 1, -1, 2, 3, 10, 100, Int.max, Int.min, 9_007_199_254_740_993]))
        case 3: return .number(pick([0.5, -0.0, 1e300, -1e-300, 2.0, 3.14, 1e15, 9.2e18]))
        case 4, 5: return .string(string(maxLength: 8))
        case 6: return .array((0..<int(4)).map { _ in value(depth: depth - 1) })
        default:
            var object = JSONObject()
            for _ in 0..<int(4) { object[pick(["a", "b", "c", "x-1", ""])] = value(depth: depth - 1) }
            return .object(object)
        }
    }

    mutating func mutate(_ text: String) -> String {
        var bytes = Array(text.utf8)
        let inserts = ["\\ud83d", "\\udca9", "\\u", "\\", "\"", "[", "]", "{", "}", ",", ":", "1e999", "-", "0", "01",
                       "1.", ".5", "\u{0}", "\\uD83D\\uDCA9", "\\x", "nul", "tru", String(repeating: "[", count: 600)]
        for _ in 0..<(1 + int(3)) {
            let at = int(bytes.count + 1)
            switch int(3) {
            case 0: bytes.insert(contentsOf: Array(pick(inserts).utf8), at: at)
            case 1: if at < bytes.count { bytes.remove(at: at) }
            default: if at < bytes.count { bytes[at] = UInt8(truncatingIfNeeded: next()) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Patterns

    mutating func pattern() -> String {
        let tokens = ["a", "b", ".", "\\d", "\\w", "\\s", "\\b", "\\B", "^", "$", "(", ")", "(?:", "(?=", "(?!", "|", "*",
                      "+", "?", "*?", "{2}", "{1,3}", "{2,}", "{,", "[a-c]", "[^a]", "[\\d-z]", "\\u0041", "\\u{1F4A9}",
                      "\\p{L}", "\\P{Lu}", "\\1", "(?<=a)", "(?<n>", "[", "]", "{", "}", "\\", "💩", "\\uD83D", "\\uDCA9",
                      "\\cJ", "\\x41", "\\0", "\\-", "(a+)+", "(a|aa)*", "(.|.)*", "[]", "[^]", "a{100}", "(?:a{20}){20}"]
        var text = ""
        for _ in 0..<(1 + int(8)) { text += pick(tokens) }
        return text
    }

    // MARK: Schemas

    /// A root schema with `$defs` d0...d3 that refer to each other.
    mutating func schemaDocument() -> JSONValue {
        var root: JSONObject
        if case .object(let o) = schema(depth: 3) { root = o } else { root = [:] }
        var defs = JSONObject()
        for n in 0..<4 { defs["d\(n)"] = schema(depth: 2) }
        if !defs.isEmpty { root["$defs"] = .object(defs) }
        return .object(root)
    }

    mutating func schema(depth: Int) -> JSONValue {
        if depth <= 0 || chance(0.15) {
            return pick([.bool(true), .bool(false), ["type": "string"], ["$ref": "#/$defs/d0"], ["$ref": "#"], [:]])
        }
        var object = JSONObject()
        for _ in 0..<(1 + int(4)) {
            switch int(22) {
            case 0: object["type"] = chance(0.05) ? "strnig" : pick(["string", "integer", "number", "object", "array", "null",
                                                                      "boolean", .array(["string", "null"])])
            case 1: object["pattern"] = .string(chance(0.5) ? pattern() : pick(["^a", "b$", "^[a-c]+$", "(a|b)*c", "\\d{2,}", "(?=a)\\w"]))
            case 2: object[pick(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
                                 "minContains", "maxContains"])] = chance(0.05) ? pick([-1, 1.5, 9.3e18, .integer(Int.max)]) : pick([0, 1, 2, 3, 5])
            case 3: object[pick(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"])] =
                chance(0.05) ? "5" : pick([1, 2, 0.5, 1e-320, 1e308, .integer(Int.max), 3, 7])
            case 4: object["enum"] = .array((0..<(1 + int(4))).map { _ in value(depth: 1) })
            case 5: object["const"] = value(depth: 1)
            case 6: object["items"] = schema(depth: depth - 1)
            case 7: object["prefixItems"] = .array((0..<(1 + int(3))).map { _ in schema(depth: depth - 1) })
            case 8:
                var properties = JSONObject()
                for _ in 0..<int(3) { properties[pick(["a", "b", "c"])] = schema(depth: depth - 1) }
                object["properties"] = .object(properties)
            case 9: object["patternProperties"] = .object([chance(0.3) ? pattern() : pick(["^a", "b", "^x-", "(a+)+$"]): schema(depth: depth - 1)])
            case 10: object["additionalProperties"] = schema(depth: depth - 1)
            case 11: object["required"] = .array((0..<int(3)).map { _ in .string(pick(["a", "b", "c"])) })
            case 12, 13:
                object[pick(["anyOf", "allOf", "oneOf"])] = .array((0..<(1 + int(3))).map { _ in schema(depth: depth - 1) })
            case 14: object["not"] = schema(depth: depth - 1)
            case 15: object["$ref"] = .string(chance(0.05) ? pick(["#/properties/a", "#nowhere", "other.json"])
                                                           : pick(["#/$defs/d0", "#/$defs/d1", "#/$defs/d2", "#/$defs/d3", "#"]))
            case 16:
                object["if"] = schema(depth: depth - 1)
                object["then"] = schema(depth: depth - 1)
                if chance(0.5) { object["else"] = schema(depth: depth - 1) }
            case 17: object[pick(["unevaluatedProperties", "unevaluatedItems"])] = schema(depth: depth - 1)
            case 18: object["contains"] = schema(depth: depth - 1)
            case 19: object["propertyNames"] = schema(depth: depth - 1)
            case 20: object["dependentRequired"] = ["a": ["b"]]
            default:
                if chance(0.5) { object[pick(["title", "description"])] = .string(string(maxLength: 5)) }
                else { object[pick(["default", "x-owner", "examples"])] = value(depth: 1) }
            }
        }
        return .object(object)
    }

    /// A small change to a schema: a keyword replaced, added or dropped somewhere.
    mutating func perturb(_ value: JSONValue) -> JSONValue {
        guard case .object(var object) = value, !object.isEmpty else { return schema(depth: 2) }
        let key = object.keys[int(object.count)]
        switch int(3) {
        case 0: object.removeValue(forKey: key)
        case 1: object[key] = perturb(object[key] ?? .null)
        default:
            if case .object(let extra) = schema(depth: 1) { for (k, v) in extra { object[k] = v } }
        }
        return .object(object)
    }
}
