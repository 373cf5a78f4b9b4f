import Foundation
import Testing

/// The plumbing commands: `schema diff`, `schema validate`, `semver match|max`: exit codes
/// (0 yes, 1 no, 2 bad input) and JSON.
@Suite struct SchemaCLITests {
    func box() throws -> Sandbox {
        let box = try Sandbox()
        try box.write("old.yaml", """
        type: object
        required: [read]
        properties:
          read:
            type: array
            items: {type: string}

        """)
        // Adds an optional property to the open model and narrows `read`'s items.
        try box.write("new.json", #"""
        {"type": "object", "required": ["read"], "properties": {
          "read": {"type": "array", "items": {"type": "string", "maxLength": 64}},
          "delete": {"type": "array", "items": {"type": "string"}, "default": []}}}
        """#)
        // Only widens.
        try box.write("wide.yaml", "type: object\nproperties:\n  read: {type: array}\n")
        return box
    }

    @Test func diffExitCodesFollowBackwardCompatibility() throws {
        let box = try box()
        // Dropping `required` and items' type only widens: backward compatible.
        let wide = try box.realm(["schema", "diff", "old.yaml", "wide.yaml"])
        #expect(wide.status == 0, "\(wide)")
        #expect(wide.stdout.contains("/required: required-removed [backward ✓, forward ✗]"), "\(wide)")
        #expect(wide.stdout.hasSuffix("Result: BACKWARD compatible only (readers of the old schema may reject new data)\n"), "\(wide)")
        // Narrowing is not.
        let narrow = try box.realm(["schema", "diff", "old.yaml", "new.json"])
        #expect(narrow.status == 1, "\(narrow)")
        #expect(narrow.stdout.hasPrefix("Comparing old.yaml → new.json (strict)\n"), "\(narrow)")
        #expect(narrow.stdout.contains("/properties/read/items/maxLength: max-length-added [backward ✗, forward ✓]"), "\(narrow)")
        // Same file: identical.
        let same = try box.realm(["schema", "diff", "old.yaml", "old.yaml"])
        #expect(same.status == 0)
        #expect(same.stdout.hasSuffix("Result: IDENTICAL (no changes; fully compatible)\n"), "\(same)")
        // Standard input works for either side.
        let stdin = try box.realm(["schema", "diff", "-", "wide.yaml"], stdin: try box.read("old.yaml"))
        #expect(stdin.status == 0, "\(stdin)")
    }

    @Test func diffJSONAndLenient() throws {
        let box = try box()
        let strict = try box.realm(["schema", "diff", "old.yaml", "new.json", "--json"])
        #expect(strict.status == 1)
        let json = try box.json(strict)
        #expect(json["backward"] as? Bool == false)
        #expect(json["forward"] as? Bool == true)
        #expect(json["full"] as? Bool == false)
        let changes = try #require(json["changes"] as? [[String: Any]])
        #expect(changes.map { $0["kind"] as? String ?? "" } == ["max-length-added", "property-added-to-open-content-model"])
        #expect(changes.map { $0["path"] as? String ?? "" } == ["/properties/read/items/maxLength", "/properties/delete"])
        #expect(changes[1]["backward"] as? Bool == false && changes[1]["forward"] as? Bool == true)

        // Lenient: an optional property added to an open model is fine both ways.
        let lenient = try box.json(try box.realm(["schema", "diff", "old.yaml", "new.json", "--json", "--lenient"]))
        let added = try #require((lenient["changes"] as? [[String: Any]])?.last)
        #expect(added["backward"] as? Bool == true && added["forward"] as? Bool == true)
        #expect(lenient["mode"] as? String == "lenient")

        // Only the delete property: strict says no, lenient yes.
        try box.write("added.yaml", try box.read("old.yaml") + "  delete: {type: array, default: []}\n")
        #expect(try box.realm(["schema", "diff", "old.yaml", "added.yaml"]).status == 1)
        #expect(try box.realm(["schema", "diff", "old.yaml", "added.yaml", "--lenient"]).status == 0)
    }

    @Test func diffReadsContractFiles() throws {
        let box = try box()
        try box.write("c140.yaml", s3ContractYAML)
        try box.write("c150.yaml", s3Contract150)
        let r = try box.realm(["schema", "diff", "c140.yaml", "c150.yaml", "--json"])
        #expect(r.status == 1, "strict: a property added to an open model is forward compatible only: \(r)")
        let changes = try #require(try box.json(r)["changes"] as? [[String: Any]])
        #expect(changes.map { $0["path"] as? String ?? "" } == ["/properties/experiments"])
        // A contract against a bare schema: the contract's schema is used.
        let mixed = try box.realm(["schema", "diff", "c140.yaml", "old.yaml", "--json"])
        #expect(mixed.status == 0, "\(mixed)")
    }

    @Test func diffBadInputIsExit2WithAPlace() throws {
        let box = try box()
        try box.write("unknown-ref.yaml", "type: object\nproperties:\n  read:\n    $ref: '#/$defs/nope'\n")
        let ref = try box.realm(["schema", "diff", "old.yaml", "unknown-ref.yaml"])
        #expect(ref.status == 2, "\(ref)")
        #expect(ref.stderr.hasPrefix("error: unknown-ref.yaml:4:11: not a valid schema (at #/properties/read/$ref): "), "\(ref)")
        #expect(ref.stderr.split(separator: "\n").count == 1, "one clear error: \(ref)")
        // Inside a contract, the place is the contract's line.
        try box.write("bad-contract.yaml", s3ContractYAML.replacingOccurrences(of: "items: {type: string}\n    write", with: "items: {type: 5}\n    write"))
        let contract = try box.realm(["schema", "diff", "bad-contract.yaml", "old.yaml"])
        #expect(contract.status == 2, "\(contract)")
        #expect(contract.stderr.hasPrefix("error: bad-contract.yaml:13:21: not a valid schema (at #/properties/read/items/type): "), "\(contract)")
        try box.write("list.json", "[1, 2]")
        let list = try box.realm(["schema", "diff", "list.json", "old.yaml"])
        #expect(list.status == 2)
        #expect(list.stderr.contains("list.json:1:1: not a JSON Schema: a schema is an object or a boolean, found array"), "\(list)")
        try box.write("broken.yaml", "type: object\nproperties: {read: [\n")
        let broken = try box.realm(["schema", "diff", "old.yaml", "broken.yaml"])
        #expect(broken.status == 2)
        #expect(broken.stderr.hasPrefix("error: broken.yaml:3:1: "), "\(broken)")
        #expect(try box.realm(["schema", "diff", "old.yaml", "absent.yaml"]).status == 2)
    }

    @Test func validateExitCodesAndJSON() throws {
        let box = try box()
        try box.write("good.yaml", "read: [a, b]\n")
        try box.write("bad.json", #"{"read": ["a", 7]}"#)
        let good = try box.realm(["schema", "validate", "--schema", "old.yaml", "--instance", "good.yaml"])
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout == "✓ good.yaml is valid against old.yaml\n")
        let bad = try box.realm(["schema", "validate", "--schema", "old.yaml", "--instance", "bad.json", "--json"])
        #expect(bad.status == 1, "\(bad)")
        let json = try box.json(bad)
        #expect(json["valid"] as? Bool == false)
        let error = try #require((json["errors"] as? [[String: Any]])?.first)
        #expect(error["instance"] as? String == "/read/1")
        #expect(error["schema"] as? String == "/properties/read/items/type")
        try box.write("list.json", "[1, 2]")
        let badSchema = try box.realm(["schema", "validate", "--schema", "list.json", "--instance", "good.yaml"])
        #expect(badSchema.status == 2)
        try box.write("not-schema.yaml", "type: 5\n")
        let invalid = try box.realm(["schema", "validate", "--schema", "not-schema.yaml", "--instance", "good.yaml"])
        #expect(invalid.status == 2, "\(invalid)")
        #expect(invalid.stderr.contains("not-schema.yaml: not a valid schema at #/type"), "\(invalid)")
    }

    @Test func semverMatch() throws {
        let box = try Sandbox()
        func match(_ range: String, _ version: String, _ extra: [String] = []) throws -> Int32 {
            try box.realm(["semver", "match", range, version] + extra).status
        }
        // npm syntax.
        #expect(try match("^1.2.3", "1.9.0") == 0)
        #expect(try match("^1.2.3", "2.0.0") == 1)
        #expect(try match(">=1.0.0 <2.0.0", "1.5.0") == 0)
        #expect(try match("1.x || >=2.5.0", "2.6.0") == 0)
        #expect(try match("1.2.3", "1.5.0") == 1, "a bare version is exact in npm")
        // Cargo syntax (a comma, or --syntax cargo): a bare version is a caret.
        #expect(try match(">=1.0.0, <2.0.0", "1.5.0") == 0)
        #expect(try match("1.2.3", "1.5.0", ["--syntax", "cargo"]) == 0)
        #expect(try match(">=1.0.0 <2.0.0", "1.5.0", ["--syntax", "cargo"]) == 2, "Cargo needs commas")
        // Prereleases satisfy only ranges naming the same major.minor.patch with a prerelease.
        #expect(try match(">=1.0.0 <2.0.0", "1.5.0-beta") == 1)
        #expect(try match("^1.5.0-beta.1", "1.5.0-beta.2") == 0)
        #expect(try match("^1.5.0-beta.1", "1.6.0-beta.1") == 1)
        // Bad input.
        #expect(try match("1.2.3 | 2", "1.2.3") == 2)
        #expect(try match("^1", "v1.2") == 2)
        let json = try box.realm(["semver", "match", ">=1.0.0, <2.0.0", "1.4.0", "--json"])
        #expect(json.status == 0)
        let object = try box.json(json)
        #expect(object["matches"] as? Bool == true)
        #expect(object["syntax"] as? String == "cargo")
        let no = try box.realm(["semver", "match", "^2", "1.4.0", "--json"])
        #expect(no.status == 1)
        #expect(try box.json(no)["matches"] as? Bool == false)
        let bad = try box.realm(["semver", "match", "^2", "1.4", "--json"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("error: invalid version"), "\(bad)")
    }

    @Test func semverMax() throws {
        let box = try Sandbox()
        let best = try box.realm(["semver", "max", ">=1.0.0 <2.0.0", "1.0.0", "1.9.0", "2.0.0", "1.9.5-beta"])
        #expect(best.status == 0)
        #expect(best.stdout == "1.9.0\n", "a prerelease is not picked by a range without one")
        let cargo = try box.realm(["semver", "max", "1.2", "1.2.0", "1.8.1", "2.0.0", "--syntax", "cargo"])
        #expect(cargo.stdout == "1.8.1\n", "\(cargo)")
        let pre = try box.realm(["semver", "max", ">=2.0.0-rc.1", "1.9.0", "2.0.0-rc.2", "--json"])
        #expect(pre.status == 0)
        #expect(try box.json(pre)["max"] as? String == "2.0.0-rc.2")
        let none = try box.realm(["semver", "max", ">=3", "1.0.0", "2.0.0", "--json"])
        #expect(none.status == 1)
        #expect(try box.json(none)["max"] is NSNull)
        #expect(try box.realm(["semver", "max", "^1", "1.0", "1.2.0"]).status == 2)
        #expect(try box.realm(["semver", "max", "^^1", "1.0.0"]).status == 2)
    }

    /// A `.json` instance is read as JSON: what Python's json.dumps writes for a character
    /// outside the BMP used to be refused by the YAML parser.
    @Test func jsonInstancesAreReadAsJSON() throws {
        let box = try box()
        try box.write("string.yaml", "type: string\nmaxLength: 1\n")
        try box.write("poo.json", #""\ud83d\udca9""#)
        let file = try box.realm(["schema", "validate", "--schema", "string.yaml", "--instance", "poo.json"])
        #expect(file.status == 0, "\(file)")
        let piped = try box.realm(["schema", "validate", "--schema", "string.yaml", "--instance", "-", "--instance-format", "json"],
                                  stdin: #""\ud83d\udca9""#)
        #expect(piped.status == 0, "\(piped)")
        try box.write("lone.json", #"["\ud83d"]"#)
        let lone = try box.realm(["schema", "validate", "--schema", "string.yaml", "--instance", "lone.json"])
        #expect(lone.status == 2, "\(lone)")
        #expect(lone.stderr.contains("lone.json:1:3: invalid JSON: lone high surrogate \\uD83D"), "\(lone)")
        try box.write("deep.json", String(repeating: "[", count: 200) + String(repeating: "]", count: 200))
        let deep = try box.realm(["schema", "validate", "--schema", "string.yaml", "--instance", "deep.json"])
        #expect(deep.status == 2, "\(deep)")
        #expect(deep.stderr.contains("nesting deeper than 128 levels"), "\(deep)")
    }

    /// Huge version components were a trap (signal 4); now a parse error.
    @Test func semverHugeComponentsExit2() throws {
        let box = try box()
        for range in ["^9223372036854775807", "~9223372036854775807.0", "9223372036854775807.x", "1.0.0 - 9223372036854775807",
                      ">=1.0.0, <9223372036854775807"] {
            let result = try box.realm(["semver", "match", range, "1.0.0"])
            #expect(result.status == 2, "\(range): \(result)")
            #expect(result.stderr.contains("is too large (at most 9007199254740991)"), "\(result)")
        }
    }
}
