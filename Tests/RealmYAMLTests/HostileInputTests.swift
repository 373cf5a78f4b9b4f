import RealmJSON
import Testing
@testable import RealmYAML

@Suite struct HostileInputTests {
    /// "Billion laughs": nine levels of ten aliases each would expand to 10^9 nodes.
    static let aliasBomb: String = {
        var lines = ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            let refs = Array(repeating: "*\(previous)", count: 10).joined(separator: ",")
            lines.append("\(name): &\(name) [\(refs)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func aliasBombIsRefusedQuickly() {
        let clock = ContinuousClock()
        var error: YAMLError?
        let elapsed = clock.measure { error = parseError(Self.aliasBomb) }
        #expect(elapsed < .seconds(1))
        #expect(error?.message.contains("more than 1000000 nodes") == true)
        // Levels a…e count 123,455 nodes; f's eighth alias of e (111,111 nodes each) crosses 10^6.
        #expect(error?.line == 6)
        #expect(error?.column == 29)
    }

    @Test func modestAliasUseIsCountedNotRefused() throws {
        // Levels a…c expand to 1,000 scalars (plus sequences): well within the limits.
        let text = Self.aliasBomb.split(separator: "\n").prefix(3).joined(separator: "\n")
        let node = try parseOne(text)
        let json = try node.toJSON()
        #expect(json["c"]?.arrayValue?.count == 10)
        #expect(json["c"]?.arrayValue?.first?.arrayValue?.first?.arrayValue?.count == 10)
        // The same document under a tight node limit: 1 + 2*… counts exceed 500.
        let error = parseError(text, limits: YAMLLimits(maxNodes: 500))
        #expect(error?.line == 3)
    }

    @Test func deepFlowNestingIsRefused() {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let clock = ContinuousClock()
        var error: YAMLError?
        let elapsed = clock.measure { error = parseError(text) }
        #expect(elapsed < .seconds(1))
        #expect(error?.description == "1:129: nesting is deeper than the limit of 128 levels")
    }

    @Test func deepBlockAndMappingNestingIsRefused() {
        let block = String(repeating: "- ", count: 100_000) + "x\n"
        #expect(parseError(block)?.message.contains("deeper than the limit") == true)
        let mappings = String(repeating: "{a: ", count: 100_000) + "x" + String(repeating: "}", count: 100_000)
        #expect(parseError(mappings)?.message.contains("deeper than the limit") == true)
    }

    @Test func depthLimitIsExact() throws {
        let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        _ = try parseOne(ok)
        let tooDeep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        #expect(parseError(tooDeep)?.column == 129)
        let custom = YAMLLimits(maxDepth: 2)
        _ = try parseOne("a: {b: c}\n", limits: custom)
        #expect(parseError("a: {b: [c]}\n", limits: custom)?.description
            == "1:8: nesting is deeper than the limit of 2 levels")
    }

    @Test func hugeDocumentIsRefusedBeforeParsing() {
        let line = "key: " + String(repeating: "v", count: 1018) + "\n"  // 1 KiB
        let text = String(repeating: line, count: 9 * 1024)  // 9 MiB, and full of duplicate keys
        #expect(text.utf8.count == 9 << 20)
        let clock = ContinuousClock()
        var error: YAMLError?
        let elapsed = clock.measure { error = parseError(text) }
        #expect(elapsed < .seconds(1))
        #expect(error?.description == "1:1: document is 9437184 bytes, larger than the limit of 8388608")
        #expect(parseError("a: b\n", limits: YAMLLimits(maxBytes: 4))?.line == 1)
    }

    @Test(arguments: [
        ("key: value\n  bad: indent\n", 2, 6, "mapping values are not allowed in this context"),
        ("a: \"unterminated\nb: 2\n", 3, 1, "found unexpected end of stream"),
        ("a: [1, 2\nb: 3\n", 2, 2, "did not find expected ',' or ']'"),
        ("a: 1\n- b\n", 2, 1, "did not find expected key"),
        ("a: 1\nb: *\n", 2, 5, "did not find expected alphabetic or numeric character"),
        ("list:\n  - a\n  b: c\n", 3, 3, "did not find expected '-' indicator"),
        ("a: b\nc: \u{1}\n", 2, 4, "control characters are not allowed (#x1)"),
    ])
    func malformedYAMLReportsLibyamlsPosition(text: String, line: Int, column: Int, problem: String) {
        let error = parseError(text)
        #expect(error?.line == line)
        #expect(error?.column == column)
        #expect(error?.message.hasPrefix(problem) == true, "\(String(describing: error))")
    }

    @Test func libyamlContextIsIncluded() {
        let error = parseError("a: [1, 2\nb: 3\n")
        #expect(error?.description == "2:2: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)")
    }

    @Test func duplicateKeysNameBothLines() {
        let error = parseError("name: a\nversion: 1\nname: b\n")
        #expect(error?.description == "3:1: duplicate key \"name\" (first defined at line 1)")
        // Quoting does not make a different key.
        #expect(parseError("a: 1\n\"a\": 2\n")?.line == 2)
        // Nested mappings are checked too, including large ones (indexed lookup).
        var big = "outer:\n"
        for i in 0..<40 { big += "  k\(i): \(i)\n" }
        big += "  k7: again\n"
        #expect(parseError(big)?.description == "42:3: duplicate key \"k7\" (first defined at line 9)")
        // Same key in different mappings is fine.
        #expect(throws: Never.self) { try YAML.parse("a: {x: 1}\nb: {x: 2}\n") }
    }

    @Test func tabsAsIndentationAreErrors() {
        let error = parseError("a:\n\tb: 1\n")
        #expect(error?.description == "2:1: found character that cannot start any token (while scanning for the next token at 2:1)")
        let nested = parseError("a:\n  b: 1\n\tc: 2\n")
        #expect(nested?.line == 3)
        #expect(nested?.column == 1)
    }

    @Test func invalidEncodingsAreErrors() {
        // Overlong encoding, lone continuation byte, truncated sequence, UTF-16 BOM.
        for bytes: [UInt8] in [[0x61, 0x3A, 0x20, 0xC0, 0x80], [0x80], [0x61, 0xE2, 0x82], [0xFF, 0xFE, 0x61, 0x00]] {
            do {
                _ = try YAML.parse(bytes: bytes)
                Issue.record("expected an error for \(bytes)")
            } catch {
                #expect(error.line == 1)
                #expect(!error.message.isEmpty)
            }
        }
    }
}
