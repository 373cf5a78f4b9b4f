import RealmJSON
import Testing
@testable import RealmYAML

@Suite struct LargeDocumentTests {
    /// About 1 MB of realm-like YAML: block and flow collections, quoted and block scalars.
    static let megabyte: String = {
        var parts: [String] = ["entries:\n"]
        var i = 0
        var size = 0
        while size < 1 << 20 {
            let entry = """
                  - name: entry-\(i)
                    version: "1.\(i % 10).0"
                    owner: aperture  # the exporter
                    tags: [alpha, beta, "gamma delta"]
                    items: { type: string, default: [] }
                    description: |
                      First line of entry \(i).
                      Second line with a colon: here.
                    read:
                      - "jobs/*/masks/*"
                      - 'training-runs/*'
                    count: \(i)
                    ratio: 0.\(i % 97)
                    enabled: \(i % 2 == 0)
                    created_at: 2026-01-24T10:00:00Z

                """
            parts.append(entry)
            size += entry.utf8.count
            i += 1
        }
        return parts.joined()
    }()

    /// A megabyte round-trips; its speed is measured by scripts/benchmark.sh, not here.
    @Test func aMegabyteRoundTrips() throws {
        let text = Self.megabyte
        #expect(text.utf8.count >= 1 << 20)
        let parsed = try #require(try YAML.parse(text))
        let json = try parsed.toJSON()
        #expect(json["entries"]?.arrayValue?.count == parsed["entries"]?.sequenceItems?.count)
        let again = try #require(try YAML.parse(YAML.emit(parsed)))
        #expect(try again.toJSON() == json)
    }
}
