import RealmJSON
import Testing
@testable import RealmYAML

@Suite struct SchemaTests {
    @Test(arguments: [
        ("null", JSONValue.null), ("Null", .null), ("NULL", .null), ("~", .null), ("", .null),
        ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("0", .integer(0)), ("12", .integer(12)), ("-12", .integer(-12)), ("+12", .integer(12)),
        ("012", .integer(12)), ("0o17", .integer(15)), ("0x1F", .integer(31)), ("0xff", .integer(255)),
        ("9223372036854775807", .integer(Int.max)), ("-9223372036854775808", .integer(Int.min)),
        ("1.5", .number(1.5)), ("-1.5", .number(-1.5)), ("1e3", .number(1000)), ("1E-2", .number(0.01)),
        ("1.", .number(1)), (".5", .number(0.5)), ("-.5e+1", .number(-5)), ("+1.25", .number(1.25)),
        (".inf", .number(.infinity)), ("-.Inf", .number(-.infinity)), ("+.INF", .number(.infinity)),
        // YAML 1.1 forms and look-alikes are strings under the core schema.
        ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("off", .string("off")),
        ("y", .string("y")), ("nULL", .string("nULL")), ("tRUE", .string("tRUE")),
        ("1_000", .string("1_000")), ("0b101", .string("0b101")), ("12:30", .string("12:30")),
        ("0o18", .string("0o18")), ("0x", .string("0x")), ("-0x10", .string("-0x10")), ("+0o7", .string("+0o7")),
        (".", .string(".")), ("-", .string("-")), ("1e", .string("1e")), ("e3", .string("e3")),
        ("1.4.0", .string("1.4.0")), ("-.nan", .string("-.nan")), ("inf", .string("inf")),
        ("2026-01-24T10:00:00Z", .string("2026-01-24T10:00:00Z")), ("2026-01-24", .string("2026-01-24")),
        ("hello world", .string("hello world")),
    ])
    func plainScalarResolution(text: String, expected: JSONValue) throws {
        let value = try YAMLScalar(text).jsonValue()
        #expect(value == expected)
        if case .integer = expected { #expect(value == expected && value.typeName == "integer") }
    }

    @Test func nanResolves() throws {
        for text in [".nan", ".NaN", ".NAN"] {
            let value = try YAMLScalar(text).jsonValue()
            #expect(value.doubleValue?.isNaN == true)
        }
    }

    @Test func integerKinds() throws {
        guard case .integer = try YAMLScalar("42").jsonValue() else { Issue.record("not integer"); return }
        guard case .number = try YAMLScalar("42.0").jsonValue() else { Issue.record("not number"); return }
        // Too large for Int: still a number.
        #expect(try YAMLScalar("99999999999999999999").jsonValue() == .number(1e20))
        #expect(try YAMLScalar("0xFFFFFFFFFFFFFFFFFF").jsonValue().doubleValue == 0x1p72 - 1)
    }

    @Test func quotedAndBlockScalarsAreStrings() throws {
        let json = try toJSON("""
            a: "true"
            b: '12'
            c: |
              null
            d: >-
              1.5
            e: ""

            """)
        #expect(json == ["a": "true", "b": "12", "c": "null\n", "d": "1.5", "e": ""])
    }

    @Test func explicitTags() throws {
        let json = try toJSON("""
            s: !!str 12
            s2: !!str true
            i: !!int "12"
            f: !!float 1
            f2: !!float "2.5"
            b: !!bool "true"
            n: !!null ""
            n2: !!null ~
            bang: ! 12
            custom: !thing 12
            binary: !!binary aGVsbG8=

            """)
        #expect(json == [
            "s": "12", "s2": "true", "i": 12, "f": 1.0, "f2": 2.5, "b": true, "n": nil, "n2": nil,
            "bang": "12", "custom": "12", "binary": "aGVsbG8=",
        ])
        if case .number = json["f"] {} else { Issue.record("!!float 1 should be a number") }
    }

    @Test func mismatchedTagsAreErrors() throws {
        #expect(try jsonError("a: !!int abc\n")?.description == "1:4: \"abc\" is not a valid !!int value")
        #expect(try jsonError("a: !!bool yes\n")?.line == 1)
        #expect(try jsonError("a: !!float x\n")?.line == 1)
        #expect(try jsonError("a: !!null 0\n")?.line == 1)
    }

    @Test func collections() throws {
        let json = try toJSON("""
            list: [1, two, {three: 3}]
            nested:
              - - a
                - b
              - []
              - {}
            "quoted key": x
            1: one
            null: n
            true: t

            """)
        #expect(json == [
            "list": [1, "two", ["three": 3]],
            "nested": [["a", "b"], [], [:]],
            "quoted key": "x", "1": "one", "null": "n", "true": "t",
        ])
        // Key order is kept.
        #expect(json.objectValue?.keys.elementsEqual(["list", "nested", "quoted key", "1", "null", "true"]) == true)
    }

    @Test func nonScalarKeysAreAJSONError() throws {
        let error = try jsonError("a: 1\n? [x, y]\n: 2\n")
        #expect(error?.line == 2)
        #expect(error?.column == 3)
        #expect(error?.message.contains("scalars") == true)
    }

    @Test func duplicateKeysInBuiltNodesAreAJSONError() {
        let node = YAMLNode.mapping([
            YAMLPair(key: .scalar(YAMLScalar("a", mark: Mark(line: 3, column: 1))), value: .int(1)),
            YAMLPair(key: .scalar(YAMLScalar("a", mark: Mark(line: 7, column: 1))), value: .int(2)),
        ], Mark(line: 3, column: 1))
        do {
            _ = try node.toJSON()
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "7:1: duplicate key \"a\" (first defined at line 3)")
        }
    }

    @Test func jsonInitRoundTrips() throws {
        let value: JSONValue = [
            "s": "text", "n": nil, "b": false, "i": -3, "d": 2.5, "big": .number(1e300),
            "inf": .number(.infinity), "ninf": .number(-.infinity), "tiny": .number(.leastNonzeroMagnitude),
            "numeric string": "12", "list": [1, "1", true, "true", nil, "null", [:], []],
        ]
        let node = YAMLNode(json: value)
        #expect(node.mark == .zero)
        #expect(try node.toJSON() == value)
        #expect(try parseOne(YAML.emit(json: value)).toJSON() == value)
    }

    @Test func builders() throws {
        let node = YAMLNode.map([
            ("name", .string("letemcook")),
            ("version", .string("1.4.0", style: .doubleQuoted)),
            ("days", .int(14)),
            ("ratio", .number(0.5)),
            ("on", .bool(true)),
            ("none", .null),
            ("items", .seq([.string("a"), .string("12")])),
        ])
        #expect(try node.toJSON() == [
            "name": "letemcook", "version": "1.4.0", "days": 14, "ratio": 0.5, "on": true, "none": nil,
            "items": ["a", "12"],
        ])
        #expect(node["version"]?.scalar?.style == .doubleQuoted)
    }
}
