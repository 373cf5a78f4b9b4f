import RealmJSON

/// Which keywords apply to a schema object: the draft, and the vocabularies its metaschema enables.
struct Dialect: Hashable {
    var draft: JSONSchemaDraft
    var validation = true
    var applicator = true
    var unevaluated = true

    init(draft: JSONSchemaDraft) {
        self.draft = draft
        unevaluated = draft != .draft7
    }
}

/// A place in one of the compiler's documents.
struct SchemaLocation: Hashable {
    var document: Int
    var pointer: JSONPointer

    func appending(_ token: String) -> SchemaLocation {
        SchemaLocation(document: document, pointer: pointer.appending(token))
    }
}

/// Turns schema documents into a `SchemaProgram`.
///
/// 1. Indexing walks every subschema position of a document (keywords known to its dialect) and
///    records for each its base URI, dialect and schema resource, plus every `$id`, `$anchor` and
///    `$dynamicAnchor`. Registered documents are indexed when first referenced.
/// 2. Compiling turns the root schema, every subschema under it, and every `$ref` target into a
///    `SchemaNode`, checking each keyword's value. Nodes are memoised by location, so recursive
///    schemas compile to cyclic node graphs.
/// 3. The candidates of each `$dynamicRef` are compiled, and a search for cycles among in-place
///    applicators (`$ref`, `allOf`, `not`, ...) rejects schemas that would recurse forever.
struct SchemaCompiler {
    let defaultDraft: JSONSchemaDraft

    private struct Document {
        var uri: String
        var root: JSONValue
        var indexed = false
        /// The schema given to the validator (errors in it carry no document URI).
        var isMain = false
        /// Why indexing failed, for a document indexed only in the search for an `$id`.
        var indexError: SchemaError?
    }

    private struct Info {
        var base: SchemaURI
        var dialect: Dialect
        var resource: Int
    }

    private struct AnchorKey: Hashable {
        var resource: Int
        var name: String
    }

    private var documents: [Document] = []
    private var documentByURI: [String: Int] = [:]
    /// Documents given to the validator, by the URI as given; each becomes a `Document` when
    /// first needed, so that unused ones cost nothing.
    private var registered: [String: JSONValue] = [:]
    private var registeredTaken: Set<String> = []
    private var infos: [SchemaLocation: Info] = [:]
    private var resourceByURI: [String: SchemaLocation] = [:]
    private var resourceByLocation: [SchemaLocation: Int] = [:]
    private var resourceRoots: [SchemaLocation] = []
    private var anchors: [AnchorKey: SchemaLocation] = [:]
    private var dynamicAnchors: [String: [(resource: Int, location: SchemaLocation)]] = [:]
    private var nodes: [SchemaNode] = []
    private var nodeLocations: [SchemaLocation] = []
    private var nodeByLocation: [SchemaLocation: Int] = [:]
    private var dynamicTableNames: [String] = []
    private var pendingNodes: [Int] = []
    private var metaschemaDepth = 0

    init(defaultDraft: JSONSchemaDraft) {
        self.defaultDraft = defaultDraft
    }

    // MARK: - Entry point

    mutating func compile(root: JSONValue, baseURI: String,
                          documents extra: [String: JSONValue]) throws(SchemaError) -> SchemaProgram
    {
        let base = Self.normalise(SchemaURI(baseURI))
        guard base.isAbsolute else {
            throw SchemaError(location: .root, message: "base URI '\(baseURI)' is not absolute")
        }
        let main = addDocument(uri: base.description, root: root)
        documents[main].isMain = true
        registered = extra
        try indexDocument(main, dialect: Dialect(draft: defaultDraft))
        let rootLocation = SchemaLocation(document: main, pointer: .root)
        let rootNode = try compileNode(at: rootLocation)
        try buildPendingNodes()
        let tables = try compileDynamicCandidates()
        try checkInPlaceCycles(tables: tables)
        return SchemaProgram(
            nodes: nodes, dynamicTables: tables, root: rootNode,
            rootDraft: infos[rootLocation]?.dialect.draft ?? defaultDraft,
            tracksDynamicScope: !tables.isEmpty)
    }

    // MARK: - Documents and indexing

    private mutating func addDocument(uri: String, root: JSONValue) -> Int {
        let index = documents.count
        documents.append(Document(uri: uri, root: root))
        documentByURI[uri] = index
        return index
    }

    private func error(_ location: SchemaLocation, _ message: String) -> SchemaError {
        let document = documents[location.document]
        return SchemaError(location: location.pointer, message: message,
                           document: document.isMain ? nil : document.uri)
    }

    private static func normalise(_ uri: SchemaURI) -> SchemaURI {
        var copy = uri
        if copy.fragment == "" { copy.fragment = nil }
        return copy
    }

    private mutating func resourceIndex(for location: SchemaLocation) -> Int {
        if let index = resourceByLocation[location] { return index }
        let index = resourceRoots.count
        resourceRoots.append(location)
        resourceByLocation[location] = index
        return index
    }

    private mutating func indexDocument(_ document: Int, dialect: Dialect) throws(SchemaError) {
        guard !documents[document].indexed else { return }
        documents[document].indexed = true
        let root = SchemaLocation(document: document, pointer: .root)
        let resource = resourceIndex(for: root)
        let uri = documents[document].uri
        if resourceByURI[uri] == nil { resourceByURI[uri] = root }
        try index(documents[document].root, at: root, base: SchemaURI(uri), dialect: dialect,
                  resource: resource, isDocumentRoot: true)
    }

    private static func anchorSyntax(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0))
        }
    }

    private enum SubschemaShape {
        case single, map, array, singleOrArray, dependencies
    }

    private static func shape(of keyword: String, in dialect: Dialect) -> SubschemaShape? {
        switch keyword {
        case "additionalProperties", "propertyNames", "contains", "not", "if", "then", "else":
            return .single
        case "properties", "patternProperties", "definitions":
            return .map
        case "allOf", "anyOf", "oneOf":
            return .array
        case "items":
            return dialect.draft == .draft2020_12 ? .single : .singleOrArray
        case "additionalItems":
            return dialect.draft == .draft2020_12 ? nil : .single
        case "prefixItems":
            return dialect.draft == .draft2020_12 ? .array : nil
        case "$defs", "dependentSchemas":
            return dialect.draft == .draft7 ? nil : .map
        case "unevaluatedItems", "unevaluatedProperties", "contentSchema":
            return dialect.draft == .draft7 ? nil : .single
        case "dependencies":
            return dialect.draft == .draft7 ? .dependencies : nil
        default:
            return nil
        }
    }

    private struct IndexTask {
        var value: JSONValue
        var location: SchemaLocation
        var base: SchemaURI
        var dialect: Dialect
        var resource: Int
        var isDocumentRoot: Bool
    }

    /// Records `value` (a schema at `location`) and everything below it. Iterative, so that
    /// deeply nested schemas cost heap, not stack.
    private mutating func index(_ value: JSONValue, at location: SchemaLocation, base: SchemaURI,
                                dialect: Dialect, resource: Int, isDocumentRoot: Bool) throws(SchemaError)
    {
        var work = [IndexTask(value: value, location: location, base: base, dialect: dialect,
                              resource: resource, isDocumentRoot: isDocumentRoot)]
        while let task = work.popLast() {
            try indexOne(task.value, at: task.location, base: task.base, dialect: task.dialect,
                         resource: task.resource, isDocumentRoot: task.isDocumentRoot, work: &work)
        }
    }

    /// Records one schema and queues its subschemas on `work`.
    private mutating func indexOne(_ value: JSONValue, at location: SchemaLocation, base: SchemaURI,
                                   dialect: Dialect, resource: Int, isDocumentRoot: Bool,
                                   work: inout [IndexTask]) throws(SchemaError)
    {
        guard case .object(let object) = value else {
            if infos[location] == nil { infos[location] = Info(base: base, dialect: dialect, resource: resource) }
            return
        }
        var base = base
        var dialect = dialect
        var resource = resource
        if let schemaValue = object["$schema"], isDocumentRoot || object["$id"] != nil {
            guard case .string(let text) = schemaValue else {
                throw error(location.appending("$schema"), "$schema must be a string (a metaschema URI)")
            }
            dialect = try self.dialect(forMetaschema: text, at: location.appending("$schema"), fallback: dialect)
        }
        let refOverridesSiblings = dialect.draft == .draft7 && object["$ref"] != nil
        if let idValue = object["$id"], !refOverridesSiblings {
            guard case .string(let id) = idValue else {
                throw error(location.appending("$id"), "$id must be a string (a URI)")
            }
            let reference = SchemaURI(id)
            if dialect.draft == .draft7, reference.scheme == nil, reference.authority == nil,
               reference.path.isEmpty, reference.query == nil, let fragment = reference.fragment
            {
                // Draft-07 `"$id": "#name"` is an anchor.
                if !fragment.isEmpty { anchors[AnchorKey(resource: resource, name: fragment)] = location }
            } else {
                var uri = reference.resolved(against: base)
                let fragment = uri.fragment ?? ""
                uri.fragment = nil
                resource = resourceIndex(for: location)
                if resourceByURI[uri.description] == nil { resourceByURI[uri.description] = location }
                base = uri
                if !fragment.isEmpty {
                    guard dialect.draft == .draft7 else {
                        throw error(location.appending("$id"), "$id must not contain a fragment ('#\(fragment)'); use $anchor")
                    }
                    anchors[AnchorKey(resource: resource, name: fragment)] = location
                }
            }
        }
        if dialect.draft != .draft7 {
            if let anchorValue = object["$anchor"] {
                guard case .string(let name) = anchorValue, Self.anchorSyntax(name) else {
                    throw error(location.appending("$anchor"), "$anchor must be a name matching ^[A-Za-z_][-A-Za-z0-9._]*$")
                }
                anchors[AnchorKey(resource: resource, name: name)] = location
            }
            if dialect.draft == .draft2020_12, let anchorValue = object["$dynamicAnchor"] {
                guard case .string(let name) = anchorValue, Self.anchorSyntax(name) else {
                    throw error(location.appending("$dynamicAnchor"),
                                "$dynamicAnchor must be a name matching ^[A-Za-z_][-A-Za-z0-9._]*$")
                }
                anchors[AnchorKey(resource: resource, name: name)] = location
                dynamicAnchors[name, default: []].append((resource, location))
            }
        }
        infos[location] = Info(base: base, dialect: dialect, resource: resource)
        var children: [IndexTask] = []
        func queue(_ child: JSONValue, _ at: SchemaLocation) {
            switch child {
            case .object, .bool:
                children.append(IndexTask(value: child, location: at, base: base, dialect: dialect,
                                          resource: resource, isDocumentRoot: false))
            default:
                break
            }
        }
        for (keyword, child) in object {
            guard let shape = Self.shape(of: keyword, in: dialect) else { continue }
            let at = location.appending(keyword)
            switch (shape, child) {
            case (.single, _), (.singleOrArray, .object), (.singleOrArray, .bool):
                queue(child, at)
            case (.map, .object(let members)), (.dependencies, .object(let members)):
                for (name, member) in members { queue(member, at.appending(name)) }
            case (.array, .array(let elements)), (.singleOrArray, .array(let elements)):
                for (n, element) in elements.enumerated() { queue(element, at.appending(String(n))) }
            default:
                break
            }
        }
        // Reversed, so that subschemas are indexed in document order (the first `$id` wins).
        work.append(contentsOf: children.reversed())
    }

    /// The dialect a `$schema` URI names: a known draft, or a registered metaschema whose
    /// `$vocabulary` says which vocabularies apply.
    private mutating func dialect(forMetaschema text: String, at location: SchemaLocation,
                                  fallback: Dialect) throws(SchemaError) -> Dialect
    {
        let uri = Self.normalise(SchemaURI(text))
        let key = uri.description
        if let draft = Self.knownMetaschemas[key] { return Dialect(draft: draft) }
        guard uri.isAbsolute else { throw error(location, "$schema must be an absolute URI, got '\(text)'") }
        var documentIndex = registeredDocument(key)
        if documentIndex == nil, let builtIn = BuiltInMetaschemas.document(for: key) {
            documentIndex = addDocument(uri: key, root: builtIn)
        }
        guard let documentIndex, case .object(let meta) = documents[documentIndex].root else {
            throw error(location, "unknown $schema '\(text)': use a draft-07, 2019-09 or 2020-12 metaschema URI, or register the metaschema document")
        }
        metaschemaDepth += 1
        defer { metaschemaDepth -= 1 }
        guard metaschemaDepth < 8 else { throw error(location, "metaschema chain of '\(text)' is too long or cyclic") }
        var dialect = fallback
        if case .string(let parent)? = meta["$schema"], Self.normalise(SchemaURI(parent)).description != key {
            dialect = try self.dialect(forMetaschema: parent, at: location, fallback: fallback)
        }
        if let vocabularyValue = meta["$vocabulary"] {
            guard case .object(let vocabularies) = vocabularyValue else {
                throw error(location, "metaschema '\(text)' has a $vocabulary that is not an object")
            }
            var enabled = Set<String>()
            for (vocabulary, required) in vocabularies {
                let name = Self.vocabularyName(vocabulary)
                guard let name else {
                    if required == .bool(true) {
                        throw error(location, "metaschema '\(text)' requires vocabulary '\(vocabulary)', which is not supported")
                    }
                    continue
                }
                if name == "format-assertion" && required == .bool(true) {
                    throw error(location, "metaschema '\(text)' requires format assertion, which is not supported (format is an annotation)")
                }
                enabled.insert(name)
            }
            dialect.validation = enabled.contains("validation")
            dialect.applicator = enabled.contains("applicator")
            dialect.unevaluated = dialect.draft != .draft7
                && (enabled.contains("unevaluated") || (dialect.draft == .draft2019_09 && enabled.contains("applicator")))
        }
        return dialect
    }

    private static func vocabularyName(_ uri: String) -> String? {
        for prefix in ["https://json-schema.org/draft/2020-12/vocab/", "https://json-schema.org/draft/2019-09/vocab/"] {
            if uri.hasPrefix(prefix) {
                let name = String(uri.dropFirst(prefix.count))
                let known = ["core", "applicator", "unevaluated", "validation", "meta-data",
                             "format-annotation", "format-assertion", "format", "content"]
                return known.contains(name) ? name : nil
            }
        }
        return nil
    }

    static let knownMetaschemas: [String: JSONSchemaDraft] = [
        "https://json-schema.org/draft/2020-12/schema": .draft2020_12,
        "https://json-schema.org/draft/2019-09/schema": .draft2019_09,
        "http://json-schema.org/draft-07/schema": .draft7,
        "https://json-schema.org/draft-07/schema": .draft7,
        "http://json-schema.org/draft-06/schema": .draft7,
        "http://json-schema.org/draft-04/schema": .draft7,
        "http://json-schema.org/schema": .draft2020_12,
    ]

    // MARK: - Reference resolution

    private func value(at location: SchemaLocation) -> JSONValue? {
        location.pointer.resolve(in: documents[location.document].root)
    }

    /// The document registered (or built in) as `uri` (normalised), added on first use.
    private mutating func registeredDocument(_ uri: String) -> Int? {
        if let document = documentByURI[uri] { return document }
        for key in [uri, uri + "#"] where !registeredTaken.contains(key) {
            if let root = registered[key] {
                registeredTaken.insert(key)
                return addDocument(uri: uri, root: root)
            }
        }
        return nil
    }

    /// The location of the resource `uri` names, indexing registered documents as needed.
    private mutating func findResource(_ uri: String, dialect: Dialect) throws(SchemaError) -> SchemaLocation? {
        if let found = resourceByURI[uri] { return try checked(found) }
        if let document = registeredDocument(uri) {
            try indexDocument(document, dialect: dialect)
            if let found = resourceByURI[uri] { return try checked(found) }
        }
        if let builtIn = BuiltInMetaschemas.document(for: uri) {
            let document = addDocument(uri: uri, root: builtIn)
            try indexDocument(document, dialect: Dialect(draft: .draft2020_12))
            return resourceByURI[uri]
        }
        // An `$id` inside a registered document that is not yet indexed. Problems in documents
        // that turn out to be unrelated are not this schema's problems: they are kept, and
        // reported only if a reference leads into that document.
        for (key, root) in registered where !registeredTaken.contains(key) {
            registeredTaken.insert(key)
            let (normalised, isAbsolute) = SchemaURI.normalisedAbsolute(key)
            guard isAbsolute else {
                throw SchemaError(location: .root, message: "document URI '\(key)' is not absolute", document: key)
            }
            if documentByURI[normalised] == nil { _ = addDocument(uri: normalised, root: root) }
        }
        for document in documents.indices where !documents[document].indexed {
            do throws(SchemaError) {
                try indexDocument(document, dialect: dialect)
            } catch {
                documents[document].indexError = error
            }
        }
        return try resourceByURI[uri].map { location throws(SchemaError) in try checked(location) }
    }

    /// `location`, unless its document could not be indexed.
    private func checked(_ location: SchemaLocation) throws(SchemaError) -> SchemaLocation {
        if let failure = documents[location.document].indexError { throw failure }
        return location
    }

    /// Where the reference `text`, written at `location` under `base`, leads.
    private mutating func resolveReference(_ text: String, base: SchemaURI, dialect: Dialect,
                                           at location: SchemaLocation) throws(SchemaError) -> SchemaLocation
    {
        let target = SchemaURI(text).resolved(against: base)
        let resourceURI = target.withoutFragment.description
        guard let resource = try findResource(resourceURI, dialect: dialect) else {
            throw error(location, "cannot resolve reference '\(text)': no schema has the URI '\(resourceURI)' (register it as a document)")
        }
        guard let fragment = target.fragment, !fragment.isEmpty else { return resource }
        guard let decoded = percentDecode(fragment) else {
            throw error(location, "reference '\(text)' has a malformed percent-encoding")
        }
        if decoded.hasPrefix("/") {
            guard let pointer = JSONPointer(decoded) else {
                throw error(location, "reference '\(text)' has an invalid JSON pointer")
            }
            let found = SchemaLocation(document: resource.document,
                                       pointer: JSONPointer(tokens: resource.pointer.tokens + pointer.tokens))
            guard value(at: found) != nil else {
                throw error(location, "cannot resolve reference '\(text)': nothing at '\(decoded)' in '\(resourceURI)'")
            }
            return found
        }
        let resourceIndex = self.resourceIndex(for: resource)
        guard let anchor = anchors[AnchorKey(resource: resourceIndex, name: decoded)] else {
            throw error(location, "cannot resolve reference '\(text)': no anchor '\(decoded)' in '\(resourceURI)'")
        }
        return anchor
    }

    /// The base URI, dialect and resource of `location`, indexing it when it is a schema no
    /// indexing walk reached (a `$ref` into an unknown keyword, say).
    private mutating func info(for location: SchemaLocation, value: JSONValue) throws(SchemaError) -> Info {
        if let found = infos[location] { return found }
        var tokens = location.pointer.tokens
        while !tokens.isEmpty {
            tokens.removeLast()
            if let parent = infos[SchemaLocation(document: location.document, pointer: JSONPointer(tokens: tokens))] {
                try index(value, at: location, base: parent.base, dialect: parent.dialect,
                          resource: parent.resource, isDocumentRoot: false)
                if let found = infos[location] { return found }
                break
            }
        }
        throw error(location, "internal: schema location was not indexed")
    }

    // MARK: - Compiling nodes

    /// The node for the schema at `location`: existing, or reserved and queued for
    /// `buildPendingNodes` (a worklist rather than recursion, so that deeply nested schemas cost
    /// heap, not stack).
    private mutating func compileNode(at location: SchemaLocation) throws(SchemaError) -> Int {
        if let existing = nodeByLocation[location] { return existing }
        let id = nodes.count
        nodes.append(SchemaNode())
        nodeLocations.append(location)
        nodeByLocation[location] = id
        pendingNodes.append(id)
        return id
    }

    private mutating func buildPendingNodes() throws(SchemaError) {
        while let id = pendingNodes.popLast() {
            try buildNode(id)
        }
    }

    private mutating func buildNode(_ id: Int) throws(SchemaError) {
        let location = nodeLocations[id]
        guard let value = value(at: location) else {
            throw error(location, "no schema here")
        }
        let info = try self.info(for: location, value: value)
        var node = SchemaNode()
        node.resource = info.resource
        switch value {
        case .bool(let accept):
            node.isFalse = !accept
        case .object(let object):
            node.keywords = try compileKeywords(object, at: location, info: info)
            node.hasUnevaluated = node.keywords.contains {
                switch $0 {
                case .unevaluatedItems, .unevaluatedProperties: return true
                default: return false
                }
            }
        default:
            throw error(location, "a schema must be an object or a boolean, got \(value.typeName)")
        }
        nodes[id] = node
    }

    private mutating func compileKeywords(_ object: JSONObject, at location: SchemaLocation,
                                          info: Info) throws(SchemaError) -> [SchemaKeyword]
    {
        let dialect = info.dialect
        let draft = dialect.draft
        var keywords: [SchemaKeyword] = []

        func at(_ keyword: String) -> SchemaLocation { location.appending(keyword) }

        if draft == .draft7, let ref = object["$ref"] {
            // Draft-07: `$ref` replaces every sibling keyword.
            return [.ref(try compileReference(ref, keyword: "$ref", at: location, info: info), keyword: "$ref")]
        }

        // Core.
        for keyword in ["$comment"] where object[keyword] != nil {
            guard case .string = object[keyword]! else { throw error(at(keyword), "\(keyword) must be a string") }
        }
        if let vocabulary = object["$vocabulary"] {
            guard case .object(let members) = vocabulary, members.values.allSatisfy({ $0.boolValue != nil }) else {
                throw error(at("$vocabulary"), "$vocabulary must be an object of booleans")
            }
        }
        if draft != .draft7, let defs = object["$defs"] {
            for name in try objectValue(defs, keyword: "$defs", at: location).keys {
                _ = try compileNode(at: at("$defs").appending(name))
            }
        }
        if let defs = object["definitions"] {
            if draft == .draft7 {
                for name in try objectValue(defs, keyword: "definitions", at: location).keys {
                    _ = try compileNode(at: at("definitions").appending(name))
                }
            } else if case .object(let members) = defs {
                // Not a 2020-12 keyword, but widely used for the same purpose.
                for (name, member) in members where member.boolValue != nil || member.objectValue != nil {
                    _ = try compileNode(at: at("definitions").appending(name))
                }
            }
        }
        if let ref = object["$ref"] {
            keywords.append(.ref(try compileReference(ref, keyword: "$ref", at: location, info: info), keyword: "$ref"))
        }
        if draft == .draft2019_09, let ref = object["$recursiveRef"] {
            // Without `$recursiveAnchor` support this is a plain reference.
            keywords.append(.ref(try compileReference(ref, keyword: "$recursiveRef", at: location, info: info),
                                 keyword: "$recursiveRef"))
        }
        if draft == .draft2020_12, let ref = object["$dynamicRef"] {
            keywords.append(try compileDynamicReference(ref, at: location, info: info))
        }
        if let format = object["format"] {
            guard case .string = format else { throw error(at("format"), "format must be a string") }
        }

        // Validation vocabulary.
        if dialect.validation {
            try compileValidation(object, at: location, draft: draft, into: &keywords)
        }

        // Applicators.
        if dialect.applicator {
            try compileApplicators(object, at: location, info: info, into: &keywords)
        }

        // Unevaluated: last, so that they see every sibling's annotations.
        if dialect.unevaluated && draft != .draft7 {
            if let items = object["unevaluatedItems"] {
                keywords.append(.unevaluatedItems(try compileSubschema(items, at: at("unevaluatedItems"))))
            }
            if let properties = object["unevaluatedProperties"] {
                keywords.append(.unevaluatedProperties(try compileSubschema(properties, at: at("unevaluatedProperties"))))
            }
        }
        return keywords
    }

    private mutating func compileSubschema(_ value: JSONValue, at location: SchemaLocation) throws(SchemaError) -> Int {
        switch value {
        case .object, .bool: return try compileNode(at: location)
        default: throw error(location, "must be a schema (an object or a boolean), got \(value.typeName)")
        }
    }

    private mutating func compileSchemaArray(_ value: JSONValue, keyword: String, at location: SchemaLocation,
                                             allowEmpty: Bool = false) throws(SchemaError) -> [Int]
    {
        guard case .array(let elements) = value, allowEmpty || !elements.isEmpty else {
            throw error(location.appending(keyword), "\(keyword) must be a non-empty array of schemas")
        }
        var ids: [Int] = []
        ids.reserveCapacity(elements.count)
        for (n, element) in elements.enumerated() {
            ids.append(try compileSubschema(element, at: location.appending(keyword).appending(String(n))))
        }
        return ids
    }

    private func objectValue(_ value: JSONValue, keyword: String, at location: SchemaLocation) throws(SchemaError) -> JSONObject {
        guard case .object(let members) = value else {
            throw error(location.appending(keyword), "\(keyword) must be an object, got \(value.typeName)")
        }
        return members
    }

    private func nonNegativeInteger(_ value: JSONValue, keyword: String, at location: SchemaLocation) throws(SchemaError) -> Int {
        switch value {
        case .integer(let n) where n >= 0:
            return n
        case .number(let d) where d >= 0 && d.rounded() == d && d < 9.2e18:
            return Int(d)
        case .number(let d) where d >= 9.2e18:
            return Int.max
        default:
            throw error(location.appending(keyword), "\(keyword) must be a non-negative integer, got \(value)")
        }
    }

    private func stringArray(_ value: JSONValue, keyword: String, at location: SchemaLocation) throws(SchemaError) -> [String] {
        guard case .array(let elements) = value else {
            throw error(location.appending(keyword), "\(keyword) must be an array of strings, got \(value.typeName)")
        }
        var strings: [String] = []
        var seen = Set<String>()
        for (n, element) in elements.enumerated() {
            guard case .string(let s) = element else {
                throw error(location.appending(keyword).appending(String(n)), "\(keyword) must contain only strings, got \(element.typeName)")
            }
            guard seen.insert(s).inserted else {
                throw error(location.appending(keyword).appending(String(n)), "\(keyword) lists '\(s)' twice")
            }
            strings.append(s)
        }
        return strings
    }

    private func pattern(_ value: JSONValue, at location: SchemaLocation) throws(SchemaError) -> PatternMatcher {
        guard case .string(let source) = value else {
            throw error(location, "pattern must be a string (a regular expression), got \(value.typeName)")
        }
        return try pattern(source, at: location)
    }

    private func pattern(_ source: String, at location: SchemaLocation) throws(SchemaError) -> PatternMatcher {
        do {
            return try PatternMatcher(source)
        } catch {
            throw self.error(location, "invalid regular expression '\(source)': \(error.message)")
        }
    }

    private mutating func compileValidation(_ object: JSONObject, at location: SchemaLocation, draft: JSONSchemaDraft,
                                            into keywords: inout [SchemaKeyword]) throws(SchemaError)
    {
        func at(_ keyword: String) -> SchemaLocation { location.appending(keyword) }

        if let type = object["type"] {
            var mask = TypeMask()
            switch type {
            case .string(let name):
                guard let t = TypeMask(name: name) else { throw error(at("type"), "unknown type '\(name)'") }
                mask = t
            case .array(let names) where !names.isEmpty:
                for (n, element) in names.enumerated() {
                    guard case .string(let name) = element, let t = TypeMask(name: name) else {
                        throw error(at("type").appending(String(n)), "type must name a JSON type, got \(element)")
                    }
                    guard !mask.contains(t) else { throw error(at("type").appending(String(n)), "type lists '\(name)' twice") }
                    mask.insert(t)
                }
            default:
                throw error(at("type"), "type must be a type name or a non-empty array of them, got \(type)")
            }
            keywords.append(.type(mask))
        }
        if let values = object["enum"] {
            guard case .array(let elements) = values else {
                throw error(at("enum"), "enum must be an array, got \(values.typeName)")
            }
            var strings: Set<ExactString>? = Set()
            for element in elements {
                if case .string(let s) = element { strings?.insert(ExactString(s)) } else { strings = nil; break }
            }
            keywords.append(.enumeration(elements, strings: strings))
        }
        if let value = object["const"] {
            keywords.append(.const(value))
        }
        if let value = object["multipleOf"] {
            guard let d = value.doubleValue, d > 0 else {
                throw error(at("multipleOf"), "multipleOf must be a number greater than 0, got \(value)")
            }
            keywords.append(.multipleOf(value))
        }
        for kind in [BoundKind.maximum, .exclusiveMaximum, .minimum, .exclusiveMinimum] {
            guard let value = object[kind.keyword] else { continue }
            if draft == .draft7, case .bool(let exclusive) = value,
               kind == .exclusiveMaximum || kind == .exclusiveMinimum
            {
                // Draft-04 form: a boolean that makes maximum/minimum exclusive.
                let base = kind == .exclusiveMaximum ? "maximum" : "minimum"
                if exclusive, let limit = object[base], limit.isNumber {
                    keywords.append(.bound(kind, limit))
                }
                continue
            }
            guard value.isNumber, value.doubleValue!.isFinite else {
                throw error(at(kind.keyword), "\(kind.keyword) must be a number, got \(value)")
            }
            if draft == .draft7, kind == .maximum || kind == .minimum,
               object[kind == .maximum ? "exclusiveMaximum" : "exclusiveMinimum"] == .bool(true)
            {
                continue
            }
            keywords.append(.bound(kind, value))
        }
        for kind in [CountKind.maxLength, .minLength, .maxItems, .minItems, .maxProperties, .minProperties] {
            guard let value = object[kind.keyword] else { continue }
            let n = try nonNegativeInteger(value, keyword: kind.keyword, at: location)
            keywords.append(.count(kind, n))
        }
        if let value = object["pattern"] {
            keywords.append(.pattern(try pattern(value, at: at("pattern"))))
        }
        if let value = object["uniqueItems"] {
            guard case .bool(let unique) = value else {
                throw error(at("uniqueItems"), "uniqueItems must be a boolean, got \(value)")
            }
            if unique { keywords.append(.uniqueItems) }
        }
        if let value = object["required"] {
            let names = try stringArray(value, keyword: "required", at: location)
            if !names.isEmpty { keywords.append(.required(names)) }
        }
        if draft != .draft7, let value = object["dependentRequired"] {
            let members = try objectValue(value, keyword: "dependentRequired", at: location)
            var list: [(String, [String])] = []
            for (name, required) in members {
                list.append((name, try stringArray(required, keyword: name, at: at("dependentRequired"))))
            }
            if !list.isEmpty { keywords.append(.dependentRequired(list, keyword: "dependentRequired")) }
        }
        if draft != .draft7 {
            // minContains/maxContains are checked here; they act through `contains`.
            for keyword in ["minContains", "maxContains"] {
                if let value = object[keyword] { _ = try nonNegativeInteger(value, keyword: keyword, at: location) }
            }
        }
    }

    private mutating func compileApplicators(_ object: JSONObject, at location: SchemaLocation, info: Info,
                                             into keywords: inout [SchemaKeyword]) throws(SchemaError)
    {
        let draft = info.dialect.draft
        func at(_ keyword: String) -> SchemaLocation { location.appending(keyword) }

        if let value = object["allOf"] {
            keywords.append(.allOf(try compileSchemaArray(value, keyword: "allOf", at: location)))
        }
        if let value = object["anyOf"] {
            keywords.append(.anyOf(try compileSchemaArray(value, keyword: "anyOf", at: location)))
        }
        if let value = object["oneOf"] {
            keywords.append(.oneOf(try compileSchemaArray(value, keyword: "oneOf", at: location)))
        }
        if let value = object["not"] {
            keywords.append(.not(try compileSubschema(value, at: at("not"))))
        }
        let thenNode = try object["then"].map { v throws(SchemaError) in try compileSubschema(v, at: at("then")) }
        let elseNode = try object["else"].map { v throws(SchemaError) in try compileSubschema(v, at: at("else")) }
        if let value = object["if"] {
            let ifNode = try compileSubschema(value, at: at("if"))
            // Kept even without then/else: `if` contributes annotations to unevaluated*.
            keywords.append(.conditional(if: ifNode, then: thenNode, else: elseNode))
        }
        // dependentSchemas / dependencies
        if draft != .draft7, let value = object["dependentSchemas"] {
            let members = try objectValue(value, keyword: "dependentSchemas", at: location)
            var list: [(String, Int)] = []
            for (name, schema) in members {
                list.append((name, try compileSubschema(schema, at: at("dependentSchemas").appending(name))))
            }
            if !list.isEmpty { keywords.append(.dependentSchemas(list, keyword: "dependentSchemas")) }
        }
        if draft == .draft7, let value = object["dependencies"] {
            let members = try objectValue(value, keyword: "dependencies", at: location)
            var schemas: [(String, Int)] = []
            var required: [(String, [String])] = []
            for (name, dependency) in members {
                if case .array = dependency {
                    if info.dialect.validation {
                        required.append((name, try stringArray(dependency, keyword: name, at: at("dependencies"))))
                    }
                } else {
                    schemas.append((name, try compileSubschema(dependency, at: at("dependencies").appending(name))))
                }
            }
            if !required.isEmpty { keywords.append(.dependentRequired(required, keyword: "dependencies")) }
            if !schemas.isEmpty { keywords.append(.dependentSchemas(schemas, keyword: "dependencies")) }
        }

        // Arrays.
        var items = ItemsKeyword()
        var hasItems = false
        if draft == .draft2020_12 {
            if let value = object["prefixItems"] {
                items.prefix = try compileSchemaArray(value, keyword: "prefixItems", at: location)
                hasItems = true
            }
            if let value = object["items"] {
                if case .array = value {
                    throw error(at("items"), "items must be a schema in draft 2020-12 (use prefixItems for a tuple)")
                }
                items.rest = try compileSubschema(value, at: at("items"))
                items.restIsFalse = value == .bool(false)
                hasItems = true
            }
        } else if let value = object["items"] {
            hasItems = true
            if case .array = value {
                items.prefix = try compileSchemaArray(value, keyword: "items", at: location, allowEmpty: true)
                items.prefixKeyword = "items"
                if let additional = object["additionalItems"] {
                    items.rest = try compileSubschema(additional, at: at("additionalItems"))
                    items.restKeyword = "additionalItems"
                    items.restIsFalse = additional == .bool(false)
                }
            } else {
                items.rest = try compileSubschema(value, at: at("items"))
                items.restIsFalse = value == .bool(false)
            }
        }
        if draft != .draft2020_12, object["items"].map({ if case .array = $0 { false } else { true } }) ?? true,
           let additional = object["additionalItems"]
        {
            _ = try compileSubschema(additional, at: at("additionalItems"))  // checked, but it does not apply
        }
        if hasItems { keywords.append(.items(items)) }
        if let value = object["contains"] {
            let node = try compileSubschema(value, at: at("contains"))
            var minimum = 1
            var maximum: Int?
            if draft != .draft7 && info.dialect.validation {
                if let v = object["minContains"] { minimum = try nonNegativeInteger(v, keyword: "minContains", at: location) }
                if let v = object["maxContains"] { maximum = try nonNegativeInteger(v, keyword: "maxContains", at: location) }
            }
            keywords.append(.contains(ContainsKeyword(node: node, min: minimum, max: maximum, annotates: draft != .draft7)))
        }

        // Objects.
        var properties = PropertiesKeyword()
        var hasProperties = false
        if let value = object["properties"] {
            let members = try objectValue(value, keyword: "properties", at: location)
            for (name, schema) in members {
                properties.properties[name] = try compileSubschema(schema, at: at("properties").appending(name))
            }
            hasProperties = true
        }
        if let value = object["patternProperties"] {
            let members = try objectValue(value, keyword: "patternProperties", at: location)
            for (source, schema) in members {
                let matcher = try pattern(source, at: at("patternProperties").appending(source))
                properties.patterns.append((matcher, try compileSubschema(schema, at: at("patternProperties").appending(source))))
            }
            hasProperties = true
        }
        if let value = object["additionalProperties"] {
            properties.additional = try compileSubschema(value, at: at("additionalProperties"))
            properties.additionalIsFalse = value == .bool(false)
            hasProperties = true
        }
        if hasProperties { keywords.append(.properties(properties)) }
        if let value = object["propertyNames"] {
            keywords.append(.propertyNames(try compileSubschema(value, at: at("propertyNames"))))
        }
    }

    private mutating func compileReference(_ value: JSONValue, keyword: String, at location: SchemaLocation,
                                           info: Info) throws(SchemaError) -> Int
    {
        guard case .string(let text) = value else {
            throw error(location.appending(keyword), "\(keyword) must be a string (a URI reference), got \(value.typeName)")
        }
        let target = try resolveReference(text, base: info.base, dialect: info.dialect, at: location.appending(keyword))
        return try compileNode(at: target)
    }

    private mutating func compileDynamicReference(_ reference: JSONValue, at location: SchemaLocation,
                                                  info: Info) throws(SchemaError) -> SchemaKeyword
    {
        guard case .string(let text) = reference else {
            throw error(location.appending("$dynamicRef"), "$dynamicRef must be a string (a URI reference), got \(reference.typeName)")
        }
        let target = try resolveReference(text, base: info.base, dialect: info.dialect,
                                          at: location.appending("$dynamicRef"))
        let node = try compileNode(at: target)
        // Dynamic only when the fragment is a plain name and the initial target has a
        // `$dynamicAnchor` of that name (the "bookend"); otherwise it is a plain `$ref`.
        let fragment = SchemaURI(text).fragment.flatMap(percentDecode) ?? ""
        guard !fragment.isEmpty, !fragment.hasPrefix("/"),
              case .string(let anchor)? = value(at: target)?["$dynamicAnchor"], anchor == fragment
        else {
            return .dynamicRef(node, table: -1)
        }
        let table = dynamicTableNames.count
        dynamicTableNames.append(fragment)
        return .dynamicRef(node, table: table)
    }

    /// Compiles every `$dynamicAnchor` a `$dynamicRef` may land on (in resources that evaluation
    /// can enter) and builds the per-reference tables.
    private mutating func compileDynamicCandidates() throws(SchemaError) -> [[Int: Int]] {
        guard !dynamicTableNames.isEmpty else { return [] }
        var done = Set<SchemaLocation>()
        while true {
            let names = Set(dynamicTableNames)
            let entered = Set(nodes.map(\.resource))
            var progressed = false
            for name in names {
                for candidate in dynamicAnchors[name] ?? [] where entered.contains(candidate.resource) {
                    if done.insert(candidate.location).inserted {
                        _ = try compileNode(at: candidate.location)
                        progressed = true
                    }
                }
            }
            try buildPendingNodes()
            if !progressed { break }
        }
        return dynamicTableNames.map { name in
            var table: [Int: Int] = [:]
            for candidate in dynamicAnchors[name] ?? [] {
                if let node = nodeByLocation[candidate.location], table[candidate.resource] == nil {
                    table[candidate.resource] = node
                }
            }
            return table
        }
    }

    // MARK: - Cycle check

    /// Rejects a cycle of in-place applicators: evaluating it would revisit the same schema at
    /// the same instance location forever.
    private func checkInPlaceCycles(tables: [[Int: Int]]) throws(SchemaError) {
        func edges(_ node: Int) -> [Int] {
            var out: [Int] = []
            for keyword in nodes[node].keywords {
                switch keyword {
                case .allOf(let ids), .anyOf(let ids), .oneOf(let ids): out += ids
                case .not(let id): out.append(id)
                case .conditional(let i, let t, let e):
                    out.append(i)
                    if let t { out.append(t) }
                    if let e { out.append(e) }
                case .ref(let id, _): out.append(id)
                case .dynamicRef(let id, let table):
                    out.append(id)
                    if table >= 0 { out += tables[table].values.sorted() }
                case .dependentSchemas(let list, _): out += list.map(\.1)
                default: break
                }
            }
            return out
        }
        // Iterative depth-first search; 1 = on the stack, 2 = finished.
        var state = [UInt8](repeating: 0, count: nodes.count)
        for start in nodes.indices where state[start] == 0 {
            var stack: [(node: Int, edges: [Int], next: Int)] = [(start, edges(start), 0)]
            state[start] = 1
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next < stack[top].edges.count {
                    let target = stack[top].edges[stack[top].next]
                    stack[top].next += 1
                    if state[target] == 1 {
                        let cycleStart = stack.firstIndex { $0.node == target }!
                        let path = stack[cycleStart...].map { describe(nodeLocations[$0.node]) } + [describe(nodeLocations[target])]
                        throw error(nodeLocations[target],
                                    "reference cycle that never moves into the instance: \(path.joined(separator: " -> "))")
                    }
                    if state[target] == 0 {
                        state[target] = 1
                        stack.append((target, edges(target), 0))
                    }
                } else {
                    state[stack[top].node] = 2
                    stack.removeLast()
                }
            }
        }
    }

    private func describe(_ location: SchemaLocation) -> String {
        let document = documents[location.document]
        return (document.isMain ? "" : document.uri) + "#" + location.pointer.description
    }
}
