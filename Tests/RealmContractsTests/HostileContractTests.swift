@testable import RealmContracts
import RealmJSON
import RealmLimits
import Testing

/// Hostile input for the contract engine: regular expressions that make backtracking engines
/// run for minutes, `$ref` graphs that fan out exponentially, and the budgets that bound the
/// rest. No test measures time: each bounds work by counting steps and asserts on results.

private func parse(_ text: String) -> JSONValue {
    do { return try JSONParser.parse(text) } catch {
        Issue.record("bad JSON in test: \(error)")
        return .null
    }
}

/// (pattern, input, what node's `new RegExp(pattern, "u").test(input)` answers; Annex B when
/// the `u` flag refuses the pattern), generated with Node.js 20.
private let ecmaCorpus = #"""
[
    ["(?=a(?!b))a", "ab", false],
    ["(?=a(?!b))a", "ac", true],
    ["x(?=(ab|a)c)", "xabc", true],
    ["x(?=(ab|a)c)", "xabd", false],
    ["^(?=\\w+\\b)\\w", "ab c", true],
    ["(?=(?=a)a)a", "a", true],
    ["q(?!u)", "quit", false],
    ["q(?!u)", "qatar", true],
    ["^(?:(?!ab).)*$", "aab", false],
    ["^(?:(?!ab).)*$", "aa b", true],
    ["^(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", false],
    ["^(a+)+$", "aaaa", true],
    ["(a|aa)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false],
    ["(a|aa)*b", "aab", true],
    ["^(.|.)*X$", "abcabcabcabcabcabcabcabcabcabc", false],
    ["^(.|.)*X$", "abcX", true],
    ["a{2,3}", "a", false],
    ["^a{2,3}$", "aaa", true],
    ["^a{2,3}$", "aaaa", false],
    ["^a{2,}$", "aaaaa", true],
    ["^a{0}$", "", true],
    ["x{", "x{", true],
    ["a{,3}", "a{,3}", true],
    ["]", "]", true],
    ["}", "a}", true],
    ["^[^]$", "\n", true],
    ["^[]$", "", false],
    ["[]", "a", false],
    ["^.$", "\n", false],
    ["^.$", "\u2028", false],
    ["^.$", "\ud83d\udca9", true],
    ["^..$", "\ud83d\udca9", false],
    ["^\\u{1F4A9}$", "\ud83d\udca9", true],
    ["^\\ud83d\\udca9$", "\ud83d\udca9", true],
    ["^[\\ud83d\\udca9]$", "\ud83d\udca9", true],
    ["\\bfoo\\b", "a foo b", true],
    ["\\bfoo\\b", "afoob", false],
    ["\\Bfoo", "afoo", true],
    ["^\\w+$", "\u00e9", false],
    ["^\\W$", "\u00e9", true],
    ["^\\d$", "\u0663", false],
    ["^\\D$", "\u0663", true],
    ["^\\s$", "\ufeff", true],
    ["^\\s$", "\u00a0", true],
    ["^\\S$", "\u00a0", false],
    ["^[\\s]$", "\u3000", true],
    ["^[^\\s]$", "a", true],
    ["^[\\w-]+$", "a-b_c", true],
    ["^[\\w-z]+$", "-", true],
    ["^[a-z\\d]+$", "ab1", true],
    ["^[\\b]$", "\b", true],
    ["^\\cJ$", "\n", true],
    ["^\\x41$", "A", true],
    ["^\\0$", "\u0000", true],
    ["^(?:ab)+$", "ababab", true],
    ["^(?<n>ab)+$", "abab", true],
    ["^(?=.*\\d)(?=.*[A-Z]).{8,}$", "Password1", true],
    ["^(?=.*\\d)(?=.*[A-Z]).{8,}$", "password1", false],
    ["^(?!foo).*$", "foobar", false],
    ["^(?!foo).*$", "barfoo", true],
    ["a(?=b)", "ab", true],
    ["a(?=b)", "ac", false],
    ["a(?!b)", "ab", false],
    ["(?!a)", "a", true],
    ["\\$", "a$b", true],
    ["^a|b$", "xb", true],
    ["^a|b$", "bx", false],
    ["a||b", "x", true],
    ["^(a|)*$", "aaa", true],
    ["^(a*)*$", "aaab", false],
    ["^(a*)*$", "aaa", true],
    ["^(?:a?){3}a{3}$", "aaa", true],
    ["^\\p{Lu}+$", "AB\u00c9", true],
    ["^\\p{Lu}+$", "aB", false],
    ["^\\P{L}+$", "12", true],
    ["^\\p{Letter}+$", "a\u00e7\u00e3o", true],
    ["^\\p{gc=Nd}$", "\u0663", true],
    ["^[\\p{L}\\d]+$", "a1\u00e9", true],
    ["^[^\\p{L}]$", "1", true],
    ["[a-]", "-", true],
    ["[-a]", "-", true],
    ["^[.]$", "a", false],
    ["^\\/$", "/", true],
    ["^[\\]]$", "]", true],
    ["^[\\-]$", "-", true],
    ["colou?r", "color", true],
    ["^\\d{3}-\\d{4}$", "555-1234", true],
    ["^[A-Za-z_][-A-Za-z0-9._]*$", "abc.def", true],
    ["^[^#]*#?$", "a#", true],
    ["^[^#]*#?$", "a#b", false],
    ["x*", "", true],
    ["^$", "", true],
    ["^$", "a", false],
    ["a$", "a\n", false],
    ["^\\u00e9$", "\u00e9", true],
    ["\u00e9", "caf\u00e9", true],
    ["^(?:(?:a|b)*c){2}$", "abcbac", true],
    ["f.o", "fxo", true],
    ["[0-9]{2,}", "a12", true],
    ["[0-9]{2,}", "a1b2", false],
    ["^\u00e1", "\u00e1bc", true],
    ["(?=a)*b", "b", true]
]
"""#

@Suite struct ECMARegexTests {
    @Test("agrees with Node.js on a corpus of ECMA-262 patterns")
    func agreesWithNode() throws {
        guard case .array(let cases) = parse(ecmaCorpus) else { Issue.record("corpus"); return }
        #expect(cases.count > 80)
        for item in cases {
            guard case .array(let parts) = item, case .string(let pattern)? = parts.first,
                  case .string(let input) = parts[1], case .bool(let expected) = parts[2] else { continue }
            let matcher = try PatternMatcher(pattern)
            var budget = 1_000_000
            #expect(matcher.matches(input, budget: &budget) == expected, "\(pattern) on \(input.debugDescription)")
        }
    }

    /// Patterns that take a backtracking engine exponential time on a non-matching input.
    static let catastrophic = ["^(.|.)*X$", "^(a+)+$", "(a|aa)*b", "^(a|a?)+$", "(x+x+)+y", "^(\\w+\\s?)*$",
                               "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
                               "(?=(a+)+b)a", "^(a{1,10}){1,10}$"]

    @Test("catastrophic patterns run in steps linear in the input", arguments: catastrophic)
    func catastrophicPatternsAreLinear(pattern: String) throws {
        let regex = try ECMARegex(pattern)
        for length in [30, 2_000, 10_000] {
            // All 'a's and then a character no pattern accepts at the end.
            let input = String(repeating: "a", count: length) + "!"
            var budget = Int.max
            let found = regex.search(input, budget: &budget)
            #expect(found == false, "\(pattern)")
            let steps = Int.max - budget
            // Threads per position are bounded by the program size (plus a lookahead's run).
            let bound = (length + 2) * (regex.size + 2) * 4
            #expect(steps <= bound, "\(pattern) took \(steps) steps on \(length) characters (bound \(bound))")
        }
    }

    @Test("a catastrophic pattern in a schema validates a long value quickly, reporting the pattern")
    func catastrophicPatternInSchema() throws {
        let validator = try JSONSchemaValidator(schema: parse(#"{"properties": {"name": {"pattern": "^(a+)+$"}}}"#))
        let value: JSONValue = .object(["name": .string(String(repeating: "a", count: 50_000) + "b")])
        let errors = validator.validate(value)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("does not match the pattern ^(a+)+$") == true)
        #expect(errors.first?.schemaLocation.description == "/properties/name/pattern")
        #expect(validator.isValid(.object(["name": .string(String(repeating: "a", count: 50_000))])))
    }

    @Test("backreferences, lookbehind and oversized patterns are refused, naming the pattern", arguments: [
        (#"(a)\1"#, "backreferences"), (#"(?<x>a)\k<x>"#, "backreferences"), ("(?<=a)b", "lookbehind"),
        ("(?<!a)b", "lookbehind"), ("a{100000}", "larger than 10000"), ("((a{100}){100}){2}", "too large"),
        ("(?i)a", "invalid group"), ("a**", "nothing to repeat"), ("[z-a]", "out of order"), ("a{3,1}", "out of order"),
        (#"\p{Script=Greek}"#, "unsupported Unicode property"), ("(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))", "nest more than"),
    ])
    func refused(pattern: String, reason: String) throws {
        do {
            _ = try JSONSchemaValidator(schema: .object(["properties": .object(["p": .object(["pattern": .string(pattern)])])]))
            Issue.record("\(pattern) compiled")
        } catch {
            #expect(error.message.contains(reason), "\(error.message)")
            #expect(error.message.contains(pattern), "\(error.message)")
            #expect(error.location.description == "/properties/p/pattern")
        }
    }

    @Test("running out of regex steps fails validation with an error naming the pattern and place")
    func patternBudget() throws {
        let validator = try JSONSchemaValidator(schema: parse(#"{"items": {"pattern": "^(a|b|ab)*c"}}"#))
        let value: JSONValue = .array(Array(repeating: .string(String(repeating: "ab", count: 5_000)), count: 10))
        // Within the default budget: every item fails normally.
        #expect(validator.validate(value).count == 10)
        let errors = validator.validate(value, stepLimit: Limits.schemaSteps, patternSteps: 100_000)
        #expect(!validator.isValid(value, stepLimit: Limits.schemaSteps, patternSteps: 100_000))
        let last = try #require(errors.last)
        #expect(last.message.contains("pattern '^(a|b|ab)*c' needs more than"))
        #expect(last.schemaLocation.description == "/items/pattern")
        #expect(last.instanceLocation.tokens.count == 1)
    }

    @Test("patternProperties in schema diff use the linear engine")
    func compatibilityPatterns() throws {
        let old = parse(#"{"patternProperties": {"^(a+)+$": {"type": "string"}}, "additionalProperties": false}"#)
        let longName = String(repeating: "a", count: 20_000) + "b"
        let new = JSONValue.object(["properties": .object([longName: .object(["type": .string("string")])]),
                                    "patternProperties": .object(["^(a+)+$": .object(["type": .string("string")])]),
                                    "additionalProperties": .bool(false)])
        let report = try SchemaCompatibility.compare(old: old, new: new)
        #expect(report.changes.map(\.kind) == [.propertyAddedToClosedContentModel])
    }
}

/// `$defs` that fan out: d0 = anyOf [150 x $ref d1], d1 = anyOf [150 x $ref d2], ... Evaluated
/// naively that is 150^6 (10^13) applications.
private func fanOut(levels: Int = 6, width: Int = 150, combinator: String = "anyOf", leaf: JSONValue = ["type": "string"],
                    wrap: (String) -> JSONValue = { .object(["$ref": .string("#/$defs/\($0)")]) }) -> JSONValue {
    var defs = JSONObject()
    for k in 0..<levels {
        defs["d\(k)"] = .object([combinator: .array(Array(repeating: wrap("d\(k + 1)"), count: width))])
    }
    defs["d\(levels)"] = leaf
    return .object(["$defs": .object(defs), "$ref": "#/$defs/d0"])
}

@Suite struct SchemaFanOutTests {
    @Test("validation memoises shared definitions: anyOf of 150 $refs, six levels")
    func validationAnyOf() throws {
        let validator = try JSONSchemaValidator(schema: fanOut())
        // 150 applications per level and location, not 150^6; a small budget proves it.
        #expect(!validator.isValid(1, stepLimit: 10_000, patternSteps: 0))
        #expect(validator.isValid("text", stepLimit: 10_000, patternSteps: 0))
        let errors = validator.validate(1, stepLimit: 10_000, patternSteps: 0)
        #expect(errors.map(\.message) == ["does not match any of the 150 schemas in anyOf"])
    }

    @Test("validation memoises through properties: the same definition at the same place")
    func validationThroughProperties() throws {
        let schema = fanOut(wrap: { .object(["properties": .object(["a": .object(["$ref": .string("#/$defs/\($0)")])]), "required": ["a"]]) })
        let validator = try JSONSchemaValidator(schema: schema)
        var instance: JSONValue = 1
        for _ in 0..<6 { instance = .object(["a": instance]) }
        #expect(!validator.isValid(instance, stepLimit: 20_000, patternSteps: 0))
        var good: JSONValue = "leaf"
        for _ in 0..<6 { good = .object(["a": good]) }
        #expect(validator.isValid(good, stepLimit: 20_000, patternSteps: 0))
    }

    @Test("validate reports a failure of a shared definition once, not once per route")
    func allOfReportsOnce() throws {
        let validator = try JSONSchemaValidator(schema: fanOut(combinator: "allOf"))
        let errors = validator.validate(1, stepLimit: 10_000, patternSteps: 0)
        #expect(errors.count == 1)
        #expect(errors.first?.message == "expected string, got integer")
    }

    @Test("a schema that multiplies work without sharing runs out of steps with a clear error")
    func stepBudget() throws {
        // `unevaluatedProperties` needs the annotations of every matching branch, so the memo
        // does not apply and all 10^8 routes would be walked; the budget stops it.
        var defs = JSONObject()
        for k in 0..<8 {
            defs["d\(k)"] = .object(["anyOf": .array(Array(repeating: .object(["$ref": .string("#/$defs/d\(k + 1)")]), count: 10)),
                                     "unevaluatedProperties": false])
        }
        defs["d8"] = ["type": "object"]
        let validator = try JSONSchemaValidator(schema: .object(["$defs": .object(defs), "items": ["$ref": "#/$defs/d0"]]))
        let errors = validator.validate([[:], [:]], stepLimit: 50_000, patternSteps: 0)
        #expect(errors.map(\.message) == ["schema too complex: more than 50000 evaluation steps at /0"])
        #expect(errors.first?.instanceLocation.description == "/0")
        #expect(!validator.isValid([[:]], stepLimit: 50_000, patternSteps: 0))
    }

    @Test("schema diff probes each $ref pair once per combinator: six levels of 150")
    func compatibility() throws {
        let old = fanOut()
        let new = fanOut(leaf: ["type": "string", "maxLength": 3])
        let engine = CompatEngine(old: old, new: new, mode: .strict, stepLimit: 1_000_000)
        let changes = try engine.run()
        #expect(changes.map(\.kind) == [.maxLengthAdded])
        #expect(changes.first?.path.description == "/anyOf/0/anyOf/0/anyOf/0/anyOf/0/anyOf/0/anyOf/0/maxLength")
        let report = try SchemaCompatibility.compare(old: old, new: new)
        #expect(!report.backward && report.forward)
    }

    @Test("schema diff that still multiplies runs out of steps with a clear error")
    func compatibilityBudget() throws {
        var old = JSONObject(), new = JSONObject()
        for k in 0..<6 {
            let alternatives: [JSONValue] = (0..<12).map { n in .object(["$ref": .string("#/$defs/d\(k + 1)"), "minLength": .integer(n)]) }
            old["d\(k)"] = .object(["anyOf": .array(alternatives)])
            new["d\(k)"] = .object(["anyOf": .array(alternatives.reversed())])
        }
        old["d6"] = ["type": "string"]
        new["d6"] = ["type": "string", "maxLength": 3]
        let engine = CompatEngine(old: .object(["$defs": .object(old), "$ref": "#/$defs/d0"]),
                                  new: .object(["$defs": .object(new), "$ref": "#/$defs/d0"]), mode: .strict, stepLimit: 20_000)
        do {
            _ = try engine.run()
            Issue.record("finished within 20,000 steps")
        } catch {
            #expect(error.message.hasPrefix("schema too complex: more than 20000 comparison steps at /anyOf/"), "\(error.message)")
            #expect(error.side == nil)
        }
    }

    /// Found by ContractFuzzTests: an absent keyword compared with a recursive `$ref` nested
    /// until the stack overflowed (signal 11).
    @Test("an absent schema against a recursive one terminates")
    func absentAgainstRecursion() throws {
        let recursive = parse(##"{"unevaluatedProperties": {"$ref": "#"}, "items": {"$ref": "#"}}"##)
        #expect(try SchemaCompatibility.compare(old: [:], new: recursive).changes.isEmpty)
        #expect(try SchemaCompatibility.compare(old: recursive, new: [:]).changes.isEmpty)
    }

    @Test("comparisons nesting deeper than Limits.compatibilityDepth are an error, not a crash")
    func compatibilityDepth() throws {
        func nested(_ depth: Int, leaf: JSONValue) -> JSONValue {
            var schema = leaf
            for _ in 0..<depth { schema = .object(["properties": .object(["a": schema])]) }
            return schema
        }
        do {
            _ = try SchemaCompatibility.compare(old: nested(400, leaf: ["type": "string"]), new: nested(400, leaf: ["type": "integer"]))
            Issue.record("compared 400 levels")
        } catch {
            #expect(error.message.hasPrefix("schema too complex: the comparison nests deeper than 256 levels at /properties/a/properties/a/properties/a/...("),
                    "\(error.message)")
        }
    }

    @Test("a value failing millions of times reports Limits.validationErrors errors and stops")
    func errorsAreCapped() throws {
        let validator = try JSONSchemaValidator(schema: parse(#"{"items": {"type": "string"}}"#))
        let value = JSONValue.array(Array(repeating: 1, count: 1_500_000))
        let errors = validator.validate(value)
        #expect(errors.count == Limits.validationErrors + 1)
        #expect(errors.last?.message == "more than 1000 errors; validation stopped here and the rest are not reported")
        #expect(errors.last?.instanceLocation.description == "/1000")
        #expect(errors[999].message == "expected string, got integer")
        #expect(!validator.isValid(value))
    }

    @Test("the memo tells a property name from the property's value")
    func memoSeparatesNamesFromValues() throws {
        let schema = parse(##"{"$defs": {"s": {"type": "string", "maxLength": 3}}, "propertyNames": {"$ref": "#/$defs/s"}, "properties": {"abc": {"$ref": "#/$defs/s"}, "toolong": {"$ref": "#/$defs/s"}}}"##)
        let validator = try JSONSchemaValidator(schema: schema)
        #expect(!validator.isValid(["abc": 1]))
        #expect(validator.validate(["abc": 1]).map(\.message) == ["expected string, got integer"])
        #expect(validator.isValid(["abc": "x"]))
        #expect(validator.validate(["toolong": "x"]).map(\.instanceLocation.description) == ["/toolong"])
    }

    /// Found by ContractFuzzTests (seed 7): `contains` applied a shared schema to each item at
    /// the array's own location, so the memo answered for the array.
    @Test("the memo tells contains' items from their array")
    func memoSeparatesContainsItems() throws {
        let schema = parse(##"{"$defs": {"s": {"type": "number"}}, "contains": {"$ref": "#/$defs/s"}, "anyOf": [{"$ref": "#/$defs/s"}, {"type": "array"}]}"##)
        let validator = try JSONSchemaValidator(schema: schema)
        #expect(validator.isValid(["x", 1]))
        #expect(!validator.isValid(["x", "y"]))
        #expect(validator.validate(["x", 1]).isEmpty)
    }

    /// Found by ContractFuzzTests (seed 3): a `$ref` with sibling assertions becomes an `allOf`
    /// at the object's location, and its siblings part had that same location, so the memo
    /// (and the probe cache) mistook one for the other.
    @Test("the compatibility memo tells a $ref-with-siblings from its siblings part")
    func compatibilityMemoSeparatesSyntheticParts() throws {
        let old = parse(##"{"$ref": "#/$defs/d1", "unevaluatedProperties": {"$ref": "#"}, "$defs": {"d1": {"required": []}}}"##)
        let new = parse(##"{"$ref": "#/$defs/d0", "anyOf": [{"dependentRequired": {"a": ["b"]}}, {"exclusiveMaximum": 2, "$ref": "#/$defs/d1", "minItems": 3}], "$defs": {"d0": {"$ref": "#"}, "d1": {"maxLength": 5}}}"##)
        for mode in [CompatibilityMode.strict, .lenient] {
            let cached = try CompatEngine(old: old, new: new, mode: mode).run()
            let plain = try CompatEngine(old: old, new: new, mode: mode, cachesProbes: false).run()
            #expect(cached.map(\.kind) == plain.map(\.kind))
            #expect(CompatibilityReport(mode: mode, changes: cached).forward == CompatibilityReport(mode: mode, changes: plain).forward)
        }
    }
}
