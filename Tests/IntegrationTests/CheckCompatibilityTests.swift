import Foundation
import Testing

/// 1.5.0 of the s3 contract: the RFC's `experiments` addition.
let s3Contract150 = replacing(s3ContractYAML, [
    ("version: \"1.4.0\"\nowner", "version: \"1.5.0\"\nowner"),
    ("      default: []\nvalue:", "      default: []\n    experiments:\n      type: array\n      items: {type: string}\n      default: []\nvalue:"),
    ("    changes: [Added delete array]\n    compatible: true\n", "    changes: [Added delete array]\n    compatible: true\n  - version: \"1.5.0\"\n    changes: [Added experiments]\n    compatible: true\n"),
])

/// Adds an evolution entry for `version` and sets the contract's version.
func bumped(_ text: String, from old: String, to new: String) -> String {
    var result = text.replacingOccurrences(of: "version: \"\(old)\"\nowner", with: "version: \"\(new)\"\nowner")
    result += "  - version: \"\(new)\"\n    changes: [Update]\n    compatible: true\n"
    return result
}

@Suite struct CheckCompatibilityTests {
    /// A realm whose s3-permissions history is 1.0.0 (skeleton), 1.4.0, 1.5.0.
    func history() throws -> (box: Sandbox, url: String, aperture: String, fungal: String) {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeS3Scenario()
        try box.publish(url, s3Contract150, message: "s3-permissions 1.5.0")
        return (box, url, aperture, fungal)
    }

    @Test func theRFCTranscript() throws {
        let (box, url, aperture, fungalDir) = try history()
        let r = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--from=1.4.0", "--to=1.5.0", "--fetch"], in: aperture)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == """
        Checking s3-permissions 1.4.0 → 1.5.0
        ✓ read: unchanged
        ✓ write: unchanged
        ✓ delete: unchanged
        + experiments: added (optional, default=[]) - COMPATIBLE

        Result: COMPATIBLE (minor version bump OK)
        ✓ Version bump: 1.4.0 → 1.5.0 is a minor bump; a minor change is allowed

        """, "\(r)")
        // Without --from/--to: the latest version against the one before it; without
        // --contract: every contract this repo owns.
        let latest = try box.realm(["check", "--mode=compatibility"], in: aperture)
        #expect(latest.status == 0, "\(latest)")
        #expect(latest.stdout == r.stdout)
        // fungal owns nothing: nothing to compare, which passes (one CI recipe for every member).
        let fungal = try box.realm(["check", "--mode=compatibility", "--fetch"], in: fungalDir)
        #expect(fungal.status == 0, "\(fungal)")
        #expect(fungal.stdout == "✓ 'fungal-image-analysis' owns no contract: nothing to compare (--contract NAME checks another's)\n", "\(fungal)")
        // A realm clone reads its own history.
        let clone = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--from", "1.0.0", "--to", "1.4.0"],
                                  in: try box.cloneRealm(url))
        #expect(clone.status == 0, "\(clone)")
        #expect(clone.stdout.hasPrefix("Checking s3-permissions 1.0.0 → 1.4.0\n+ read: added (required) - COMPATIBLE\n"), "\(clone)")
    }

    @Test func breakingChangesAndInsufficientBumpsFail() throws {
        let (box, url, aperture, _) = try history()
        // Widening read's items breaks old importers: even at 2.0.0 the change is BREAKING.
        let widened = bumped(s3Contract150.replacingOccurrences(of: "read:\n      type: array\n      items: {type: string}",
                                                                with: "read:\n      type: array\n      items: {type: [string, \"null\"]}"),
                             from: "1.5.0", to: "2.0.0")
        try box.publish(url, widened)
        let r = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--fetch"], in: aperture)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("Checking s3-permissions 1.5.0 → 2.0.0\n~ read: changed (type-widened) - BREAKING\n"), "\(r)")
        #expect(r.stdout.contains("Result: BREAKING (major version bump required)\nDeclared compatibility: backwards (old importers read new versions)\n✓ Version bump: 1.5.0 → 2.0.0 is a major bump; a major change is allowed\n"), "\(r)")
        let json = try box.json(try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--json"], in: aperture))
        #expect(json["ok"] as? Bool == false)
        let result = try #require((json["results"] as? [[String: Any]])?.first)
        #expect(result["compatible"] as? Bool == false)
        #expect(result["required"] as? String == "major")
        #expect(result["from"] as? String == "1.5.0" && result["to"] as? String == "2.0.0")
        let change = try #require((result["changes"] as? [[String: Any]])?.first)
        #expect(change["kind"] as? String == "type-widened")
        #expect(change["path"] as? String == "/properties/read/items/type")
        #expect(change["backward"] as? Bool == true && change["forward"] as? Bool == false && change["breaking"] as? Bool == true)

        // A compatible change with too small a bump: compatible, but the check fails.
        let narrowed = bumped(widened.replacingOccurrences(of: "items: {type: [string, \"null\"]}", with: "items: {type: [string, \"null\"], maxLength: 200}"),
                              from: "2.0.0", to: "2.0.1")
        try box.publish(url, narrowed)
        let small = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--fetch"], in: aperture)
        #expect(small.status == 1, "\(small)")
        #expect(small.stdout.contains("~ read: changed (max-length-added) - COMPATIBLE\n"), "\(small)")
        #expect(small.stdout.contains("✗ Version bump: 2.0.0 → 2.0.1 is a patch bump, but the changes require a minor bump: use 2.1.0 or later\n"), "\(small)")
    }

    @Test func transitiveComparesEveryEarlierVersion() throws {
        let (box, url, aperture, _) = try history()
        // Lenient: dropping the optional `write` (1.6.0) and adding it back as an integer (1.7.0)
        // are each compatible, but 1.7.0 cannot be read by importers of 1.4.0 or 1.5.0.
        let dropped = bumped(s3Contract150.replacingOccurrences(of: "    write:\n      type: array\n      items: {type: string}\n      default: []\n", with: "")
                                          .replacingOccurrences(of: "  write:\n    - \"training-metrics/*\"\n", with: ""),
                             from: "1.5.0", to: "1.6.0")
        try box.publish(url, dropped)
        let readded = bumped(dropped.replacingOccurrences(of: "    delete:\n      type: array", with: "    write:\n      type: integer\n    delete:\n      type: array"),
                             from: "1.6.0", to: "1.7.0")
        try box.publish(url, readded)
        let direct = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--lenient", "--fetch"], in: aperture)
        #expect(direct.status == 0, "\(direct)")
        #expect(direct.stdout.contains("+ write: added (optional) - COMPATIBLE"), "\(direct)")

        let transitive = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--lenient", "--transitive"], in: aperture)
        #expect(transitive.status == 1, "\(transitive)")
        #expect(transitive.stdout.contains("""
        Transitive: 1.7.0 against 4 earlier versions
          ✓ 1.0.0: COMPATIBLE
          ✗ 1.4.0: BREAKING (type-changed at /properties/write/type)
          ✗ 1.5.0: BREAKING (type-changed at /properties/write/type)
          ✓ 1.6.0: COMPATIBLE

        """), "\(transitive)")
        // From 1.6.0 on, it holds.
        let recent = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--lenient", "--transitive", "--from", "1.6.0"], in: aperture)
        #expect(recent.status == 0, "\(recent)")
        #expect(recent.stdout.contains("Transitive: 1.7.0 against 1 earlier version\n  ✓ 1.6.0: COMPATIBLE\n"), "\(recent)")
        let json = try box.json(try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--lenient", "--transitive", "--json"], in: aperture))
        let result = try #require((json["results"] as? [[String: Any]])?.first)
        let versions = (result["transitive"] as? [[String: Any]] ?? []).map { "\($0["version"] as? String ?? "")=\($0["compatible"] as? Bool ?? false)" }
        #expect(versions == ["1.0.0=true", "1.4.0=false", "1.5.0=false", "1.6.0=true"])
    }

    @Test func versionsMustBeInTheHistory() throws {
        let (box, _, aperture, _) = try history()
        let missing = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--from", "1.3.0", "--fetch"], in: aperture)
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderr.contains("s3-permissions 1.3.0 is not in the realm's history (published: 1.0.0, 1.4.0, 1.5.0)"), "\(missing)")
        #expect(try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--to", "v1.5"], in: aperture).status == 2)
        #expect(try box.realm(["check", "--mode=compatibility", "--contract", "nope"], in: aperture).status == 2)
        #expect(try box.realm(["check", "--mode=compatibility", "--from", "1.4.0"], in: aperture).status == 2)
        #expect(try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--base", "HEAD"], in: aperture).status == 2)
        let first = try box.realm(["check", "--mode=compatibility", "--contract", "s3-permissions", "--to", "1.0.0"], in: aperture)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("1.0.0 is the first published version: nothing to compare"))
    }

    @Test func filesNeedNoRepository() throws {
        let box = try Sandbox()
        try box.write("old.yaml", "type: object\nproperties:\n  read: {type: array, items: {type: string}}\n")
        try box.write("new.json", #"{"type": "object", "properties": {"read": {"type": "array", "items": {"type": "string", "maxLength": 9}}}}"#)
        try box.write("wide.yaml", "type: object\nproperties:\n  read: {type: array}\n")
        let narrowed = try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml", "--to-file", "new.json"])
        #expect(narrowed.status == 0, "\(narrowed)")
        #expect(narrowed.stdout == "Checking old.yaml → new.json\n~ read: changed (max-length-added) - COMPATIBLE\n\nResult: COMPATIBLE (minor version bump OK)\n", "\(narrowed)")
        let widened = try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml", "--to-file", "wide.yaml", "--json"])
        #expect(widened.status == 1, "\(widened)")
        let result = try #require((try box.json(widened)["results"] as? [[String: Any]])?.first)
        #expect(result["compatible"] as? Bool == false)
        #expect(result["from_file"] as? String == "old.yaml")

        // Whole contracts: their versions are checked too, and their declaration applies.
        try box.write("c140.yaml", s3ContractYAML)
        try box.write("c150.yaml", s3Contract150)
        let contracts = try box.realm(["check", "--mode=compatibility", "--from-file", "c140.yaml", "--to-file", "c150.yaml"])
        #expect(contracts.status == 0, "\(contracts)")
        #expect(contracts.stdout.hasPrefix("Checking s3-permissions 1.4.0 → 1.5.0\n"), "\(contracts)")
        #expect(contracts.stdout.hasSuffix("✓ Version bump: 1.4.0 → 1.5.0 is a minor bump; a minor change is allowed\n"), "\(contracts)")
        try box.write("forwards.yaml", s3ContractYAML.replacingOccurrences(of: "backwards: true\n  forwards: false", with: "backwards: false\n  forwards: true"))
        try box.write("forwards-narrowed.yaml", s3ContractYAML.replacingOccurrences(of: "backwards: true\n  forwards: false", with: "backwards: false\n  forwards: true")
            .replacingOccurrences(of: "items: {type: string}\n    write", with: "items: {type: string, maxLength: 9}\n    write"))
        let forwards = try box.realm(["check", "--mode=compatibility", "--from-file", "forwards.yaml", "--to-file", "forwards-narrowed.yaml"])
        #expect(forwards.status == 1, "\(forwards)")
        #expect(forwards.stdout.contains("~ read: changed (max-length-added) - BREAKING"), "\(forwards)")

        // Bad input names the file and place.
        try box.write("bad.yaml", "type: object\nproperties:\n  read:\n    $ref: '#/$defs/missing'\n")
        let bad = try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml", "--to-file", "bad.yaml"])
        #expect(bad.status == 2, "\(bad)")
        #expect(bad.stderr.hasPrefix("error: bad.yaml:4:11: not a valid schema (at #/properties/read/$ref): "), "\(bad)")
        #expect(try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml"]).status == 2)
        #expect(try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml", "--to-file", "new.json", "--transitive"]).status == 2)
        #expect(try box.realm(["check", "--mode=compatibility", "--from-file", "old.yaml", "--to-file", "absent.yaml"]).status == 2)
    }
}
