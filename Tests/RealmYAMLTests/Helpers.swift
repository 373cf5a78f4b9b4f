import RealmJSON
import Testing
@testable import RealmYAML

/// Parses text that must hold one document.
func parseOne(_ text: String, limits: YAMLLimits = .default,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> YAMLNode {
    guard let node = try YAML.parse(text, limits: limits) else {
        Issue.record("empty stream", sourceLocation: sourceLocation)
        throw YAMLError(line: 0, column: 0, message: "empty stream")
    }
    return node
}

/// The error parsing `text` gives, or nil (recorded as an issue) when it parses. The direct
/// paths (`parseJSON`, `check`, `parse(bytes:jsonFields:)`) must refuse it with the same error.
func parseError(_ text: String, limits: YAMLLimits = .default,
                sourceLocation: SourceLocation = #_sourceLocation) -> YAMLError? {
    let error: YAMLError
    do {
        _ = try YAML.parse(text, limits: limits)
        Issue.record("expected a parse error", sourceLocation: sourceLocation)
        return nil
    } catch let caught {
        error = caught
    }
    let bytes = Array(text.utf8)
    #expect(throws: error, sourceLocation: sourceLocation) { try YAML.parseJSON(text, limits: limits) }
    #expect(throws: error, sourceLocation: sourceLocation) { try YAML.parseJSON(bytes: bytes, limits: limits) }
    #expect(throws: error, sourceLocation: sourceLocation) { try YAML.check(bytes: bytes, limits: limits) }
    #expect(throws: error, sourceLocation: sourceLocation) { try YAML.parse(bytes: bytes, limits: limits, jsonFields: ["a", "b", "c"]) }
    #expect(throws: error, sourceLocation: sourceLocation) {
        try YAML.parse(bytes: bytes, limits: limits, jsonFields: ["a", "b", "c"], skippingValues: true)
    }
    return error
}

/// `toJSON()` of the parsed tree, checked against the direct path (`YAML.parseJSON`): the same
/// value, keys in the same order.
func toJSON(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    let value = try parseOne(text).toJSON()
    let direct = try YAML.parseJSON(text)
    #expect(direct.map { JSONSerializer.string($0) } == JSONSerializer.string(value), sourceLocation: sourceLocation)
    #expect(throws: Never.self, sourceLocation: sourceLocation) { try YAML.check(bytes: Array(text.utf8)) }
    return value
}

/// The error converting `text` to JSON gives (parsing must succeed); the direct path
/// (`YAML.parseJSON`) must give the same, and `YAML.check` none.
func jsonError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> YAMLError? {
    let node = try parseOne(text)
    #expect(throws: Never.self, sourceLocation: sourceLocation) { try YAML.check(bytes: Array(text.utf8)) }
    do {
        _ = try node.toJSON()
        Issue.record("expected a conversion error", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(throws: error, sourceLocation: sourceLocation) { try YAML.parseJSON(text) }
        return error
    }
}

/// Deterministic pseudo-random numbers (SplitMix64) so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
