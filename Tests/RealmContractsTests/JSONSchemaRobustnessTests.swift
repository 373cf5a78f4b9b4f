import Foundation
import RealmContracts
import RealmJSON
import Testing

/// Mutates every keyword value of every schema in the conformance suite to values of other
/// types; each mutant must either be refused with a SchemaError or validate the suite's data
/// without crashing, hanging, or `validate` and `isValid` disagreeing.
@Suite("JSON Schema robustness")
struct JSONSchemaRobustnessTests {
    static let replacements: [JSONValue] = [-1, 1.5, "^(", [], ["a", "a"], ["$ref": "#"], .null, false]

    /// Every variant of `value` with one member (at any depth) replaced.
    static func mutants(of value: JSONValue, limit: Int) -> [JSONValue] {
        var out: [JSONValue] = []
        func walk(_ v: JSONValue, rebuild: (JSONValue) -> JSONValue) {
            guard out.count < limit else { return }
            switch v {
            case .object(let object):
                for (key, member) in object {
                    for replacement in replacements {
                        var copy = object
                        copy[key] = replacement
                        out.append(rebuild(.object(copy)))
                    }
                    walk(member) { new in
                        var copy = object
                        copy[key] = new
                        return rebuild(.object(copy))
                    }
                }
            case .array(let array):
                for (n, element) in array.enumerated() {
                    walk(element) { new in
                        var copy = array
                        copy[n] = new
                        return rebuild(.array(copy))
                    }
                }
            default:
                break
            }
        }
        walk(value) { $0 }
        return out
    }

    @Test("mutated conformance schemas never crash or hang",
          .enabled(if: JSONSchemaConformanceTests.suiteDirectory() != nil, Comment(rawValue: JSONSchemaConformanceTests.missing)),
          arguments: ["draft2020-12", "draft7"])
    func mutatedSchemas(folder: String) throws {
        let suite = try #require(JSONSchemaConformanceTests.suiteDirectory(), Comment(rawValue: JSONSchemaConformanceTests.missing))
        let directory = try #require(JSONSchemaConformanceTests.testsDirectory(suite, draft: folder),
                                     "JSON-Schema-Test-Suite not found at \(suite.path)")
        let remotes = try JSONSchemaConformanceTests.remotes(suite)
        let draft: JSONSchemaDraft = folder == "draft7" ? .draft7 : .draft2020_12
        var refused = 0, compiled = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where file.hasSuffix(".json") {
            guard case .array(let groups) = try JSONSchemaConformanceTests.parseFile(directory.appendingPathComponent(file)) else { continue }
            for group in groups {
                let data = (group["tests"]?.arrayValue ?? []).map { $0["data"] ?? .null }
                for mutant in Self.mutants(of: group["schema"] ?? true, limit: 80) {
                    do {
                        let validator = try JSONSchemaValidator(schema: mutant, documents: remotes, defaultDraft: draft)
                        compiled += 1
                        for instance in data {
                            let errors = validator.validate(instance)
                            #expect(errors.isEmpty == validator.isValid(instance), "\(file): \(mutant) on \(instance)")
                        }
                    } catch {
                        refused += 1
                        #expect(!error.message.isEmpty)
                    }
                }
            }
        }
        print("robustness \(folder): \(compiled) mutants compiled, \(refused) refused")
    }
}
