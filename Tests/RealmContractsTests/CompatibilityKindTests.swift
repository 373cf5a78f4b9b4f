import Testing
import RealmJSON
@testable import RealmContracts

/// JSON written with single quotes, for readable test tables.
func compatJSON(_ text: String) -> JSONValue {
    let doubled = String(text.map { $0 == "'" ? "\"" : $0 })
    do { return try JSONParser.parse(doubled) } catch {
        fatalError("bad test JSON \(text): \(error)")
    }
}

/// One change scenario: the kind it must report and the report's verdict in both modes.
struct CompatCase: Sendable, CustomTestStringConvertible {
    let kind: String
    let old: String
    let new: String
    /// (backward, forward) in strict mode.
    let strict: Verdict
    /// (backward, forward) in lenient mode, when different from strict.
    let lenient: Verdict?

    struct Verdict: Sendable, Equatable, CustomStringConvertible {
        let backward: Bool
        let forward: Bool
        var description: String { "backward \(backward), forward \(forward)" }
    }

    init(_ kind: String, _ old: String, _ new: String, strict: (Bool, Bool), lenient: (Bool, Bool)? = nil) {
        self.kind = kind
        self.old = old
        self.new = new
        self.strict = Verdict(backward: strict.0, forward: strict.1)
        self.lenient = lenient.map { Verdict(backward: $0.0, forward: $0.1) }
    }

    var testDescription: String { "\(kind): \(old) → \(new)" }
}

enum CompatCases {
    static let W = (true, false)   // widened: backward only
    static let N = (false, true)   // narrowed: forward only
    static let F = (true, true)    // full
    static let X = (false, false)  // neither

    static let annotations: [CompatCase] = [
        CompatCase("title-changed", "{'title':'a'}", "{'title':'b'}", strict: F),
        CompatCase("description-changed", "{'type':'string'}", "{'type':'string','description':'x'}", strict: F),
        CompatCase("default-changed", "{'type':'string','default':'a'}", "{'type':'string','default':'b'}", strict: F),
        CompatCase("examples-changed", "{'examples':[1]}", "{'examples':[2]}", strict: F),
        CompatCase("comment-changed", "{'$comment':'a'}", "{'$comment':'b'}", strict: F),
        CompatCase("deprecated-changed", "{'type':'string'}", "{'type':'string','deprecated':true}", strict: F),
        CompatCase("read-only-changed", "{'readOnly':false}", "{'readOnly':true}", strict: F),
        CompatCase("write-only-changed", "{'writeOnly':false}", "{'writeOnly':true}", strict: F),
        CompatCase("id-changed", "{'$id':'https://x.test/a'}", "{'$id':'https://x.test/b'}", strict: F),
        CompatCase("schema-dialect-changed", "{'$schema':'http://json-schema.org/draft-07/schema#'}",
                   "{'$schema':'https://json-schema.org/draft/2020-12/schema'}", strict: F),
        CompatCase("anchor-changed", "{'$anchor':'a'}", "{'$anchor':'b'}", strict: F),
        CompatCase("content-annotation-changed", "{'type':'string','contentMediaType':'text/plain'}",
                   "{'type':'string','contentMediaType':'application/json'}", strict: F),
        CompatCase("unknown-keyword-changed", "{'x-owner':'a'}", "{'x-owner':'b'}", strict: F),
    ]

    static let schemasAndTypes: [CompatCase] = [
        CompatCase("false-schema-added", "{'properties':{'a':{}}}", "{'properties':{'a':false}}", strict: N),
        CompatCase("false-schema-removed", "{'properties':{'a':false}}", "{'properties':{'a':{}}}", strict: W),
        CompatCase("type-widened", "{'type':'integer'}", "{'type':'number'}", strict: W),
        CompatCase("type-widened", "{'type':'string'}", "{'type':['string','null']}", strict: W),
        CompatCase("type-widened", "{'type':'string'}", "{}", strict: W),
        CompatCase("type-narrowed", "{'type':'number'}", "{'type':'integer'}", strict: N),
        CompatCase("type-narrowed", "{'type':['string','null']}", "{'type':'string'}", strict: N),
        CompatCase("type-narrowed", "{}", "{'type':'object'}", strict: N),
        CompatCase("type-changed", "{'type':'string'}", "{'type':'integer'}", strict: X),
        CompatCase("type-changed", "{'type':['string','null']}", "{'type':['string','integer']}", strict: X),
    ]

    static let enums: [CompatCase] = [
        CompatCase("enum-added", "{'type':'string'}", "{'type':'string','enum':['a','b']}", strict: N),
        CompatCase("enum-removed", "{'type':'string','enum':['a','b']}", "{'type':'string'}", strict: W),
        CompatCase("enum-value-added", "{'enum':['a','b']}", "{'enum':['a','b','c']}", strict: W),
        CompatCase("enum-value-removed", "{'enum':['a','b','c']}", "{'enum':['a','c']}", strict: N),
        CompatCase("enum-value-removed", "{'enum':['a','b']}", "{'enum':['b','c']}", strict: X),
        CompatCase("enum-value-added", "{'const':'a'}", "{'enum':['a','b']}", strict: W),
        CompatCase("const-added", "{'type':'integer'}", "{'type':'integer','const':1}", strict: N),
        CompatCase("const-removed", "{'type':'integer','const':1}", "{'type':'integer'}", strict: W),
        CompatCase("const-changed", "{'const':1}", "{'const':2}", strict: X),
    ]

    static let strings: [CompatCase] = [
        CompatCase("min-length-added", "{'type':'string'}", "{'type':'string','minLength':2}", strict: N),
        CompatCase("min-length-removed", "{'type':'string','minLength':2}", "{'type':'string'}", strict: W),
        CompatCase("min-length-increased", "{'type':'string','minLength':1}", "{'type':'string','minLength':2}", strict: N),
        CompatCase("min-length-decreased", "{'type':'string','minLength':2}", "{'type':'string','minLength':1}", strict: W),
        CompatCase("max-length-added", "{'type':'string'}", "{'type':'string','maxLength':5}", strict: N),
        CompatCase("max-length-removed", "{'type':'string','maxLength':5}", "{'type':'string'}", strict: W),
        CompatCase("max-length-increased", "{'type':'string','maxLength':5}", "{'type':'string','maxLength':9}", strict: W),
        CompatCase("max-length-decreased", "{'type':'string','maxLength':9}", "{'type':'string','maxLength':5}", strict: N),
        CompatCase("pattern-added", "{'type':'string'}", "{'type':'string','pattern':'^a'}", strict: N),
        CompatCase("pattern-removed", "{'type':'string','pattern':'^a'}", "{'type':'string'}", strict: W),
        CompatCase("pattern-changed", "{'type':'string','pattern':'^a'}", "{'type':'string','pattern':'^b'}", strict: X),
        CompatCase("format-added", "{'type':'string'}", "{'type':'string','format':'email'}", strict: N, lenient: F),
        CompatCase("format-removed", "{'type':'string','format':'email'}", "{'type':'string'}", strict: W, lenient: F),
        CompatCase("format-changed", "{'type':'string','format':'email'}", "{'type':'string','format':'uri'}", strict: X, lenient: F),
    ]

    static let numbers: [CompatCase] = [
        CompatCase("minimum-added", "{'type':'number'}", "{'type':'number','minimum':0}", strict: N),
        CompatCase("minimum-removed", "{'type':'number','minimum':0}", "{'type':'number'}", strict: W),
        CompatCase("minimum-increased", "{'type':'number','minimum':0}", "{'type':'number','minimum':1}", strict: N),
        CompatCase("minimum-decreased", "{'type':'number','minimum':1}", "{'type':'number','minimum':0}", strict: W),
        CompatCase("maximum-added", "{'type':'number'}", "{'type':'number','maximum':9}", strict: N),
        CompatCase("maximum-removed", "{'type':'number','maximum':9}", "{'type':'number'}", strict: W),
        CompatCase("maximum-increased", "{'type':'number','maximum':9}", "{'type':'number','maximum':10}", strict: W),
        CompatCase("maximum-decreased", "{'type':'number','maximum':10}", "{'type':'number','maximum':9}", strict: N),
        CompatCase("exclusive-minimum-added", "{'type':'number'}", "{'type':'number','exclusiveMinimum':0}", strict: N),
        CompatCase("exclusive-minimum-removed", "{'type':'number','exclusiveMinimum':0}", "{'type':'number'}", strict: W),
        CompatCase("exclusive-minimum-increased", "{'exclusiveMinimum':0}", "{'exclusiveMinimum':1}", strict: N),
        CompatCase("exclusive-minimum-decreased", "{'exclusiveMinimum':1}", "{'exclusiveMinimum':0}", strict: W),
        CompatCase("exclusive-maximum-added", "{'type':'integer'}", "{'type':'integer','exclusiveMaximum':9}", strict: N),
        CompatCase("exclusive-maximum-removed", "{'exclusiveMaximum':9}", "{}", strict: W),
        CompatCase("exclusive-maximum-increased", "{'exclusiveMaximum':9}", "{'exclusiveMaximum':10}", strict: W),
        CompatCase("exclusive-maximum-decreased", "{'exclusiveMaximum':10}", "{'exclusiveMaximum':9}", strict: N),
        // Draft 4's boolean form: `minimum: 5, exclusiveMinimum: true` is `exclusiveMinimum: 5`.
        CompatCase("exclusive-minimum-changed", "{'minimum':5,'exclusiveMinimum':true}", "{'exclusiveMinimum':5}", strict: F),
        CompatCase("exclusive-maximum-changed", "{'maximum':10,'exclusiveMaximum':true}", "{'exclusiveMaximum':9}", strict: N),
        CompatCase("exclusive-minimum-added", "{'minimum':5}", "{'minimum':5,'exclusiveMinimum':true}", strict: N),
        CompatCase("multiple-of-added", "{'type':'number'}", "{'type':'number','multipleOf':2}", strict: N),
        CompatCase("multiple-of-removed", "{'type':'number','multipleOf':2}", "{'type':'number'}", strict: W),
        CompatCase("multiple-of-reduced", "{'multipleOf':10}", "{'multipleOf':5}", strict: W),
        CompatCase("multiple-of-reduced", "{'multipleOf':0.5}", "{'multipleOf':0.1}", strict: W),
        CompatCase("multiple-of-expanded", "{'multipleOf':5}", "{'multipleOf':10}", strict: N),
        CompatCase("multiple-of-changed", "{'multipleOf':3}", "{'multipleOf':5}", strict: X),
    ]

    static let arrays: [CompatCase] = [
        CompatCase("min-items-added", "{'type':'array'}", "{'type':'array','minItems':1}", strict: N),
        CompatCase("min-items-removed", "{'type':'array','minItems':1}", "{'type':'array'}", strict: W),
        CompatCase("min-items-increased", "{'minItems':1}", "{'minItems':2}", strict: N),
        CompatCase("min-items-decreased", "{'minItems':2}", "{'minItems':1}", strict: W),
        CompatCase("max-items-added", "{'type':'array'}", "{'type':'array','maxItems':3}", strict: N),
        CompatCase("max-items-removed", "{'maxItems':3}", "{}", strict: W),
        CompatCase("max-items-increased", "{'maxItems':3}", "{'maxItems':4}", strict: W),
        CompatCase("max-items-decreased", "{'maxItems':4}", "{'maxItems':3}", strict: N),
        CompatCase("unique-items-added", "{'type':'array'}", "{'type':'array','uniqueItems':true}", strict: N),
        CompatCase("unique-items-removed", "{'type':'array','uniqueItems':true}", "{'type':'array','uniqueItems':false}", strict: W),
        CompatCase("contains-added", "{'type':'array'}", "{'type':'array','contains':{'const':1}}", strict: N),
        CompatCase("contains-removed", "{'type':'array','contains':{'const':1}}", "{'type':'array'}", strict: W),
        CompatCase("type-widened", "{'contains':{'type':'integer'}}", "{'contains':{'type':'number'}}", strict: W),
        CompatCase("min-contains-added", "{'contains':{'type':'string'}}", "{'contains':{'type':'string'},'minContains':2}", strict: N),
        CompatCase("min-contains-removed", "{'contains':{'type':'string'},'minContains':2}", "{'contains':{'type':'string'}}", strict: W),
        CompatCase("min-contains-increased", "{'contains':{},'minContains':2}", "{'contains':{},'minContains':3}", strict: N),
        CompatCase("min-contains-decreased", "{'contains':{},'minContains':3}", "{'contains':{},'minContains':2}", strict: W),
        CompatCase("max-contains-added", "{'contains':{}}", "{'contains':{},'maxContains':2}", strict: N),
        CompatCase("max-contains-removed", "{'contains':{},'maxContains':2}", "{'contains':{}}", strict: W),
        CompatCase("max-contains-increased", "{'contains':{},'maxContains':2}", "{'contains':{},'maxContains':3}", strict: W),
        CompatCase("max-contains-decreased", "{'contains':{},'maxContains':3}", "{'contains':{},'maxContains':2}", strict: N),
        // items (list form)
        CompatCase("type-narrowed", "{'type':'array'}", "{'type':'array','items':{'type':'string'}}", strict: N),
        CompatCase("type-widened", "{'type':'array','items':{'type':'string'}}", "{'type':'array'}", strict: W),
        CompatCase("max-length-increased", "{'items':{'type':'string','maxLength':3}}", "{'items':{'type':'string','maxLength':4}}", strict: W),
        // tuples (prefixItems and draft-07 items arrays)
        CompatCase("item-added-to-open-content-model", "{'prefixItems':[{'type':'string'}]}",
                   "{'prefixItems':[{'type':'string'},{'type':'integer'}]}", strict: N),
        CompatCase("item-added-to-open-content-model", "{'prefixItems':[{'type':'string'}]}",
                   "{'prefixItems':[{'type':'string'},{}]}", strict: F),
        CompatCase("item-added-to-closed-content-model", "{'prefixItems':[{'type':'string'}],'items':false}",
                   "{'prefixItems':[{'type':'string'},{'type':'integer'}],'items':false}", strict: W),
        CompatCase("item-added-to-closed-content-model", "{'items':[{'type':'string'}],'additionalItems':false}",
                   "{'items':[{'type':'string'},{'type':'integer'}],'additionalItems':false}", strict: W),
        CompatCase("item-added-to-partially-open-content-model", "{'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}",
                   "{'prefixItems':[{'type':'string'},{'type':'number'}],'items':{'type':'integer'}}", strict: W),
        CompatCase("item-added-to-partially-open-content-model", "{'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}",
                   "{'prefixItems':[{'type':'string'},{'type':'integer','minimum':0}],'items':{'type':'integer'}}", strict: N),
        CompatCase("item-removed-from-open-content-model", "{'prefixItems':[{'type':'string'},{'type':'integer'}]}",
                   "{'prefixItems':[{'type':'string'}]}", strict: W),
        CompatCase("item-removed-from-closed-content-model", "{'prefixItems':[{'type':'string'},{'type':'integer'}],'items':false}",
                   "{'prefixItems':[{'type':'string'}],'items':false}", strict: N),
        CompatCase("item-removed-from-partially-open-content-model", "{'prefixItems':[{'type':'string'},{'type':'number'}],'items':{'type':'integer'}}",
                   "{'prefixItems':[{'type':'string'}],'items':{'type':'integer'}}", strict: N),
        CompatCase("false-schema-added", "{'prefixItems':[{'type':'string'}]}", "{'prefixItems':[{'type':'string'}],'items':false}", strict: N),
    ]

    static let objects: [CompatCase] = [
        // open content model
        CompatCase("property-added-to-open-content-model", "{'type':'object','properties':{'a':{'type':'string'}}}",
                   "{'type':'object','properties':{'a':{'type':'string'},'b':{'type':'string'}}}", strict: N, lenient: F),
        CompatCase("property-added-to-open-content-model", "{'type':'object','properties':{'a':{}}}",
                   "{'type':'object','properties':{'a':{},'b':{}}}", strict: F),
        CompatCase("property-removed-from-open-content-model", "{'type':'object','properties':{'a':{'type':'string'},'b':{'type':'string'}}}",
                   "{'type':'object','properties':{'a':{'type':'string'}}}", strict: W, lenient: F),
        // closed content model
        CompatCase("property-added-to-closed-content-model", "{'properties':{'a':{}},'additionalProperties':false}",
                   "{'properties':{'a':{},'b':{'type':'string'}},'additionalProperties':false}", strict: W),
        CompatCase("property-removed-from-closed-content-model", "{'properties':{'a':{},'b':{'type':'string'}},'additionalProperties':false}",
                   "{'properties':{'a':{}},'additionalProperties':false}", strict: N),
        CompatCase("property-removed-from-closed-content-model", "{'properties':{'a':{},'b':false},'additionalProperties':false}",
                   "{'properties':{'a':{}},'additionalProperties':false}", strict: F),
        // partially open content model: schema-valued additionalProperties...
        CompatCase("property-added-to-partially-open-content-model", "{'properties':{'a':{}},'additionalProperties':{'type':'string'}}",
                   "{'properties':{'a':{},'b':{'type':'string','maxLength':5}},'additionalProperties':{'type':'string'}}", strict: N, lenient: F),
        CompatCase("property-added-to-partially-open-content-model", "{'properties':{'a':{}},'additionalProperties':{'type':'string'}}",
                   "{'properties':{'a':{},'b':{'type':['string','null']}},'additionalProperties':{'type':'string'}}", strict: W, lenient: F),
        CompatCase("property-removed-from-partially-open-content-model", "{'properties':{'b':{'type':'string','maxLength':5}},'additionalProperties':{'type':'string'}}",
                   "{'additionalProperties':{'type':'string'}}", strict: W, lenient: F),
        // ...and patternProperties
        CompatCase("property-added-to-partially-open-content-model", "{'patternProperties':{'^x-':{'type':'integer'}},'additionalProperties':false}",
                   "{'properties':{'x-count':{'type':'number'}},'patternProperties':{'^x-':{'type':'integer'}},'additionalProperties':false}", strict: W, lenient: F),
        CompatCase("property-added-to-closed-content-model", "{'patternProperties':{'^x-':{'type':'integer'}},'additionalProperties':false}",
                   "{'properties':{'count':{'type':'number'}},'patternProperties':{'^x-':{'type':'integer'}},'additionalProperties':false}", strict: W),
        CompatCase("property-removed-from-partially-open-content-model",
                   "{'properties':{'x-count':{'type':'integer','minimum':0}},'patternProperties':{'^x-':{'type':'integer'}},'additionalProperties':false}",
                   "{'patternProperties':{'^x-':{'type':'integer'}},'additionalProperties':false}", strict: W, lenient: F),
        // required
        CompatCase("required-added", "{'properties':{'a':{'type':'string'}}}", "{'properties':{'a':{'type':'string'}},'required':['a']}", strict: N),
        CompatCase("required-with-default-added", "{'properties':{'a':{'type':'string','default':''}}}",
                   "{'properties':{'a':{'type':'string','default':''}},'required':['a']}", strict: N, lenient: F),
        CompatCase("required-removed", "{'properties':{'a':{'type':'string'}},'required':['a']}", "{'properties':{'a':{'type':'string'}}}", strict: W),
        CompatCase("required-with-default-removed", "{'properties':{'a':{'type':'string','default':''}},'required':['a']}",
                   "{'properties':{'a':{'type':'string','default':''}}}", strict: W, lenient: F),
        // additionalProperties transitions
        CompatCase("additional-properties-closed", "{'properties':{'a':{}}}", "{'properties':{'a':{}},'additionalProperties':false}", strict: N, lenient: F),
        CompatCase("additional-properties-opened", "{'properties':{'a':{}},'additionalProperties':false}", "{'properties':{'a':{}}}", strict: W, lenient: F),
        CompatCase("additional-properties-constrained", "{'properties':{'a':{}}}",
                   "{'properties':{'a':{}},'additionalProperties':{'type':'string'}}", strict: N, lenient: F),
        CompatCase("additional-properties-unconstrained", "{'properties':{'a':{}},'additionalProperties':{'type':'string'}}",
                   "{'properties':{'a':{}},'additionalProperties':true}", strict: W, lenient: F),
        CompatCase("additional-properties-allowed", "{'additionalProperties':false}", "{'additionalProperties':{'type':'string'}}", strict: W),
        CompatCase("additional-properties-disallowed", "{'additionalProperties':{'type':'string'}}", "{'additionalProperties':false}", strict: N),
        CompatCase("max-length-added", "{'additionalProperties':{'type':'string'}}", "{'additionalProperties':{'type':'string','maxLength':3}}", strict: N),
        // patternProperties
        CompatCase("pattern-property-added", "{'properties':{'a':{}},'additionalProperties':false}",
                   "{'properties':{'a':{}},'patternProperties':{'^x-':{'type':'string'}},'additionalProperties':false}", strict: W),
        CompatCase("pattern-property-added", "{'properties':{'a':{}}}",
                   "{'properties':{'a':{}},'patternProperties':{'^x-':{'type':'string'}}}", strict: N, lenient: F),
        CompatCase("pattern-property-removed", "{'properties':{'a':{}},'patternProperties':{'^x-':{'type':'string'}},'additionalProperties':false}",
                   "{'properties':{'a':{}},'additionalProperties':false}", strict: N),
        CompatCase("pattern-property-removed", "{'patternProperties':{'^x-':{'type':'string'}},'additionalProperties':{'type':'string','maxLength':3}}",
                   "{'additionalProperties':{'type':'string','maxLength':3}}", strict: N, lenient: F),
        CompatCase("type-widened", "{'patternProperties':{'^x-':{'type':'integer'}}}", "{'patternProperties':{'^x-':{'type':'number'}}}", strict: W),
        // propertyNames, min/maxProperties
        CompatCase("pattern-added", "{'type':'object'}", "{'type':'object','propertyNames':{'pattern':'^[a-z]+$'}}", strict: N),
        CompatCase("min-properties-added", "{'type':'object'}", "{'type':'object','minProperties':1}", strict: N),
        CompatCase("min-properties-removed", "{'minProperties':1}", "{}", strict: W),
        CompatCase("min-properties-increased", "{'minProperties':1}", "{'minProperties':2}", strict: N),
        CompatCase("min-properties-decreased", "{'minProperties':2}", "{'minProperties':1}", strict: W),
        CompatCase("max-properties-added", "{'type':'object'}", "{'type':'object','maxProperties':5}", strict: N),
        CompatCase("max-properties-removed", "{'maxProperties':5}", "{}", strict: W),
        CompatCase("max-properties-increased", "{'maxProperties':5}", "{'maxProperties':6}", strict: W),
        CompatCase("max-properties-decreased", "{'maxProperties':6}", "{'maxProperties':5}", strict: N),
        // dependencies
        CompatCase("dependency-array-added", "{'type':'object'}", "{'type':'object','dependentRequired':{'a':['b']}}", strict: N),
        CompatCase("dependency-array-removed", "{'dependentRequired':{'a':['b']}}", "{}", strict: W),
        CompatCase("dependency-array-extended", "{'dependentRequired':{'a':['b']}}", "{'dependentRequired':{'a':['b','c']}}", strict: N),
        CompatCase("dependency-array-narrowed", "{'dependencies':{'a':['b','c']}}", "{'dependencies':{'a':['b']}}", strict: W),
        CompatCase("dependency-array-changed", "{'dependentRequired':{'a':['b']}}", "{'dependentRequired':{'a':['c']}}", strict: X),
        CompatCase("dependency-schema-added", "{'type':'object'}", "{'type':'object','dependentSchemas':{'a':{'required':['b']}}}", strict: N),
        CompatCase("dependency-schema-removed", "{'dependencies':{'a':{'required':['b']}}}", "{}", strict: W),
        CompatCase("required-added", "{'dependentSchemas':{'a':{'required':['b']}}}", "{'dependentSchemas':{'a':{'required':['b','c']}}}", strict: N),
    ]

    static let combinators: [CompatCase] = [
        CompatCase("all-of-added", "{'type':'object'}", "{'type':'object','allOf':[{'required':['a']}]}", strict: N),
        CompatCase("all-of-removed", "{'type':'object','allOf':[{'required':['a']}]}", "{'type':'object'}", strict: W),
        CompatCase("all-of-subschema-added", "{'allOf':[{'type':'string'}]}", "{'allOf':[{'type':'string'},{'maxLength':5}]}", strict: N),
        CompatCase("all-of-subschema-removed", "{'allOf':[{'type':'string'},{'maxLength':5}]}", "{'allOf':[{'type':'string'}]}", strict: W),
        CompatCase("max-length-increased", "{'allOf':[{'type':'string'},{'maxLength':5}]}", "{'allOf':[{'maxLength':6},{'type':'string'}]}", strict: W),
        CompatCase("any-of-added", "{'type':'string'}", "{'type':'string','anyOf':[{'maxLength':5},{'pattern':'^a'}]}", strict: N),
        CompatCase("any-of-removed", "{'type':'string','anyOf':[{'maxLength':5},{'pattern':'^a'}]}", "{'type':'string'}", strict: W),
        CompatCase("any-of-subschema-added", "{'anyOf':[{'type':'string'},{'type':'boolean'}]}",
                   "{'anyOf':[{'type':'string'},{'type':'boolean'},{'type':'integer'}]}", strict: W),
        CompatCase("any-of-subschema-removed", "{'anyOf':[{'type':'string'},{'type':'integer'}]}", "{'anyOf':[{'type':'string'}]}", strict: N),
        CompatCase("one-of-added", "{'type':'object'}", "{'type':'object','oneOf':[{'required':['a']},{'required':['b']}]}", strict: N),
        CompatCase("one-of-removed", "{'type':'object','oneOf':[{'required':['a']},{'required':['b']}]}", "{'type':'object'}", strict: W),
        CompatCase("one-of-subschema-added", "{'oneOf':[{'type':'string'},{'type':'boolean'}]}",
                   "{'oneOf':[{'type':'string'},{'type':'boolean'},{'type':'integer'}]}", strict: W),
        // An overlapping oneOf alternative can make instances match twice (and fail).
        CompatCase("one-of-subschema-added", "{'oneOf':[{'type':'string'},{'type':'integer'}]}",
                   "{'oneOf':[{'type':'string'},{'type':'integer'},{'type':'string','maxLength':5}]}", strict: N, lenient: F),
        CompatCase("one-of-subschema-removed", "{'oneOf':[{'type':'string'},{'type':'integer'}]}", "{'oneOf':[{'type':'string'}]}", strict: N),
        CompatCase("combinator-changed", "{'anyOf':[{'type':'string'},{'type':'string','maxLength':5}]}",
                   "{'oneOf':[{'type':'string'},{'type':'string','maxLength':5}]}", strict: N, lenient: F),
        CompatCase("combinator-changed", "{'oneOf':[{'type':'string'},{'type':'string','maxLength':5}]}",
                   "{'anyOf':[{'type':'string'},{'type':'string','maxLength':5}]}", strict: W, lenient: F),
        CompatCase("combinator-changed", "{'anyOf':[{'type':'string'},{'type':'integer'}]}",
                   "{'oneOf':[{'type':'string'},{'type':'integer'}]}", strict: F),
        // A type that becomes a oneOf/anyOf of itself and others is a widening.
        CompatCase("one-of-subschema-added", "{'type':'string','maxLength':5}",
                   "{'oneOf':[{'type':'string','maxLength':5},{'type':'null'}]}", strict: W),
        CompatCase("any-of-subschema-added", "{'type':'integer'}",
                   "{'anyOf':[{'type':'string'},{'type':'integer'}]}", strict: W),
        CompatCase("one-of-subschema-removed", "{'oneOf':[{'type':'string'},{'type':'null'}]}", "{'type':'string'}", strict: N),
        CompatCase("max-length-increased", "{'type':'string','maxLength':5}",
                   "{'oneOf':[{'type':'string','maxLength':6},{'type':'null'}]}", strict: W),
        CompatCase("all-of-subschema-added", "{'type':'object','properties':{'a':{}}}",
                   "{'allOf':[{'type':'object','properties':{'a':{}}},{'required':['a']}]}", strict: N),
        // not
        CompatCase("not-added", "{'type':'string'}", "{'type':'string','not':{'const':''}}", strict: N),
        CompatCase("not-removed", "{'type':'string','not':{'const':''}}", "{'type':'string'}", strict: W),
        CompatCase("type-widened", "{'not':{'type':'string'}}", "{'not':{'type':['string','null']}}", strict: N),
        // if / then / else
        CompatCase("conditional-added", "{'type':'object'}",
                   "{'type':'object','if':{'properties':{'k':{'const':1}}},'then':{'required':['a']}}", strict: N),
        CompatCase("conditional-removed", "{'type':'object','if':{'properties':{'k':{'const':1}}},'then':{'required':['a']}}",
                   "{'type':'object'}", strict: W),
        CompatCase("conditional-changed", "{'if':{'properties':{'k':{'const':1}}},'then':{'required':['a']}}",
                   "{'if':{'properties':{'k':{'const':2}}},'then':{'required':['a']}}", strict: X),
        CompatCase("required-added", "{'if':{'properties':{'k':{'const':1}}},'then':{'required':['a']}}",
                   "{'if':{'properties':{'k':{'const':1}}},'then':{'required':['a','b']}}", strict: N),
    ]

    static let all: [CompatCase] = annotations + schemasAndTypes + enums + strings + numbers + arrays + objects + combinators
}

@Suite struct CompatibilityKindTests {
    @Test(arguments: CompatCases.all)
    func verdicts(_ c: CompatCase) throws {
        let old = compatJSON(c.old), new = compatJSON(c.new)
        let strict = try SchemaCompatibility.compare(old: old, new: new, mode: .strict)
        #expect(strict.kinds.map(\.rawValue).contains(c.kind), "strict reported \(strict.changes)")
        #expect(CompatCase.Verdict(backward: strict.backward, forward: strict.forward) == c.strict, "strict: \(strict.changes)")
        let lenient = try SchemaCompatibility.compare(old: old, new: new, mode: .lenient)
        #expect(lenient.kinds.map(\.rawValue).contains(c.kind), "lenient reported \(lenient.changes)")
        #expect(CompatCase.Verdict(backward: lenient.backward, forward: lenient.forward) == (c.lenient ?? c.strict),
                "lenient: \(lenient.changes)")
        for change in strict.changes + lenient.changes where change.isAnnotation {
            #expect(change.backward && change.forward)
        }
        #expect(strict.mode == .strict && lenient.mode == .lenient)
    }

    /// Every kind the comparison can report is exercised by the table above, which names kinds by
    /// their identifiers: a renamed raw value (output, `--json`, docs) fails here.
    @Test func everyKindIsCovered() {
        let covered = Set(CompatCases.all.map(\.kind))
        let all = ChangeKind.allCases.map(\.rawValue)
        let missing = all.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "kinds without a test case: \(missing)")
        #expect(Set(all).count == all.count)
        let unknown = covered.subtracting(all)
        #expect(unknown.isEmpty, "test kinds that are no ChangeKind: \(unknown)")
    }

    /// Composed kinds exist for every bound and move they are composed from, print as their
    /// identifier, and the annotation kinds are exactly the metadata ones.
    @Test func composedKinds() {
        for bound in ChangeKind.Bound.allCases {
            for move in [ChangeKind.BoundMove.added, .removed, .increased, .decreased] {
                #expect(ChangeKind.bound(bound, move).rawValue == "\(bound.rawValue)-\(move.rawValue)")
            }
        }
        #expect(ChangeKind.bound(.exclusiveMinimum, .changed) == .exclusiveMinimumChanged)
        #expect(ChangeKind.Bound.minContains.keyword == "minContains")
        #expect(ChangeKind.Bound.exclusiveMaximum.keyword == "exclusiveMaximum")
        #expect(ChangeKind.Combinator.oneOf.subschemaAdded == .oneOfSubschemaAdded)
        #expect("\(ChangeKind.maxLengthAdded)" == "max-length-added")
        #expect(Set(ChangeKind.allCases.filter(\.isAnnotation).map(\.rawValue)) == [
            "title-changed", "description-changed", "default-changed", "examples-changed",
            "comment-changed", "deprecated-changed", "read-only-changed", "write-only-changed",
            "id-changed", "schema-dialect-changed", "anchor-changed", "content-annotation-changed",
            "unknown-keyword-changed",
        ])
    }

    @Test func identicalSchemasHaveNoChanges() throws {
        let schema = compatJSON("{'type':'object','properties':{'a':{'type':'string'}},'required':['a']}")
        let report = try SchemaCompatibility.compare(old: schema, new: schema, mode: .strict)
        #expect(report.isUnchanged)
        #expect(report.level == .full)
        // Key order and 1 vs 1.0 do not matter.
        let reordered = compatJSON("{'required':['a'],'properties':{'a':{'type':'string'}},'type':'object'}")
        #expect(try SchemaCompatibility.compare(old: schema, new: reordered).isUnchanged)
        #expect(try SchemaCompatibility.compare(old: compatJSON("{'maximum':1}"), new: compatJSON("{'maximum':1.0}")).isUnchanged)
    }
}
