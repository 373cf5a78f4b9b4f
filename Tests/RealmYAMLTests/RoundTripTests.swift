import RealmJSON
import Testing
@testable import RealmYAML

/// Property-style round trips over generated values (deterministic seeds).
@Suite struct RoundTripTests {
    static let fragments: [String] = [
        "", " ", "  ", "a", "key", "hello world", "true", "True", "FALSE", "yes", "No", "on", "OFF", "y", "n",
        "null", "~", "NULL", "123", "-1", "+1", "007", "1.0", "1e3", "-.5", ".inf", "-.inf", ".nan", "0x1F", "0o17",
        "0b101", "1_000", "12:30", "1:2:3", "2026-01-24T10:00:00Z", "2026-01-24", "1.4.0", "a: b", "a:b", ":",
        "x:", "a #b", "a#b", "#", "#x", "- x", "-x", "-", "--", "---", "--- x", "...", "....", "? x", "?x", "?",
        ":x", "[a]", "{a: b}", "a,b", ",", "&a", "*a", "!x", "!!str", "|", "|-", ">", "'", "''", "\"", "%x", "@x",
        "`x", "it's", "say \"hi\"", "back\\slash", "\\n", "tab\there", "\t", "\n", "\n\n", "\r\n", "\r", "line\nbreak",
        "trailing\n", "two\n\n", "\nleading", "  indented\nline", "a\n  b", " \n", "a\n \nb", "a\n\n\n", "x\n\t\ty",
        "\ty", "é", "日本語", "😀", "a\u{A0}", "\u{A0}", "=", "<<", "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}",
        "\u{7}", "\u{0}", "\u{1B}", "\u{7F}", "\u{9F}", "\u{FFFE}", "\u{FFFF}", "\u{10FFFF}", "k: v\nk2: v2",
        "- a\n- b", "\u{301}", " \u{2DE4}x", "...\u{301}", "a\n\u{301}b", " \u{301}\nx", "# comment", "a # b", "%YAML 1.2", "@", "`", "{", "}", "[", "]", "-1.5e+3", "0.", "+.inf",
    ]

    struct Generator {
        var rng: SplitMix64

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
        mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

        mutating func scalarChar() -> Character {
            switch int(0...9) {
            case 0...3: return Character(Unicode.Scalar(UInt8(int(0x20...0x7E))))
            case 4: return ["\n", "\t", " ", "\r", ":", "#", "-", "'", "\""].randomElement(using: &rng) ?? " "
            case 5: return Character(Unicode.Scalar(UInt8(int(0...0x1F))))
            case 6: return Character(Unicode.Scalar(UInt32(int(0x80...0x36F))).flatMap { $0 } ?? "x")
            case 7: return Character(Unicode.Scalar(UInt32(int(0x2000...0x2FFF))) ?? "x")
            case 8: return Character(Unicode.Scalar(UInt32(int(0xE000...0xFFFF))) ?? "x")
            default: return Character(Unicode.Scalar(UInt32(int(0x1F300...0x1F6FF))) ?? "x")
            }
        }

        mutating func string() -> String {
            var s = ""
            for _ in 0..<int(0...3) {
                if chance(0.6) {
                    s += RoundTripTests.fragments[int(0...RoundTripTests.fragments.count - 1)]
                } else {
                    for _ in 0..<int(1...6) { s.append(scalarChar()) }
                }
            }
            return s
        }

        mutating func double() -> Double {
            switch int(0...4) {
            case 0: return Double(int(-1000...1000)) / 8
            case 1: return Double(int(-1_000_000...1_000_000)) * 1e-9
            case 2: return [Double.infinity, -.infinity, 1e300, -1e-300, .leastNonzeroMagnitude, 1e15, 1e16, 0.1, -0.0].randomElement(using: &rng) ?? 1
            default:
                let d = Double(bitPattern: rng.next())
                return d.isFinite ? d : 1.5
            }
        }

        mutating func json(depth: Int) -> JSONValue {
            let kind = depth <= 0 ? int(0...4) : int(0...6)
            switch kind {
            case 0: return .null
            case 1: return .bool(chance(0.5))
            case 2: return chance(0.3) ? .integer(Int(bitPattern: UInt(rng.next()))) : .integer(int(-1000...1000))
            case 3: return .number(double())
            case 4: return .string(string())
            case 5: return .array((0..<int(0...4)).map { _ in json(depth: depth - 1) })
            default:
                var object = JSONObject()
                for _ in 0..<int(0...4) { object[string()] = json(depth: depth - 1) }
                return .object(object)
            }
        }

        /// Nodes with requested styles, string tags, untagged plain scalars and odd keys.
        mutating func node(depth: Int) -> YAMLNode {
            switch depth <= 0 ? 0 : int(0...3) {
            case 0, 1:
                let styles: [ScalarStyle] = [.plain, .singleQuoted, .doubleQuoted, .literal, .folded]
                let style = styles[int(0...4)]
                switch int(0...9) {
                case 0:  // untagged plain: numbers, booleans, nulls and words keep their meaning
                    let words = ["14", "-2", "-.inf", "1.5", "true", "False", "~", "null", "", "word", "two words", "0x1F"]
                    return .scalar(YAMLScalar(words[int(0...words.count - 1)]))
                case 1:  // explicit tags
                    let tags = [YAMLTag.int, YAMLTag.bool, YAMLTag.null, YAMLTag.float, "!local", "tag:example.com,2026:t"]
                    let values = ["12", "abc", "true", "", "1.5", "x y", "a\nb"]
                    return .scalar(YAMLScalar(values[int(0...values.count - 1)], style: style,
                                              tag: tags[int(0...tags.count - 1)]))
                default:
                    return .string(string(), style: style)
                }
            case 2:
                return .seq((0..<int(0...3)).map { _ in node(depth: depth - 1) })
            default:
                var pairs: [YAMLPair] = []
                var seen = Set<String>()
                for _ in 0..<int(0...3) {
                    let key: YAMLNode
                    if chance(0.1) {
                        key = node(depth: depth - 1)
                        if key.scalar != nil { continue }  // keep scalar keys unique below
                    } else {
                        let text = chance(0.05) ? String(repeating: "long key ", count: 150) + string() : string()
                        guard seen.insert(text).inserted else { continue }
                        key = .string(text, style: [.plain, .singleQuoted, .doubleQuoted][int(0...2)])
                    }
                    pairs.append(YAMLPair(key: key, value: node(depth: depth - 1)))
                }
                return .mapping(pairs, .zero)
            }
        }
    }

    @Test func jsonValuesRoundTrip() throws {
        var generator = Generator(rng: SplitMix64(seed: 0x5EED_0001))
        var failures = 0
        for _ in 0..<3000 {
            let value = generator.json(depth: 4)
            let text = YAML.emit(json: value)
            do {
                guard let node = try YAML.parse(text) else {
                    Issue.record("empty document for \(value)")
                    failures += 1
                    continue
                }
                let back = try node.toJSON()
                if back != value {
                    Issue.record("value changed: \(value) → \(back)\n\(text)")
                    failures += 1
                }
                let again = YAML.emit(node)
                if again != text {
                    Issue.record("emission not stable for \(value):\n\(text)\n---\n\(again)")
                    failures += 1
                }
            } catch {
                Issue.record("\(error) for \(value):\n\(text)")
                failures += 1
            }
            if failures > 5 { break }
        }
    }

    @Test func styledNodesRoundTrip() throws {
        var generator = Generator(rng: SplitMix64(seed: 0x5EED_0002))
        var failures = 0
        for _ in 0..<3000 {
            let node = generator.node(depth: 4)
            let text = YAML.emit(node)
            do {
                guard let parsed = try YAML.parse(text) else {
                    Issue.record("empty document:\n\(text)")
                    failures += 1
                    continue
                }
                if !Self.sameContent(node, parsed) {
                    Issue.record("content changed:\n\(text)\n\(node)\n\(parsed)")
                    failures += 1
                }
                let again = YAML.emit(parsed)
                if again != text {
                    Issue.record("emission not stable:\n\(text)\n---\n\(again)")
                    failures += 1
                }
            } catch {
                Issue.record("\(error):\n\(text)")
                failures += 1
            }
            if failures > 5 { break }
        }
    }

    /// Same shape and scalar texts (styles, marks and implied tags may differ).
    static func sameContent(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)):
            if x.value.isEmpty && x.style == .plain && (x.tag == nil || x.tag == YAMLTag.null) {
                return y.value == "null" || y.value.isEmpty
            }
            if x.value != y.value { return false }
            // A tag must survive unless the plain form implies it.
            if let tag = x.tag, tag != YAMLTag.str, tag != "!", y.tag != tag {
                return y.tag == nil && y.style == .plain
            }
            return true
        case let (.sequence(x, _), .sequence(y, _)):
            return x.count == y.count && zip(x, y).allSatisfy { sameContent($0, $1) }
        case let (.mapping(x, _), .mapping(y, _)):
            return x.count == y.count && zip(x, y).allSatisfy { sameContent($0.key, $1.key) && sameContent($0.value, $1.value) }
        default:
            return false
        }
    }

    @Test func nastyStringsRoundTripInEveryPosition() throws {
        let styles: [ScalarStyle] = [.plain, .singleQuoted, .doubleQuoted, .literal, .folded]
        for text in Self.fragments {
            for style in styles {
                let node = YAMLNode.map([
                    ("value", .string(text, style: style)),
                    ("list", .seq([.string(text, style: style), .seq([.string(text, style: style)])])),
                    ("nested", .map([(text, .string(text, style: style))])),
                ])
                let out = YAML.emit(node)
                let parsed = try parseOne(out)
                #expect(parsed["value"]?.scalarValue == text, "\(out)")
                #expect(parsed["list"]?.sequenceItems?[0].scalarValue == text, "\(out)")
                #expect(parsed["list"]?.sequenceItems?[1].sequenceItems?[0].scalarValue == text, "\(out)")
                #expect(parsed["nested"]?[text]?.scalarValue == text, "\(out)")
                #expect(YAML.emit(parsed) == out)
                // A root scalar too.
                let root = YAML.emit(.string(text, style: style))
                #expect(try parseOne(root).scalarValue == text, "\(root)")
            }
        }
    }
}
