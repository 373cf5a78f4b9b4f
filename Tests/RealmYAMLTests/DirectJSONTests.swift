import RealmJSON
import Testing
@testable import RealmYAML

/// `YAML.parseJSON`, `YAML.check` and `YAML.parse(bytes:jsonFields:)` build values straight from
/// libyaml's events: they must give what `parse` followed by `toJSON()` gives, value and error.
@Suite struct DirectJSONTests {
    /// The tree path's outcome and the direct path's, as comparable text.
    static func outcomes(_ text: String) -> (tree: String, direct: String, check: String) {
        func describe(_ body: () throws(YAMLError) -> JSONValue?) -> String {
            do {
                return try body().map { JSONSerializer.string($0) } ?? "(empty)"
            } catch {
                return "error \(error)"
            }
        }
        let tree = describe { () throws(YAMLError) -> JSONValue? in try YAML.parse(text)?.toJSON() }
        let direct = describe { () throws(YAMLError) -> JSONValue? in try YAML.parseJSON(bytes: Array(text.utf8)) }
        // check: the parse errors only (a conversion error is not a parse error).
        let parseOnly: String
        do { _ = try YAML.parse(text); parseOnly = "ok" } catch { parseOnly = "error \(error)" }
        var checked = "ok"
        do { try YAML.check(bytes: Array(text.utf8)) } catch { checked = "error \(error)" }
        return (tree, direct, parseOnly == checked ? "same" : "check: \(checked), parse: \(parseOnly)")
    }

    @Test(arguments: [
        // Anchors and aliases in values, keys and both.
        "a: &x {b: 1, c: [1, 2]}\nd: *x\ne: *x\n",
        "- &s hello\n- *s\n- {*s : 1}\n",
        "&r [1, *r]\n",
        "{&k key: 1, other: *k}\n",
        "{&k !!int nope: 1, other: *k}\n",
        "{&k !!int nope: 1, *k : 2}\n",
        "[&c [1, !!int x], *c]\n",
        "{&m {a: 1}: 1}\n",
        "{a: &m {b: 1}, *m : 2}\n",
        "{a: 1, *undefined : 2}\n",
        "{a: &x 1, b: 2, *x : 3}\n",
        "{a: &x a, *x : 2}\n",
        // Collection keys, then errors after them.
        "{[1, 2]: a, b: !!int x}\n",
        "? [1, !!int y]\n: z\n",
        "{a: !!int x, [1]: b}\n",
        "{a: {b: [!!bool maybe]}}\n",
        "- !!null x\n- !!float y\n- !!int 0x1G\n",
        "- !!float 12\n- !!int '0o17'\n- !!str 12\n- !custom 1\n- ! 12\n",
        // Duplicate keys (parse errors) after a conversion error: the parse error wins.
        "{a: !!int x, b: 1, b: 2}\n",
        "a:\n  b: 1\n  c: 2\n  b: 3\n",
        "{x: [1, {a: 1, a: 2}]}\n",
        // Scalars of every kind, at the root too.
        "12\n", "~\n", "'quoted'\n", "|\n  block\n", "", "---\n...\n", "--- !!str\n",
        "{1: a, 1.0: b, null: c, true: d, '': e}\n",
        "\u{FEFF}a: 1\n",
        "a: 1\n---\nb: 2\n",
        "a: [1, 2\n",
        "a: b: c\n",
    ])
    func sameAsTheTree(text: String) {
        let (tree, direct, check) = Self.outcomes(text)
        #expect(direct == tree, "\(text.debugDescription)")
        #expect(check == "same", "\(text.debugDescription)")
    }

    @Test func manyKeysFindDuplicatesWithTheirLine() {
        var text = ""
        for i in 0..<40 { text += "k\(i): \(i)\n" }
        text += "k17: again\n"
        let (tree, direct, _) = Self.outcomes(text)
        #expect(tree.contains("duplicate key \"k17\" (first defined at line 18)"))
        #expect(direct == tree)
    }

    @Test func aliasesShareTheirValue() throws {
        let json = try YAML.parseJSON("base: &b {x: [1, 2, 3]}\nuses: [*b, *b, *b]\n")
        #expect(json?["uses"] == [["x": [1, 2, 3]], ["x": [1, 2, 3]], ["x": [1, 2, 3]]])
    }

    // MARK: Limits: refused as by the tree path, with the same messages

    @Test func tooDeepIsRefused() {
        let text = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let error = parseError(text)
        #expect(error?.message == "nesting is deeper than the limit of 128 levels")
        #expect(error?.column == 129)
        let limits = YAMLLimits(maxDepth: 3)
        #expect(throws: Never.self) { try YAML.parseJSON("[[[1]]]", limits: limits) }
        #expect(parseError("a: [[[1]]]", limits: limits)?.message == "nesting is deeper than the limit of 3 levels")
    }

    @Test func tooManyNodesIsRefused() {
        let laughs = """
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
            g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]

            """
        let error = parseError(laughs)
        #expect(error?.message == "document has more than 1000000 nodes (counting each alias as the size of its target)")
        let small = YAMLLimits(maxNodes: 5)
        #expect(parseError("[1, 2, 3, 4, 5]", limits: small)?.message
            == "document has more than 5 nodes (counting each alias as the size of its target)")
        #expect(throws: Never.self) { try YAML.parseJSON("[1, 2, 3, 4]", limits: small) }
    }

    @Test func tooLargeIsRefusedBeforeParsing() {
        let limits = YAMLLimits(maxBytes: 10)
        let error = parseError("a: [1, 2, 3, 4]", limits: limits)
        #expect(error == YAMLError(line: 1, column: 1, message: "document is 15 bytes, larger than the limit of 10"))
    }

    // MARK: parse(bytes:jsonFields:)

    @Test func jsonFieldsAreValuesAndTheTreeKeepsAPlaceholder() throws {
        let text = """
            name: c
            schema:
              type: object
            value: [1, {a: !!int 7}]
            scalar: 12
            other: {x: 1}

            """
        guard let document = try YAML.parse(bytes: Array(text.utf8), jsonFields: ["schema", "value", "scalar"]) else {
            Issue.record("empty")
            return
        }
        #expect(try document.fields["schema"]?.value.get() == ["type": "object"])
        #expect(try document.fields["value"]?.value.get() == [1, ["a": 7]])
        #expect(document.fields["scalar"] == nil)  // scalars stay nodes
        #expect(document.root["schema"] == .mapping([], Mark(line: 3, column: 3)))
        #expect(document.fields["schema"]?.mark == Mark(line: 3, column: 3))
        #expect(document.root["value"] == .sequence([], Mark(line: 4, column: 8)))
        #expect(document.root["scalar"]?.scalarValue == "12")
        #expect(try document.root["other"]?.toJSON() == ["x": 1])
        #expect(try document.root.toJSON()["name"] == "c")
    }

    @Test func jsonFieldErrorsAreTheFieldsOwn() throws {
        let text = "value: [!!int x, !!bool y]\nschema: {a: 1}\nother: [!!int z]\n"
        let tree = try #require(try YAML.parse(text))
        let document = try #require(try YAML.parse(bytes: Array(text.utf8), jsonFields: ["value", "schema"]))
        #expect(throws: YAMLError(line: 1, column: 9, message: "\"x\" is not a valid !!int value")) {
            try document.fields["value"]?.value.get()
        }
        #expect(throws: YAMLError(line: 1, column: 9, message: "\"x\" is not a valid !!int value")) {
            try tree["value"]?.toJSON()
        }
        #expect(try document.fields["schema"]?.value.get() == ["a": 1])
        // Not a JSON field: a node as ever, converted (or not) by the caller.
        #expect(document.root["other"] == tree["other"])
    }

    @Test func anchoredAndAliasedFieldsStayNodes() throws {
        let text = "value: &v {a: 1}\nschema: *v\n"
        let document = try #require(try YAML.parse(bytes: Array(text.utf8), jsonFields: ["value", "schema"]))
        #expect(document.fields.isEmpty)
        #expect(try document.root["value"]?.toJSON() == ["a": 1])
        #expect(try document.root["schema"]?.toJSON() == ["a": 1])
    }

    @Test func onlyTheRootMappingsFieldsAreJSON() throws {
        let text = "outer:\n  value: [1]\nvalue: [2]\n"
        let document = try #require(try YAML.parse(bytes: Array(text.utf8), jsonFields: ["value"]))
        #expect(document.root["outer"]?["value"]?.sequenceItems?.count == 1)
        #expect(try document.fields["value"]?.value.get() == [2])
        let list = try #require(try YAML.parse(bytes: Array("- value: [1]\n".utf8), jsonFields: ["value"]))
        #expect(list.fields.isEmpty)
    }

    @Test func skippedFieldsAreParsedNotKept() throws {
        let text = "name: c\nschema: {type: object}\nvalue: [1, !!int x, {a: &y 1, b: *y}]\nflag: true\n"
        let document = try #require(try YAML.parse(bytes: Array(text.utf8), jsonFields: ["schema", "value", "flag"],
                                                   skippingValues: true))
        #expect(try document.fields["schema"]?.value.get() == .object([:]))
        #expect(try document.fields["value"]?.value.get() == .array([]))  // no conversion error looked for
        #expect(document.root["flag"]?.scalarValue == "true")
        #expect(document.root["name"]?.scalarValue == "c")
        // What the limits and the parser refuse is refused all the same.
        for bad in ["value: {a: 1, a: 2}\n", "value: [[[1]]]\n", "value: [1, 2\n"] {
            let limits = YAMLLimits(maxDepth: 2)
            let tree: YAMLError?
            do { _ = try YAML.parse(bad, limits: limits); tree = nil } catch { tree = error }
            #expect(tree != nil)
            #expect(throws: tree!) {
                try YAML.parse(bytes: Array(bad.utf8), limits: limits, jsonFields: ["value"], skippingValues: true)
            }
        }
    }

    @Test func invalidUTF8IsAnErrorWithItsPosition() {
        let bytes: [UInt8] = Array("a: ".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        #expect(!YAML.isValidUTF8(bytes))
        #expect(YAML.isValidUTF8(Array("héllo ✓ 𝄞".utf8)))
        #expect(!YAML.isValidUTF8([0xED, 0xA0, 0x80]))  // a surrogate
        #expect(!YAML.isValidUTF8([0xC0, 0x80]))  // overlong
        #expect(!YAML.isValidUTF8([0xE2, 0x82]))  // truncated
        let tree: YAMLError?
        do { _ = try YAML.parse(bytes: bytes); tree = nil } catch { tree = error }
        #expect(tree != nil)
        #expect(throws: tree!) { try YAML.parseJSON(bytes: bytes) }
    }

    // MARK: Random documents

    /// Random flow-style documents with anchors, aliases, tags and collection keys: the direct
    /// path agrees with the tree path on every one, value or error.
    @Test func randomDocumentsAgree() {
        var rng = SplitMix64(seed: 0xD1EC_7000)
        func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
        var anchors: [String] = []
        func scalar() -> String {
            let plain = ["1", "x", "0x1F", "1.5", "true", "~", "null", "abc", "12:30", ".inf", "''", "\"q\""]
            var text = plain[int(0...plain.count - 1)]
            if int(0...5) == 0 { text = ["!!int ", "!!str ", "!!bool ", "!!float ", "!!null ", "!x "][int(0...5)] + text }
            return text
        }
        func node(_ depth: Int) -> String {
            let anchor = int(0...6) == 0 ? "&a\(anchors.count) " : ""
            let text: String
            switch depth <= 0 ? int(0...1) : int(0...4) {
            case 0: text = scalar()
            case 1:
                if anchors.isEmpty || !anchor.isEmpty { text = scalar() } else { return "*" + anchors[int(0...anchors.count - 1)] }
            case 2: text = "[" + (0..<int(0...3)).map { _ in node(depth - 1) }.joined(separator: ", ") + "]"
            default:
                let pairs = (0..<int(0...3)).map { _ -> String in
                    let key = int(0...5) == 0 ? node(depth - 1) : ["a", "b", "c", "1", "x"][int(0...4)]
                    return "? " + key + " : " + node(depth - 1)
                }
                text = "{" + pairs.joined(separator: ", ") + "}"
            }
            if !anchor.isEmpty { anchors.append("a\(anchors.count)") }
            return anchor + text
        }
        var disagreements = 0
        for _ in 0..<2000 {
            anchors = []
            let text = node(4) + "\n"
            let (tree, direct, check) = Self.outcomes(text)
            if direct != tree || check != "same" {
                disagreements += 1
                if disagreements <= 5 { Issue.record("\(text)\ntree:   \(tree)\ndirect: \(direct)\n\(check)") }
            }
        }
        #expect(disagreements == 0)
    }
}
