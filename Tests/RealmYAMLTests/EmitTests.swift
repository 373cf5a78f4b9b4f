import RealmJSON
import Testing
@testable import RealmYAML

@Suite struct EmitTests {
    @Test func blockLayout() {
        let value: JSONValue = [
            "name": "letemcook",
            "list": ["a", "b"],
            "nested": ["x": 1, "y": ["deep": true]],
            "empty list": [],
            "empty map": [:],
            "none": nil,
            "maps": [["k": "v", "k2": [1, 2]], [:], [], [["inner"]]],
        ]
        #expect(YAML.emit(json: value) == """
            name: letemcook
            list:
              - a
              - b
            nested:
              x: 1
              "y":
                deep: true
            empty list: []
            empty map: {}
            none: null
            maps:
              - k: v
                k2:
                  - 1
                  - 2
              - {}
              - []
              - - - inner

            """)
    }

    @Test func roots() {
        #expect(YAML.emit(json: nil) == "null\n")
        #expect(YAML.emit(json: []) == "[]\n")
        #expect(YAML.emit(json: [:]) == "{}\n")
        #expect(YAML.emit(json: "x") == "x\n")
        #expect(YAML.emit(json: [1, [2, 3]]) == "- 1\n- - 2\n  - 3\n")
        #expect(YAML.emit(json: "a\nb") == "|-\n  a\n  b\n")
    }

    @Test func numbersAndBooleans() {
        #expect(YAML.emit(json: [1, -2, 2.5, 1e20, 1e-7, 3.0, true, false]) ==
            "- 1\n- -2\n- 2.5\n- 1e+20\n- 1e-07\n- 3\n- true\n- false\n")
        #expect(YAML.emit(json: [.number(.infinity), .number(-.infinity), .number(.nan)]) ==
            "- .inf\n- -.inf\n- .nan\n")
    }

    @Test(arguments: [
        "", " ", "1.0", "123", "-1", "+1", "1e3", "0x1F", "0o17", ".inf", ".nan",
        "true", "True", "FALSE", "yes", "No", "on", "OFF", "y", "n", "Y", "null", "~", "NULL",
        "1_000", "0b11", "12:30", "1.5e+3", "=", "<<",
        " lead", "trail ", "a: b", "a #b", "x:", "- a", "-a", "?x", ":x", ",x", "[x", "]x", "{x", "}x",
        "#x", "&x", "*x", "!x", "|x", ">x", "'x", "\"x", "%x", "@x", "`x", "...", "--- x",
        "tab\tinside", "nul\u{0}", "bell\u{7}", "esc\u{1B}", "del\u{7F}", "nel\u{85}", "ls\u{2028}", "bom\u{FEFF}",
        "cr\r",
    ])
    func unsafeStringsAreDoubleQuoted(text: String) throws {
        let out = YAML.emit(json: ["k": .string(text)])
        #expect(out.hasPrefix("k: \""), "\(out)")
        #expect(try toJSON(out) == ["k": .string(text)])
    }

    @Test(arguments: [
        "hello", "hello world", "1.4.0", "2026-01-24T10:00:00Z", "2026-01-24", "a:b", "a#b", "a-b", "x?",
        "jobs/*/masks/*", "https://git.example.com/realms/letemcook.git", "eric@example.com", "é", "日本語",
        "😀 ok", "a,b", "a[0]", "{x}y".dropFirst().description, "nullable", "Yesterday", "on-call", "1a", "0x1G",
        "1.2.3.4", "v1.0", ".hidden", "+", "~/path", "a'b", "say \"hi\"", "back\\slash", "50%",
    ])
    func safeStringsArePlain(text: String) throws {
        let out = YAML.emit(json: ["k": .string(text)])
        #expect(out == "k: \(text)\n")
        #expect(try toJSON(out) == ["k": .string(text)])
    }

    @Test func escapes() {
        #expect(YAML.emit(json: .string("q\"b\\t\t\u{0}\u{7}\u{8}\u{B}\u{C}\r\u{1B}\u{85}\u{2028}\u{2029}\u{1}\u{7F}\u{9F}\u{FEFF}\u{FFFE}é")) ==
            "\"q\\\"b\\\\t\\t\\0\\a\\b\\v\\f\\r\\e\\N\\L\\P\\x01\\x7F\\x9F\\uFEFF\\uFFFEé\"\n")
    }

    @Test func multiLineStrings() throws {
        let cases: [(String, String)] = [
            ("a\nb", "k: |-\n  a\n  b\n"),
            ("a\nb\n", "k: |\n  a\n  b\n"),
            ("a\nb\n\n", "k: |+\n  a\n  b\n\n"),
            ("a\n\nb", "k: |-\n  a\n\n  b\n"),
            ("  indented\nline", "k: |2-\n    indented\n  line\n"),
            ("\nleading", "k: |-\n\n  leading\n"),
            // A combining mark after the leading space must not hide it (bytes, not Characters).
            (" \u{2DE4}x\ny", "k: |2-\n   \u{2DE4}x\n  y\n"),
            ("trailing \nspaces", "k: \"trailing \\nspaces\"\n"),
            ("trailing\nspaces ", "k: \"trailing\\nspaces \"\n"),
            ("a\n\t\nb", "k: \"a\\n\\t\\nb\"\n"),
            ("tab\tinside\nx", "k: |-\n  tab\tinside\n  x\n"),
            ("# not a comment\n- not an item", "k: |-\n  # not a comment\n  - not an item\n"),
            ("cr\r\nlf", "k: \"cr\\r\\nlf\"\n"),
            ("\n", "k: \"\\n\"\n"),
            ("a\n  ", "k: \"a\\n  \"\n"),
        ]
        for (text, expected) in cases {
            let out = YAML.emit(json: ["k": .string(text)])
            #expect(out == expected)
            #expect(try toJSON(out) == ["k": .string(text)], "\(out)")
        }
        #expect(YAML.emit(json: [["a\nb"]]) == "- - |-\n    a\n    b\n")
        #expect(YAML.emit(json: ["m": ["k": "a\nb"]]) == "m:\n  k: |-\n    a\n    b\n")
    }

    @Test func multiLineKeysAreDoubleQuoted() throws {
        let value: JSONValue = ["a\nb": 1, "true": 2, "": 3]
        let out = YAML.emit(json: value)
        #expect(out == "\"a\\nb\": 1\n\"true\": 2\n\"\": 3\n")
        #expect(try toJSON(out) == value)
    }

    @Test func requestedStylesAreHonouredWhenSafe() throws {
        let node = YAMLNode.map([
            ("version", .string("1.4.0", style: .doubleQuoted)),
            ("single", .string("it's", style: .singleQuoted)),
            ("single unsafe", .string("a\nb", style: .singleQuoted)),
            ("literal", .string("one line", style: .literal)),
            ("literal unsafe", .string("bell\u{7}", style: .literal)),
            ("folded", .string("a\nb\n\nc\n", style: .folded)),
            ("folded indented", .string("a\n  b", style: .folded)),
            ("plain unsafe", .string("true", style: .plain)),
        ])
        let out = YAML.emit(node)
        #expect(out == """
            version: "1.4.0"
            single: 'it''s'
            single unsafe: "a\\nb"
            literal: |-
              one line
            literal unsafe: "bell\\a"
            folded: >
              a

              b


              c
            folded indented: |-
              a
                b
            plain unsafe: "true"

            """)
        let back = try parseOne(out)
        #expect(try back.toJSON() == node.toJSON())
        #expect(YAML.emit(back) == out)
    }

    @Test func untaggedPlainScalarsKeepTheirMeaning() throws {
        // A parsed file re-emits numbers, booleans and nulls unquoted.
        let text = "days: 14\nflag: true\nnothing: ~\nempty:\nversion: \"1.0\"\n"
        let out = YAML.emit(try parseOne(text))
        #expect(out == "days: 14\nflag: true\nnothing: ~\nempty: null\nversion: \"1.0\"\n")
    }

    @Test func tagsArePrintedWhenNeeded() throws {
        let text = "a: !!int \"12\"\nb: !!str 12\nc: !!int 12\nd: !thing x\ne: !<tag:example.com,2026:x%20y> z\nf: !!binary aGk=\n"
        let node = try parseOne(text)
        let out = YAML.emit(node)
        #expect(out == "a: !!int \"12\"\nb: \"12\"\nc: 12\nd: !thing x\ne: !<tag:example.com,2026:x%20y> z\nf: !!binary aGk=\n")
        let again = try parseOne(out)
        #expect(again["e"]?.scalar?.tag == "tag:example.com,2026:x y")
        #expect(try again.toJSON() == node.toJSON())
        #expect(YAML.emit(again) == out)
    }

    @Test func longAndComplexKeys() throws {
        let long = String(repeating: "k", count: 1200)
        let value: JSONValue = [.init(stringLiteral: long): [1, 2], "short": "x"]
        let out = YAML.emit(json: value)
        #expect(out.hasPrefix("? \(long)\n:\n  - 1\n  - 2\nshort: x\n"))
        #expect(try toJSON(out) == value)

        let complex = YAMLNode.mapping([
            YAMLPair(key: .seq([.string("a"), .string("b")]), value: .string("v")),
            YAMLPair(key: .map([("k", .string("v"))]), value: .seq([.string("x")])),
            YAMLPair(key: .seq([]), value: .string("e")),
        ], .zero)
        let complexOut = YAML.emit(complex)
        #expect(complexOut == "? - a\n  - b\n: v\n? k: v\n:\n  - x\n? []\n: e\n")
        #expect(try YAML.emit(parseOne(complexOut)) == complexOut)
    }

    @Test func seedsReEmitStably() throws {
        for text in [Seeds.realm, Seeds.repo, Seeds.contract, Seeds.importBinding, Seeds.localConfig] {
            let node = try parseOne(text)
            let out = YAML.emit(node)
            let again = try parseOne(out)
            #expect(YAML.emit(again) == out)
            #expect(try again.toJSON() == node.toJSON())
        }
        let contract = YAML.emit(try parseOne(Seeds.contract))
        #expect(contract.contains("version: \"1.4.0\"\n"))
        #expect(contract.contains("    read:\n      type: array\n      items:\n        type: string\n"))
        #expect(contract.contains("  - version: \"1.0.0\"\n    changes:\n      - \"Initial with read array\"\n"))
    }

    @Test func emissionIsLinear() {
        // 200k items: a quadratic emitter would take minutes.
        let items = (0..<200_000).map { JSONValue.string("item \($0): \"quoted\"") }
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = YAML.emit(json: ["items": .array(items)]) }
        #expect(elapsed < .seconds(10))
    }
}
