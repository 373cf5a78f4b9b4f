import Testing
import RealmJSON
@testable import RealmContracts

private func compare(_ old: String, _ new: String, _ mode: CompatibilityMode = .strict) throws -> CompatibilityReport {
    try SchemaCompatibility.compare(old: compatJSON(old), new: compatJSON(new), mode: mode)
}

@Suite struct CompatibilityRefTests {
    @Test func changeInsideADefinitionIsReportedAtItsRoute() throws {
        let old = "{'$defs':{'s':{'type':'string'}},'properties':{'a':{'$ref':'#/$defs/s'}}}"
        let new = "{'$defs':{'s':{'type':'string','maxLength':3}},'properties':{'a':{'$ref':'#/$defs/s'}}}"
        let report = try compare(old, new)
        #expect(report.changes.map(\.kind) == [.maxLengthAdded])
        #expect(report.changes.first?.path == JSONPointer("/properties/a/maxLength"))
        #expect(!report.backward && report.forward)
    }

    @Test func draft07DefinitionsAndEscapedPointers() throws {
        let old = "{'definitions':{'a/b':{'type':'integer'}},'items':{'$ref':'#/definitions/a~1b'}}"
        let new = "{'definitions':{'a/b':{'type':'number'}},'items':{'$ref':'#/definitions/a%7E1b'}}"
        let report = try compare(old, new)
        #expect(report.kinds == [.typeWidened])
        #expect(report.level == .backward)
    }

    @Test func inlineAndReferencedSchemasAreEquivalent() throws {
        let inline = "{'properties':{'a':{'type':'string','maxLength':3}}}"
        let referenced = "{'$defs':{'s':{'type':'string','maxLength':3}},'properties':{'a':{'$ref':'#/$defs/s'}}}"
        #expect(try compare(inline, referenced).level == .full)
        #expect(try compare(referenced, inline).level == .full)
        let renamed = "{'$defs':{'t':{'type':'string','maxLength':3}},'properties':{'a':{'$ref':'#/$defs/t'}}}"
        #expect(try compare(referenced, renamed).level == .full)
    }

    @Test func anchorsAndRootReferences() throws {
        let old = "{'$defs':{'s':{'$anchor':'str','type':'string'}},'properties':{'a':{'$ref':'#str'}}}"
        let new = "{'$defs':{'s':{'$anchor':'str','type':['string','null']}},'properties':{'a':{'$ref':'#str'}}}"
        #expect(try compare(old, new).kinds == [.typeWidened])
        let withID = "{'$id':'https://x.test/s.json','$defs':{'s':{'type':'string'}},'properties':{'a':{'$ref':'https://x.test/s.json#/$defs/s'}}}"
        #expect(try compare(withID, withID).isUnchanged)
    }

    @Test func refWithSiblingsIsAConjunction() throws {
        let old = "{'$defs':{'s':{'type':'string'}},'properties':{'a':{'$ref':'#/$defs/s','maxLength':5}}}"
        let new = "{'$defs':{'s':{'type':'string'}},'properties':{'a':{'$ref':'#/$defs/s','maxLength':10}}}"
        let report = try compare(old, new)
        #expect(report.kinds == [.maxLengthIncreased])
        #expect(report.changes.first?.path == JSONPointer("/properties/a/maxLength"))
        #expect(report.level == .backward)
        // Only annotations next to the $ref: the target is compared directly.
        let described = "{'$defs':{'s':{'type':'string'}},'properties':{'a':{'$ref':'#/$defs/s','description':'x'}}}"
        let plain = "{'$defs':{'s':{'type':'string'}},'properties':{'a':{'type':'string'}}}"
        #expect(try compare(described, plain).level == .full)
    }

    /// A recursive tree: the comparison must terminate and report the change once.
    @Test func recursiveSchemasTerminate() throws {
        func tree(_ valueType: String) -> String {
            "{'$ref':'#/$defs/node','$defs':{'node':{'type':'object','properties':{'value':{'type':'\(valueType)'}," +
            "'children':{'type':'array','items':{'$ref':'#/$defs/node'}}},'required':['value']}}}"
        }
        let report = try compare(tree("integer"), tree("number"))
        #expect(report.kinds == [.typeWidened])
        #expect(report.changes.count == 1)
        #expect(report.changes.first?.path == JSONPointer("/properties/value/type"))
        #expect(report.level == .backward)
        #expect(try compare(tree("integer"), tree("integer")).isUnchanged)
    }

    @Test func mutuallyRecursiveAndRootRecursiveSchemas() throws {
        let old = "{'$defs':{'a':{'type':'object','properties':{'b':{'$ref':'#/$defs/b'}}},'b':{'type':'object','properties':{'a':{'$ref':'#/$defs/a'},'n':{'type':'integer'}}}},'$ref':'#/$defs/a'}"
        let new = "{'$defs':{'a':{'type':'object','properties':{'b':{'$ref':'#/$defs/b'}}},'b':{'type':'object','properties':{'a':{'$ref':'#/$defs/a'},'n':{'type':'integer','minimum':0}}}},'$ref':'#/$defs/a'}"
        let report = try compare(old, new)
        #expect(report.kinds == [.minimumAdded])
        #expect(report.changes.count == 1)

        let rootOld = "{'type':'object','properties':{'next':{'$ref':'#'},'v':{'type':'string'}}}"
        let rootNew = "{'type':'object','properties':{'next':{'$ref':'#'},'v':{'type':'string'},'w':{'type':'string'}},'additionalProperties':false}"
        let r2 = try compare(rootOld, rootNew)
        #expect(Set(r2.kinds) == [.propertyAddedToOpenContentModel, .additionalPropertiesClosed])
        #expect(r2.changes.count == 2)
    }

    /// Old and new recurse through different definitions (and different depths): every
    /// (old, new) pair is compared at most once.
    @Test func recursionWithDifferentShapesTerminates() throws {
        let old = "{'$defs':{'l':{'anyOf':[{'type':'null'},{'type':'object','properties':{'next':{'$ref':'#/$defs/l'}}}]}},'$ref':'#/$defs/l'}"
        let new = "{'$defs':{'l':{'anyOf':[{'type':'null'},{'type':'object','properties':{'next':{'$ref':'#/$defs/m'}}}]}," +
                  "'m':{'anyOf':[{'type':'null'},{'type':'object','properties':{'next':{'$ref':'#/$defs/l'}},'maxProperties':1}]}},'$ref':'#/$defs/l'}"
        let report = try compare(old, new)
        #expect(report.kinds.contains(.maxPropertiesAdded))
        #expect(!report.backward && report.forward)
    }

    @Test func wideningByReferenceIntoAUnion() throws {
        let old = "{'$defs':{'s':{'type':'string'}},'properties':{'a':{'$ref':'#/$defs/s'}}}"
        let new = "{'$defs':{'s':{'type':'string'}},'properties':{'a':{'oneOf':[{'$ref':'#/$defs/s'},{'type':'null'}]}}}"
        let report = try compare(old, new)
        #expect(report.kinds == [.oneOfSubschemaAdded])
        #expect(report.level == .backward)
    }
}

@Suite struct CompatibilityErrorTests {
    @Test(arguments: [
        ("{'type':5}", "/type", "\"type\" must be a string or an array of strings"),
        ("{'type':'strng'}", "/type", "unknown type name \"strng\""),
        ("{'properties':{'a':{'minLength':-1}}}", "/properties/a/minLength", "non-negative integer"),
        ("{'properties':{'a':{'maxLength':'5'}}}", "/properties/a/maxLength", "non-negative integer"),
        ("{'properties':{'a':5}}", "/properties/a", "a schema must be an object or a boolean"),
        ("{'required':true}", "/required", "array of property names"),
        ("{'required':['a',1]}", "/required/1", "entries must be strings"),
        ("{'anyOf':[]}", "/anyOf", "non-empty array of schemas"),
        ("{'multipleOf':0}", "/multipleOf", "greater than 0"),
        ("{'exclusiveMinimum':'x'}", "/exclusiveMinimum", "must be a number"),
        ("{'items':[{'type':'string'},7]}", "/items/1", "a schema must be an object or a boolean"),
        ("{'properties':{'a':{'$ref':'#/$defs/missing'}}}", "/properties/a/$ref", "unknown $ref target \"#/$defs/missing\""),
        ("{'$ref':'#nowhere'}", "/$ref", "no $anchor \"nowhere\""),
        ("{'$ref':'https://example.com/other.json'}", "/$ref", "only local references"),
        ("{'$ref':'#/$defs/a','$defs':{'a':{'$ref':'#/$defs/b'},'b':{'$ref':'#/$defs/a'}}}", "/$defs/b/$ref", "circular $ref"),
        ("{'$ref':'#/$defs/n','$defs':{'n':3}}", "/$ref", "points at a integer"),
        ("7", "", "a schema must be an object or a boolean"),
    ])
    func malformedSchemasThrowWithAPointer(schema: String, location: String, message: String) {
        for side in [CompatibilityError.Side.old, .new] {
            let bad = compatJSON(schema), good = compatJSON("{}")
            do {
                _ = try SchemaCompatibility.compare(old: side == .old ? bad : good, new: side == .new ? bad : good)
                Issue.record("\(schema) should be refused")
            } catch {
                #expect(error.side == side)
                #expect(error.location == JSONPointer(location), "\(error)")
                #expect(error.message.contains(message), "\(error)")
                #expect(error.description.hasPrefix("\(side.rawValue) schema at"))
            }
        }
    }

    @Test func invalidPatternIsReportedWhenNeeded() {
        let old = compatJSON("{'patternProperties':{'(':{'type':'string'}}}")
        let new = compatJSON("{'properties':{'a':{}},'patternProperties':{'(':{'type':'string'}}}")
        #expect(throws: CompatibilityError.self) { try SchemaCompatibility.compare(old: old, new: new) }
    }

    @Test func validateAloneHasNoSide() {
        do {
            try SchemaCompatibility.validate(compatJSON("{'type':1}"))
            Issue.record("should throw")
        } catch {
            #expect(error.side == nil)
            #expect(error.location == JSONPointer("/type"))
        }
        #expect(throws: Never.self) { try SchemaCompatibility.validate(compatJSON("{'x-custom':{'type':1}}")) }
    }
}

@Suite struct CompatibilityTransitiveTests {
    private func v(_ s: String) -> Version { try! Version(s) }

    @Test func checksAgainstEveryVersion() throws {
        let v1 = compatJSON("{'type':'object','properties':{'read':{'type':'array'}},'required':['read']}")
        let v2 = compatJSON("{'type':'object','properties':{'read':{'type':'array'},'write':{'type':'array','default':[]}},'required':['read']}")
        let v3 = compatJSON("{'type':'object','properties':{'read':{'type':'array'},'write':{'type':'array','default':[]}},'required':['read','write']}")
        let new = compatJSON("{'type':'object','properties':{'read':{'type':'array'},'write':{'type':'array','default':[]},'delete':{'type':'array','default':[]}},'required':['read','write']}")
        let results = try SchemaCompatibility.checkTransitive(
            history: [(version: v("1.0.0"), schema: v1), (version: v("1.1.0"), schema: v2), (version: v("1.2.0"), schema: v3)],
            new: new, mode: .lenient)
        #expect(results.map(\.0) == [v("1.0.0"), v("1.1.0"), v("1.2.0")])
        // Against 1.2.0 and 1.1.0 (write had a default): compatible both ways in lenient mode.
        #expect(results[2].1.level == .full)
        #expect(results[1].1.level == .full)
        #expect(results[0].1.level == .full)
        // Strict: 1.0.0 lacked `write`, which `new` requires, and both added properties narrow.
        let strict = try SchemaCompatibility.checkTransitive(
            history: [(version: v("1.0.0"), schema: v1), (version: v("1.2.0"), schema: v3)], new: new, mode: .strict)
        #expect(strict[0].1.kinds.contains(.requiredWithDefaultAdded))
        #expect(!strict[0].1.backward && strict[0].1.forward)
        #expect(!strict[1].1.backward)
        #expect(try !SchemaCompatibility.isTransitivelyCompatible(
            history: [(version: v("1.0.0"), schema: v1)], new: new, direction: .backward))
        #expect(try SchemaCompatibility.isTransitivelyCompatible(
            history: [(version: v("1.0.0"), schema: v1)], new: new, direction: .forward))
    }

    @Test func aBreakAgainstAnOlderVersionIsFound() throws {
        let v1 = compatJSON("{'properties':{'n':{'type':'integer','maximum':10}}}")
        let v2 = compatJSON("{'properties':{'n':{'type':'integer','maximum':20}}}")
        let new = compatJSON("{'properties':{'n':{'type':'integer','maximum':15}}}")
        let results = try SchemaCompatibility.checkTransitive(history: [(version: v("1.0.0"), schema: v1), (version: v("1.1.0"), schema: v2)], new: new)
        #expect(results[0].1.level == .backward)
        #expect(results[1].1.level == .forward)
    }

    @Test func aBadHistoricSchemaNamesItsVersion() {
        do {
            _ = try SchemaCompatibility.checkTransitive(history: [(version: v("1.0.0"), schema: compatJSON("{'type':3}"))],
                                                        new: compatJSON("{}"))
            Issue.record("should throw")
        } catch {
            #expect(error.message.contains("1.0.0"))
            #expect(error.location == JSONPointer("/type"))
        }
    }
}

@Suite struct CompatibilityRealmExampleTests {
    /// The RFC's s3-permissions contract: adding an optional `delete` array with a default.
    @Test func addingAnOptionalArrayWithDefault() throws {
        let old = compatJSON("""
        {'type':'object','required':['read'],'properties':{
          'read':{'type':'array','items':{'type':'string'}},
          'write':{'type':'array','items':{'type':'string'},'default':[]}}}
        """)
        let new = compatJSON("""
        {'type':'object','required':['read'],'properties':{
          'read':{'type':'array','items':{'type':'string'}},
          'write':{'type':'array','items':{'type':'string'},'default':[]},
          'delete':{'type':'array','items':{'type':'string'},'default':[]}}}
        """)
        let lenient = try SchemaCompatibility.compare(old: old, new: new, mode: .lenient)
        #expect(lenient.level == .full)
        #expect(lenient.changes.map(\.property) == ["delete"])
        let strict = try SchemaCompatibility.compare(old: old, new: new, mode: .strict)
        #expect(strict.level == .forward)
        // Removing `read` (required): readers of the old version need it.
        let removed = try SchemaCompatibility.compare(old: old, new: compatJSON("{'type':'object','properties':{'write':{'type':'array','items':{'type':'string'},'default':[]}}}"), mode: .lenient)
        #expect(Set(removed.kinds) == [.propertyRemovedFromOpenContentModel, .requiredRemoved])
        #expect(removed.level == .backward)
    }
}

@Suite struct CompatibilityGeneratorTests {
    private func countProperties(_ v: JSONValue) -> Int {
        guard case .object(let o) = v else { return 0 }
        var n = 0
        if case .object(let props)? = o["properties"] {
            n += props.count
            for (_, p) in props { n += countProperties(p) }
        }
        return n
    }

    private func depth(_ v: JSONValue) -> Int {
        guard case .object(let props)? = v["properties"] else { return 0 }
        return 1 + (props.values.map(depth).max() ?? 0)
    }

    @Test(arguments: [(1, 1), (10, 1), (50, 3), (500, 4), (5000, 4)])
    func generatesTheRequestedShape(properties: Int, depth d: Int) throws {
        let schema = SchemaGenerator.nestedSchema(properties: properties, depth: d)
        #expect(countProperties(schema) == properties)
        #expect(depth(schema) == d)
        try SchemaCompatibility.validate(schema)
        #expect(SchemaGenerator.nestedSchema(properties: properties, depth: d) == schema)
    }

    @Test func variantsDiffer() throws {
        let a = SchemaGenerator.nestedSchema(properties: 400, depth: 4)
        let b = SchemaGenerator.nestedSchema(properties: 400, depth: 4, variant: 1)
        #expect(try SchemaCompatibility.compare(old: a, new: a).isUnchanged)
        let report = try SchemaCompatibility.compare(old: a, new: b, mode: .strict)
        let kinds = Set(report.kinds)
        for expected: ChangeKind in [.maxLengthIncreased, .maximumDecreased, .multipleOfReduced, .enumValueAdded, .maxItemsDecreased, .typeWidened] {
            #expect(kinds.contains(expected), "\(kinds)")
        }
        #expect(kinds.contains(.propertyAddedToClosedContentModel) || kinds.contains(.propertyAddedToOpenContentModel))
        #expect(report.level == .none)
    }
}

@Suite struct CompatibilityEdgeTests {
    @Test func booleanSchemas() throws {
        #expect(try compare("true", "{}").isUnchanged)
        #expect(try compare("true", "{'type':'string'}").level == .forward)
        #expect(try compare("true", "false").kinds == [.falseSchemaAdded])
        #expect(try compare("false", "{'type':'string'}").level == .backward)
        #expect(try compare("false", "false").isUnchanged)
    }

    @Test func typeArraysAndUnionsAreEquivalent() throws {
        let array = "{'type':['string','null']}"
        let union = "{'anyOf':[{'type':'string'},{'type':'null'}]}"
        #expect(try compare(array, union).level == .full)
        #expect(try compare(union, array).level == .full)
        #expect(try compare(union, "{'anyOf':[{'type':'null'},{'type':'string'}]}").isUnchanged)
        let widened = try compare(array, "{'oneOf':[{'type':'string'},{'type':'null'},{'type':'integer'}]}")
        #expect(widened.level == .backward)
    }

    @Test func equalSchemasAreStillValidated() {
        let bad = compatJSON("{'type':'strng'}")
        #expect(throws: CompatibilityError.self) { try SchemaCompatibility.compare(old: bad, new: bad) }
    }

    @Test func reportHelpers() throws {
        let report = try compare("{'type':'string','title':'a'}", "{'type':['string','null'],'title':'b','maxLength':3}")
        #expect(report.kinds == [.titleChanged, .typeWidened, .maxLengthAdded])
        #expect(report.level == .none)
        #expect(report.breaking(.backward).map(\.kind) == [.maxLengthAdded])
        #expect(report.breaking(.forward).map(\.kind) == [.typeWidened])
        #expect(!report.hasOnlyAnnotationChanges)
        let description = report.changes[1].description
        #expect(description == "/type: type-widened [backward ✓, forward ✗] type string → null | string")
        #expect(try compare("{'title':'a'}", "{'title':'b'}").hasOnlyAnnotationChanges)
    }
}
