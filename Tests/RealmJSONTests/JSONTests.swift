import Testing
@testable import RealmJSON

@Suite struct JSONTests {
    @Test func roundTripsKeyOrderAndNumbers() throws {
        let text = #"{"b":1,"a":[true,null,1.5,"x\ny"],"c":{"d":-2e3}}"#
        let value = try JSONParser.parse(text)
        #expect(JSONSerializer.string(value) == #"{"b":1,"a":[true,null,1.5,"x\ny"],"c":{"d":-2000}}"#)
        #expect(value["c"]?["d"] == .integer(-2000))
    }

    @Test func equalityIsJSONs() throws {
        #expect(try JSONParser.parse("1") == JSONParser.parse("1.0"))
        #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) == JSONParser.parse(#"{"b":2,"a":1}"#))
        #expect(try JSONParser.parse("[1,2]") != JSONParser.parse("[2,1]"))
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func errorsCarryLineAndColumn() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{\n  \"a\": tru }") }
        do { _ = try JSONParser.parse("{\n  \"a\": tru }") } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func pointers() throws {
        let doc = try JSONParser.parse(#"{"a/b":{"c~d":[10,20]}}"#)
        let p = JSONPointer("/a~1b/c~0d/1")!
        #expect(p.tokens == ["a/b", "c~d", "1"])
        #expect(p.description == "/a~1b/c~0d/1")
        #expect(p.resolve(in: doc) == .integer(20))
        #expect(JSONPointer("nope") == nil)
    }
}

/// Hostile JSON: every standard escape is read, what is not JSON is a clear error.
@Suite struct JSONHostileInputTests {
    @Test func everyStandardEscape() throws {
        let text = #""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20ac \ud83d\udca9 \uD83D\uDCA9 \u0000""#
        #expect(try JSONParser.parse(text) == .string("\" \\ / \u{8} \u{C} \n \r \t A é € 💩 💩 \u{0}"))
        // What Python's json.dumps writes for a character outside the BMP, at the top level.
        #expect(try JSONParser.parse(#""\ud83d\udca9""#) == .string("💩"))
    }

    @Test("lone surrogates are refused, naming the escape", arguments: [
        (#"["\ud83d"]"#, "lone high surrogate \\uD83D", 3),
        (#"["\ud83dx"]"#, "lone high surrogate \\uD83D", 3),
        (#"["\udca9"]"#, "lone low surrogate \\uDCA9", 3),
        (#"["a\ud83d\u0041"]"#, "high surrogate \\uD83D followed by \\u0041", 4),
        (#"{"k\uDFFF": 1}"#, "lone low surrogate \\uDFFF", 4),
    ])
    func loneSurrogates(text: String, message: String, column: Int) {
        do {
            let value = try JSONParser.parse(text)
            Issue.record("parsed as \(value)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.column == column)
        }
    }

    @Test("numbers beyond a Double are refused; long exact ones are kept as doubles")
    func numbers() throws {
        for text in ["1e999", "-1e400", "[" + String(repeating: "9", count: 400) + "]"] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        }
        do { _ = try JSONParser.parse("1e999") } catch { #expect(error.message.contains("out of range")) }
        #expect(try JSONParser.parse("9223372036854775807") == .integer(Int.max))
        #expect(try JSONParser.parse("9223372036854775808") == .number(9223372036854775808.0))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(Int.min))
        #expect(try JSONParser.parse("1e-400") == .number(0))
        let long = "0." + String(repeating: "1", count: 100_000)
        #expect(try JSONParser.parse(long).doubleValue != nil)
    }

    @Test func depthIsBounded() throws {
        let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(throws: Never.self) { try JSONParser.parse(ok, maxDepth: 128) }
        let deep = String(repeating: "[", count: 129) + "1" + String(repeating: "]", count: 129)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep, maxDepth: 128) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(String(repeating: "{\"a\":", count: 1_000_000)) }
    }
}
