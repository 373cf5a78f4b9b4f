import Foundation
import RealmContracts
import RealmJSON
import Testing

/// Runs the required tests of the official JSON-Schema-Test-Suite (the submodule, or
/// ../shared/conformance beside the repository) for draft 2020-12 and draft-07. Fails below 98%
/// per draft; skipped, saying why, when the suite is not there.
@Suite("JSON Schema conformance")
struct JSONSchemaConformanceTests {
    static let minimumPassRate = 0.98

    /// Tests the validator does not pass on purpose, by file and group description (and test
    /// description, or nil for the whole group).
    static let skips: [(file: String, group: String, test: String?, reason: String)] = []

    /// The suite: the git submodule `Tests/Conformance/JSON-Schema-Test-Suite` (pinned to the
    /// upstream commit, `scripts/test.sh` initialises it where the network allows), else the copy
    /// beside the repository in `../shared/conformance` (this project's CI); nil when neither is
    /// there. Found from this file's path.
    static func suiteDirectory(filePath: String = #filePath) -> URL? {
        let tests = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()  // RealmContractsTests
            .deletingLastPathComponent()  // Tests
        let candidates = [
            tests.appendingPathComponent("Conformance/JSON-Schema-Test-Suite"),
            tests.deletingLastPathComponent()  // repository root
                .deletingLastPathComponent()   // its parent, which may hold shared/
                .appendingPathComponent("shared/conformance/JSON-Schema-Test-Suite"),
        ]
        return candidates.first { testsDirectory($0, draft: "draft2020-12") != nil }
    }

    static let missing = """
        JSON-Schema-Test-Suite is not there: neither the submodule Tests/Conformance/JSON-Schema-Test-Suite \
        (git submodule update --init needs the network) nor ../shared/conformance beside the repository
        """

    /// The folder holding `draftX/*.json`: the suite root, or its `tests/` folder in a full checkout.
    static func testsDirectory(_ suite: URL, draft: String) -> URL? {
        for candidate in [suite.appendingPathComponent("tests"), suite] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(draft).path,
                                              isDirectory: &isDirectory), isDirectory.boolValue
            {
                return candidate.appendingPathComponent(draft)
            }
        }
        return nil
    }

    static func parseFile(_ url: URL) throws -> JSONValue {
        let data = try Data(contentsOf: url)
        return try JSONParser.parse(bytes: [UInt8](data))
    }

    /// Every file under `remotes/`, keyed by the URI the suite serves it at.
    static func remotes(_ suite: URL) throws -> [String: JSONValue] {
        let base = suite.appendingPathComponent("remotes")
        var documents: [String: JSONValue] = [:]
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return documents }
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".json") else { continue }
            documents["http://localhost:1234/" + relative] = try parseFile(base.appendingPathComponent(relative))
        }
        return documents
    }

    @Test("required tests pass", .enabled(if: suiteDirectory() != nil, Comment(rawValue: missing)), arguments: [
        (folder: "draft2020-12", draft: JSONSchemaDraft.draft2020_12),
        (folder: "draft7", draft: JSONSchemaDraft.draft7),
    ])
    func conformance(folder: String, draft: JSONSchemaDraft) throws {
        let suite = try #require(Self.suiteDirectory(), Comment(rawValue: Self.missing))
        guard let directory = Self.testsDirectory(suite, draft: folder) else {
            Issue.record("""
                JSON-Schema-Test-Suite not found at \(suite.path) (no \(folder)/ folder): the conformance \
                data must sit beside the repository in ../shared/conformance/JSON-Schema-Test-Suite
                """)
            return
        }
        let remotes = try Self.remotes(suite)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(!files.isEmpty, "no test files in \(directory.path)")

        var total = 0, passed = 0
        var skipped: [String] = []
        var failures: [String] = []
        for file in files {
            guard case .array(let groups) = try Self.parseFile(directory.appendingPathComponent(file)) else {
                Issue.record("\(file): not an array of test groups")
                continue
            }
            for group in groups {
                let groupName = group["description"]?.stringValue ?? "?"
                let tests = group["tests"]?.arrayValue ?? []
                let validator: Result<JSONSchemaValidator, SchemaError> = Result {
                    () throws(SchemaError) -> JSONSchemaValidator in
                    try JSONSchemaValidator(schema: group["schema"] ?? true, documents: remotes, defaultDraft: draft)
                }
                for test in tests {
                    total += 1
                    let testName = test["description"]?.stringValue ?? "?"
                    let label = "\(file) | \(groupName) | \(testName)"
                    if let skip = Self.skips.first(where: {
                        $0.file == file && $0.group == groupName && ($0.test == nil || $0.test == testName)
                    }) {
                        skipped.append("  skipped \(label): \(skip.reason)")
                        continue
                    }
                    let expected = test["valid"]?.boolValue ?? false
                    let data = test["data"] ?? .null
                    switch validator {
                    case .failure(let error):
                        failures.append("  FAILED \(label): schema rejected: \(error)")
                    case .success(let validator):
                        let fast = validator.isValid(data)
                        let errors = validator.validate(data)
                        if fast != expected {
                            failures.append("  FAILED \(label): expected \(expected ? "valid" : "invalid"), got \(fast ? "valid" : "invalid")"
                                + (errors.isEmpty ? "" : " \(errors)"))
                        } else if errors.isEmpty != fast {
                            failures.append("  FAILED \(label): validate() and isValid() disagree: \(errors)")
                        } else {
                            passed += 1
                        }
                    }
                }
            }
        }
        let rate = total == 0 ? 0 : Double(passed) / Double(total)
        let percent = (rate * 1000).rounded() / 10
        print("JSON-Schema-Test-Suite \(folder): \(passed)/\(total) passed (\(percent)%), \(skipped.count) skipped, \(failures.count) failed")
        for line in skipped + failures { print(line) }
        #expect(total > 0)
        #expect(rate >= Self.minimumPassRate,
                "\(folder): \(passed)/\(total) passed (\(percent)%), below \(Self.minimumPassRate * 100)%")
    }
}
