import Testing
import RealmJSON
@testable import RealmContracts

/// The RFC's s3-permissions contract (version 1.4.0), as JSON.
private let s3Contract = """
{'name':'s3-permissions','version':'1.4.0','owner':'aperture',
 'compatibility':{'backwards':true,'forwards':false},
 'schema':{'type':'object','required':['read'],'properties':{
   'read':{'type':'array','items':{'type':'string'}},
   'write':{'type':'array','items':{'type':'string'},'default':[]},
   'delete':{'type':'array','items':{'type':'string'},'default':[]}}},
 'value':{'read':['jobs/*/masks/*','training-runs/*'],'write':['training-metrics/*'],'delete':[]},
 'validation':{'exporter':'scripts/validate-s3-paths.sh','importer':'scripts/validate-iam-policy.sh','ci_only':['scripts/integration-test.sh']},
 'evolution':[{'version':'1.0.0','changes':['Initial with read array'],'compatible':true},
              {'version':'1.4.0','changes':['Added delete array'],'compatible':true}]}
"""

/// A copy of `base` with `pointer` set to `value` (or removed when nil).
private func edit(_ base: JSONValue, _ pointer: String, _ value: JSONValue?) -> JSONValue {
    func go(_ node: JSONValue, _ tokens: ArraySlice<String>) -> JSONValue {
        guard let first = tokens.first else { return value ?? .null }
        switch node {
        case .object(var o):
            if tokens.count == 1 {
                if let value { o[first] = value } else { o.removeValue(forKey: first) }
            } else {
                o[first] = go(o[first] ?? .object([:]), tokens.dropFirst())
            }
            return .object(o)
        case .array(var a):
            let i = Int(first)!
            if tokens.count == 1 {
                if let value { if i == a.count { a.append(value) } else { a[i] = value } } else { a.remove(at: i) }
            } else {
                a[i] = go(a[i], tokens.dropFirst())
            }
            return .array(a)
        default:
            return node
        }
    }
    return go(base, JSONPointer(pointer)!.tokens[...])
}

private func v(_ s: String) -> Version { try! Version(s) }

@Suite struct BumpRequiredTests {
    let base = compatJSON(s3Contract)

    @Test func nothingButTheVersion() throws {
        #expect(try VersionBump.required(old: base, new: base) == .none)
        #expect(try VersionBump.required(old: base, new: edit(base, "/version", "1.4.1")) == .none)
    }

    @Test(arguments: [
        ("/schema/properties/read/description", JSONValue.string("paths readable by the consumer")),
        ("/schema/title", JSONValue.string("S3 permissions")),
        ("/owner", JSONValue.string("fungal-image-analysis")),
        ("/validation/exporter", JSONValue.string("scripts/check.sh")),
        ("/evolution/2", compatJSON("{'version':'1.4.1','changes':['docs'],'compatible':true}")),
        ("/description", JSONValue.string("new top-level metadata")),
    ])
    func metadataIsAPatch(pointer: String, value: JSONValue) throws {
        let analysis = try VersionBump.analyze(old: base, new: edit(base, pointer, value))
        #expect(analysis.required == .patch, "\(analysis.reasons)")
        #expect(analysis.breakingChanges.isEmpty)
    }

    @Test func schemaReformattingWithoutEffectIsAPatch() throws {
        // Same validation, different text: an explicit `minLength: 0`.
        let new = edit(base, "/schema/properties/read/items/minLength", 0)
        let analysis = try VersionBump.analyze(old: base, new: new)
        #expect(analysis.schemaReport.isUnchanged)
        #expect(analysis.required == .patch)
    }

    @Test func valueChangesAreMinor() throws {
        let added = edit(base, "/value/read/2", "training-metrics/experiments/*")
        let analysis = try VersionBump.analyze(old: base, new: added)
        #expect(analysis.required == .minor)
        #expect(analysis.valueChanged)
        // Removing entries is a minor change too (documented choice): the schema still holds.
        let removed = edit(base, "/value/write/0", nil)
        #expect(try VersionBump.required(old: base, new: removed) == .minor)
    }

    @Test func compatibleSchemaChangesAreMinor() throws {
        let new = edit(base, "/schema/properties/experiments", compatJSON("{'type':'array','items':{'type':'string'},'default':[]}"))
        let analysis = try VersionBump.analyze(old: base, new: new)
        #expect(analysis.required == .minor, "\(analysis.reasons)")
        #expect(analysis.schemaReport.kinds == [.propertyAddedToOpenContentModel])
        // backwards: true (the default) — old importers must accept every new value: the change
        // must be forward compatible. Narrowing is: old readers accept the new, smaller set.
        let narrowed = edit(base, "/schema/properties/read/items/maxLength", 200)
        #expect(try VersionBump.required(old: base, new: narrowed) == .minor)
        // So is a new required property (required-added is forward compatible only).
        let required = edit(edit(base, "/schema/properties/owner", compatJSON("{'type':'string'}")), "/schema/required", compatJSON("['read','owner']"))
        let requiredAnalysis = try VersionBump.analyze(old: base, new: required)
        #expect(requiredAnalysis.required == .minor)
        #expect(requiredAnalysis.schemaReport.kinds.contains(.requiredAdded))
        // And removing an optional property from a closed model: new data never holds it.
        let closed = edit(base, "/schema/additionalProperties", false)
        #expect(try VersionBump.required(old: closed, new: edit(closed, "/schema/properties/delete", nil)) == .minor)
        // Changing the compatibility promise is minor.
        let promise = edit(base, "/compatibility/forwards", true)
        #expect(try VersionBump.required(old: base, new: promise) == .minor)
    }

    @Test func breakingTheDeclaredDirectionIsMajor() throws {
        // backwards: true — old importers read new versions, so a change that is not forward
        // compatible (new data that old readers reject) is major.
        let widened = edit(base, "/schema/properties/read/items/type", compatJSON("['string','null']"))
        let analysis = try VersionBump.analyze(old: base, new: widened)
        #expect(analysis.required == .major)
        #expect(analysis.breakingChanges.map(\.kind) == [.typeWidened])
        #expect(analysis.reasons.first?.contains("breaks backwards (old importers read new versions) compatibility") == true)

        // Adding a property to a closed model: old readers reject the new property.
        let closed = edit(base, "/schema/additionalProperties", false)
        let addedToClosed = edit(closed, "/schema/properties/owner", compatJSON("{'type':'string'}"))
        let closedAnalysis = try VersionBump.analyze(old: closed, new: addedToClosed)
        #expect(closedAnalysis.required == .major)
        #expect(closedAnalysis.breakingChanges.map(\.kind) == [.propertyAddedToClosedContentModel])

        // Removing a required property: new data may lack what old readers require.
        let removedRead = edit(edit(base, "/schema/properties/read", nil), "/schema/required", compatJSON("[]"))
        #expect(try VersionBump.required(old: base, new: removedRead) == .major)

        // Neither direction holds: major for every declaration.
        let changedType = edit(base, "/schema/properties/read/items/type", "integer")
        #expect(try VersionBump.required(old: base, new: changedType) == .major)

        // forwards: true only — new importers read old versions, so changes must be backward
        // compatible: the mirror image of the above.
        let forwardsOnly = edit(edit(base, "/compatibility/backwards", false), "/compatibility/forwards", true)
        let fwd = { (pointer: String, value: JSONValue?) in edit(forwardsOnly, pointer, value) }
        #expect(try VersionBump.required(old: forwardsOnly, new: fwd("/schema/properties/read/items/type", compatJSON("['string','null']"))) == .minor)
        #expect(try VersionBump.required(old: forwardsOnly, new: edit(fwd("/schema/properties/read", nil), "/schema/required", compatJSON("[]"))) == .minor)
        // Narrowing breaks it: old data may hold what the new schema rejects.
        #expect(try VersionBump.required(old: forwardsOnly, new: fwd("/schema/properties/read/items/maxLength", 10)) == .major)
        let requiredOwner = edit(fwd("/schema/properties/owner", compatJSON("{'type':'string'}")), "/schema/required", compatJSON("['read','owner']"))
        #expect(try VersionBump.required(old: forwardsOnly, new: requiredOwner) == .major)
        let closedFwd = fwd("/schema/additionalProperties", false)
        #expect(try VersionBump.required(old: closedFwd, new: edit(closedFwd, "/schema/properties/delete", nil)) == .major)
        #expect(try VersionBump.required(old: closedFwd, new: edit(closedFwd, "/schema/properties/owner", compatJSON("{'type':'string'}"))) == .minor)

        // Both directions declared: only changes that are compatible both ways are minor.
        let both = edit(base, "/compatibility/forwards", true)
        #expect(try VersionBump.required(old: both, new: edit(both, "/schema/properties/read/items/maxLength", 10)) == .major)
        #expect(try VersionBump.required(old: both, new: edit(both, "/schema/properties/read/items/type", compatJSON("['string','null']"))) == .major)
        #expect(try VersionBump.required(old: both, new: edit(both, "/schema/properties/experiments", compatJSON("{'type':'array','default':[]}"))) == .minor)
    }

    @Test func noDeclaredDirectionStillRefusesIncompatibleChanges() throws {
        let none = edit(edit(base, "/compatibility/backwards", false), "/compatibility/forwards", false)
        #expect(try VersionBump.required(old: none, new: edit(none, "/schema/properties/read/items/maxLength", 10)) == .minor)
        #expect(try VersionBump.required(old: none, new: edit(none, "/schema/properties/read/items/type", compatJSON("['string','null']"))) == .minor)
        #expect(try VersionBump.required(old: none, new: edit(none, "/schema/properties/read/items/type", "integer")) == .major)
    }

    @Test func strictModeJudgesOpenContentModelsBySetSemantics() throws {
        // Strict: removing a declared property from an open model widens it (anything may now
        // appear under that name), which old importers of a backwards contract may reject.
        let removed = edit(base, "/schema/properties/delete", nil)
        #expect(try VersionBump.required(old: base, new: removed, mode: .strict) == .major)
        #expect(try VersionBump.required(old: base, new: removed, mode: .lenient) == .minor)
        // Adding one narrows it: fine for backwards, breaking for forwards in strict mode.
        let added = edit(base, "/schema/properties/experiments", compatJSON("{'type':'array','items':{'type':'string'},'default':[]}"))
        #expect(try VersionBump.required(old: base, new: added, mode: .strict) == .minor)
        let forwardsOnly = edit(edit(base, "/compatibility/backwards", false), "/compatibility/forwards", true)
        let addedFwd = edit(forwardsOnly, "/schema/properties/experiments", compatJSON("{'type':'array','items':{'type':'string'},'default':[]}"))
        #expect(try VersionBump.required(old: forwardsOnly, new: addedFwd, mode: .strict) == .major)
        #expect(try VersionBump.required(old: forwardsOnly, new: addedFwd, mode: .lenient) == .minor)
    }

    @Test func renamingIsMajor() throws {
        #expect(try VersionBump.required(old: base, new: edit(base, "/name", "s3-access")) == .major)
    }

    @Test func missingCompatibilityDefaultsToBackwards() throws {
        let plain = edit(base, "/compatibility", nil)
        let analysis = try VersionBump.analyze(old: plain, new: edit(plain, "/schema/properties/read/items/type", compatJSON("['string','null']")))
        #expect(analysis.declared == ContractCompatibility(backwards: true, forwards: false))
        #expect(analysis.required == .major)
        #expect(try VersionBump.required(old: plain, new: edit(plain, "/schema/properties/read/items/maxLength", 10)) == .minor)
    }

    @Test func malformedContractsThrowWithAPointer() {
        do {
            _ = try VersionBump.analyze(old: base, new: edit(base, "/schema/properties/read/type", 3))
            Issue.record("should throw")
        } catch {
            #expect(error.side == .new)
            #expect(error.location == JSONPointer("/schema/properties/read/type"))
        }
        do {
            _ = try VersionBump.analyze(old: edit(base, "/compatibility/backwards", "yes"), new: base)
            Issue.record("should throw")
        } catch {
            #expect(error.side == .old)
            #expect(error.location == JSONPointer("/compatibility/backwards"))
        }
        #expect(throws: CompatibilityError.self) { try VersionBump.analyze(old: .array([]), new: base) }
    }
}

@Suite struct BumpCheckTests {
    @Test(arguments: [
        // (old, new, required, ok)
        ("1.4.0", "1.5.0", BumpLevel.minor, true),
        ("1.4.0", "1.4.1", BumpLevel.minor, false),
        ("1.4.0", "2.0.0", BumpLevel.minor, true),
        ("1.4.0", "2.0.0", BumpLevel.major, true),
        ("1.4.0", "1.9.0", BumpLevel.major, false),
        ("1.4.0", "2.0.0-rc.1", BumpLevel.major, true),
        ("1.4.0", "1.4.1", BumpLevel.patch, true),
        ("1.4.0", "1.4.0", BumpLevel.patch, false),
        ("1.4.0", "1.4.0", BumpLevel.none, true),
        ("1.4.0", "1.4.1", BumpLevel.none, true),
        ("1.4.0", "1.3.9", BumpLevel.none, false),
        ("1.4.0+build.1", "1.4.0+build.2", BumpLevel.patch, false),
        // 0.y.z: the minor number is the breaking one.
        ("0.3.1", "0.4.0", BumpLevel.major, true),
        ("0.3.1", "0.3.2", BumpLevel.major, false),
        ("0.3.1", "1.0.0", BumpLevel.major, true),
        ("0.3.1", "0.3.2", BumpLevel.minor, true),
        ("0.3.1", "0.3.2", BumpLevel.patch, true),
        // 0.0.z: every bump is breaking.
        ("0.0.3", "0.0.4", BumpLevel.major, true),
        // Pre-releases promise nothing.
        ("2.0.0-rc.1", "2.0.0", BumpLevel.major, true),
        ("2.0.0-rc.1", "2.0.0-rc.2", BumpLevel.major, true),
        ("2.0.0-rc.2", "2.0.0-rc.1", BumpLevel.none, false),
    ])
    func check(old: String, new: String, required: BumpLevel, ok: Bool) {
        let result = VersionBump.check(oldVersion: v(old), newVersion: v(new), required: required)
        #expect(result.ok == ok, "\(result.message)")
        #expect(!result.message.isEmpty)
    }

    @Test func messagesExplainWhatIsNeeded() {
        let patch = VersionBump.check(oldVersion: v("1.4.0"), newVersion: v("1.4.1"), required: .minor)
        #expect(patch.message == "1.4.0 → 1.4.1 is a patch bump, but the changes require a minor bump: use 1.5.0 or later")
        let zero = VersionBump.check(oldVersion: v("0.3.1"), newVersion: v("0.3.2"), required: .major)
        #expect(zero.message.contains("at 0.x needs a minor bump"))
        #expect(zero.message.hasSuffix("use 0.4.0 or later"))
        let ok = VersionBump.check(oldVersion: v("0.3.1"), newVersion: v("0.4.0"), required: .major)
        #expect(ok.message.contains("at 0.x it counts as breaking"))
        let down = VersionBump.check(oldVersion: v("1.4.0"), newVersion: v("1.3.0"), required: .none)
        #expect(down.message.contains("went down"))
    }

    @Test(arguments: [
        ("1.4.2", BumpLevel.major, "2.0.0"), ("1.4.2", .minor, "1.5.0"), ("1.4.2", .patch, "1.4.3"), ("1.4.2", .none, "1.4.2"),
        ("0.3.1", .major, "0.4.0"), ("0.3.1", .minor, "0.3.2"), ("0.3.1", .patch, "0.3.2"),
        ("0.0.3", .major, "0.0.4"), ("0.0.3", .minor, "0.0.4"),
        ("2.0.0-rc.1", .major, "2.0.0"),
    ])
    func minimumVersion(old: String, required: BumpLevel, expected: String) {
        #expect(VersionBump.minimumVersion(after: v(old), for: required).isIdentical(to: v(expected)))
    }

    @Test func effectiveAndLiteralBumps() {
        #expect(VersionBump.effectiveBump(from: v("1.2.3"), to: v("1.3.0")) == .minor)
        #expect(VersionBump.effectiveBump(from: v("0.2.3"), to: v("0.3.0")) == .major)
        #expect(VersionBump.effectiveBump(from: v("0.2.3"), to: v("0.2.4")) == .minor)
        #expect(VersionBump.literalBump(from: v("0.2.3"), to: v("0.2.4")) == .patch)
        #expect(VersionBump.effectiveBump(from: v("1.2.3"), to: v("1.2.3")) == .none)
        #expect(BumpLevel.major > .minor && BumpLevel.patch > BumpLevel.none)
    }

    @Test func verifyReadsTheContractVersions() throws {
        let base = compatJSON(s3Contract)
        let new = edit(edit(base, "/version", "1.5.0"), "/value/read/2", "training-metrics/experiments/*")
        let result = try VersionBump.verify(old: base, new: new)
        #expect(result.ok)
        #expect(result.analysis.required == .minor)
        let stale = try VersionBump.verify(old: base, new: edit(new, "/version", "1.4.1"))
        #expect(!stale.ok)
        #expect(throws: CompatibilityError.self) { try VersionBump.verify(old: base, new: edit(new, "/version", "v1.5")) }
    }
}

@Suite struct BumpLinesTests {
    let base = compatJSON(s3Contract)

    /// The transcript in the RFC.
    @Test func compatibleAddition() throws {
        let new = edit(edit(base, "/version", "1.5.0"), "/schema/properties/experiments",
                       compatJSON("{'type':'array','items':{'type':'string'},'default':[]}"))
        let lines = try VersionBump.compatibilityLines(old: base, new: new)
        #expect(lines == [
            "Checking s3-permissions 1.4.0 → 1.5.0",
            "✓ read: unchanged",
            "✓ write: unchanged",
            "✓ delete: unchanged",
            "+ experiments: added (optional, default=[]) - COMPATIBLE",
            "",
            "Result: COMPATIBLE (minor version bump OK)",
        ])
    }

    @Test func closedModels() throws {
        let closed = edit(base, "/schema/additionalProperties", false)
        // Adding to a closed model: old importers reject the new property.
        let added = edit(edit(closed, "/version", "2.0.0"), "/schema/properties/owner", compatJSON("{'type':'string'}"))
        let addedLines = try VersionBump.compatibilityLines(old: closed, new: added)
        #expect(addedLines.contains("+ owner: added (optional) - BREAKING"))
        #expect(addedLines.last == "Result: BREAKING (major version bump required)")
        // Removing from a closed model: new data never holds it, old importers accept it.
        let removed = edit(edit(closed, "/version", "1.5.0"), "/schema/properties/write", nil)
        let removedLines = try VersionBump.compatibilityLines(old: closed, new: removed)
        #expect(removedLines.contains("- write: removed - COMPATIBLE"))
        #expect(removedLines.last == "Result: COMPATIBLE (minor version bump OK)")
        // ...which is what breaks a forwards contract (old data with `write` is now rejected).
        let forwardsOnly = edit(edit(closed, "/compatibility/backwards", false), "/compatibility/forwards", true)
        let fwdLines = try VersionBump.compatibilityLines(old: forwardsOnly, new: edit(forwardsOnly, "/schema/properties/write", nil))
        #expect(fwdLines.contains("- write: removed - BREAKING"))
        #expect(fwdLines.last == "Result: BREAKING (major version bump required)")
    }

    @Test func changedRequiredAndValueLines() throws {
        var new = edit(base, "/schema/properties/read/items/maxLength", 200)
        new = edit(new, "/schema/properties/write/items/type", compatJSON("['string','null']"))
        new = edit(new, "/schema/properties/owner", compatJSON("{'type':'string'}"))
        new = edit(new, "/schema/required", compatJSON("['read','owner']"))
        new = edit(new, "/schema/properties/delete/description", "paths to delete")
        new = edit(new, "/value/delete/0", "tmp/*")
        let lines = try VersionBump.compatibilityLines(old: base, new: new)
        #expect(lines.contains("~ read: changed (max-length-added) - COMPATIBLE"))
        #expect(lines.contains("~ write: changed (type-widened) - BREAKING"))
        #expect(lines.contains("✓ delete: metadata changed (description-changed)"))
        #expect(lines.contains("+ owner: added (required) - COMPATIBLE"))
        #expect(lines.contains("~ value: changed - COMPATIBLE"))
        #expect(lines.last == "Result: BREAKING (major version bump required)")
        // A required property removed: new data may lack it.
        let removed = edit(edit(base, "/schema/properties/read", nil), "/schema/required", compatJSON("[]"))
        #expect(try VersionBump.compatibilityLines(old: base, new: removed).contains("- read: removed (was required) - BREAKING"))
    }

    @Test func rootLevelChangesAndZeroVersions() throws {
        let zero = edit(base, "/version", "0.3.1")
        let widened = edit(zero, "/schema/type", compatJSON("['object','null']"))
        let lines = try VersionBump.compatibilityLines(old: zero, new: widened)
        #expect(lines.contains("~ (schema): changed (type-widened) - BREAKING"))
        #expect(lines.last == "Result: BREAKING (minor version bump required at 0.x)")
        let narrowed = try VersionBump.compatibilityLines(old: zero, new: edit(zero, "/schema/minProperties", 1))
        #expect(narrowed.contains("~ (schema): changed (min-properties-added) - COMPATIBLE"))
        #expect(narrowed.last == "Result: COMPATIBLE (minor version bump OK)")
        let zeroZero = edit(base, "/version", "0.0.3")
        #expect(try VersionBump.compatibilityLines(old: zeroZero, new: edit(zeroZero, "/schema/type", compatJSON("['object','null']"))).last
                == "Result: BREAKING (patch version bump required at 0.0.x)")
        #expect(try VersionBump.compatibilityLines(old: base, new: base).last == "Result: UNCHANGED (no version bump needed)")
        #expect(VersionBump.resultLine(.patch) == "Result: COMPATIBLE (patch version bump OK)")
    }

    @Test func rootReferenceIsFollowed() throws {
        let old = compatJSON("{'name':'c','version':'1.0.0','schema':{'$ref':'#/$defs/root','$defs':{'root':{'type':'object','properties':{'a':{'type':'string'}}}}}}")
        let new = compatJSON("{'name':'c','version':'1.1.0','schema':{'$ref':'#/$defs/root','$defs':{'root':{'type':'object','properties':{'a':{'type':'string'},'b':{'type':'integer'}}}}}}")
        let lines = try VersionBump.compatibilityLines(old: old, new: new)
        #expect(lines == ["Checking c 1.0.0 → 1.1.0", "✓ a: unchanged", "+ b: added (optional) - COMPATIBLE", "",
                          "Result: COMPATIBLE (minor version bump OK)"])
    }
}
