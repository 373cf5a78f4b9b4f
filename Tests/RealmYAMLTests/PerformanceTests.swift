import RealmJSON
import Testing
@testable import RealmYAML

@Suite struct PerformanceTests {
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

    @Test func parsingAMegabyteIsFast() throws {
        let text = Self.megabyte
        #expect(text.utf8.count >= 1 << 20)
        let clock = ContinuousClock()
        var node: YAMLNode?
        let parse = try clock.measure { node = try YAML.parse(text) }
        let parsed = try #require(node)
        var json: JSONValue = nil
        let convert = try clock.measure { json = try parsed.toJSON() }
        var out = ""
        let emit = clock.measure { out = YAML.emit(parsed) }
        print("1 MiB YAML: parse \(parse), toJSON \(convert), emit \(emit) (\(out.utf8.count) bytes out)")
        #expect(json["entries"]?.arrayValue?.count == node?["entries"]?.sequenceItems?.count)
        // Generous bounds so debug builds on a busy machine pass; release parses in well under 100 ms.
        #expect(parse < .seconds(3))
        #expect(convert < .seconds(3))
        #expect(emit < .seconds(3))
    }
}
