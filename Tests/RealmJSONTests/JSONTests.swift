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
