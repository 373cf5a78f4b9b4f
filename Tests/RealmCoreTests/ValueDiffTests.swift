import Testing
@testable import RealmCore

/// What counts as narrowing a contract's value (the grace period's trigger, docs/trust.md).
@Suite struct ValueDiffTests {
    static func list(_ items: [String]) -> JSONValue { .object(["read": .array(items.map { .string($0) })]) }

    @Test func additionsAloneDoNotNarrow() {
        #expect(!ValueDiff.narrows(from: Self.list(["a"]), to: Self.list(["a", "b"])))
        #expect(ValueDiff.narrows(from: Self.list(["a", "b"]), to: Self.list(["a"])))
        #expect(ValueDiff.narrows(from: .object(["max": .integer(10)]), to: .object(["max": .integer(5)])))
        #expect(ValueDiff.narrows(from: .object(["a": .integer(1), "b": .integer(2)]), to: .object(["a": .integer(1)])))
    }

    /// The printed diff stops at 200 lines; a removal behind 300 additions still narrows.
    @Test func aRemovalBehindManyAdditionsStillNarrows() {
        let old = Self.list(["keep", "gone"])
        let new = Self.list(["keep"] + (0..<300).map { "new-\($0)" })
        #expect(ValueDiff.lines(from: old, to: new).contains { $0.hasPrefix("- ") } == false, "the capped lines hide it")
        #expect(ValueDiff.narrows(from: old, to: new))
    }
}
