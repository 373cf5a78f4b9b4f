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

    struct Document {
        var uri: String
        var root: JSONValue
        var indexed = false
        /// The schema given to the validator (errors in it carry no document URI).
        var isMain = false
        /// Why indexing failed, for a document indexed only in the search for an `$id`.
        var indexError: SchemaError?
    }

    struct Info {
        var base: SchemaURI
        var dialect: Dialect
        var resource: Int
    }

    private struct AnchorKey: Hashable {
        var resource: Int
        var name: String
    }

    var documents: [Document] = []
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
    var dynamicAnchors: [String: [(resource: Int, location: SchemaLocation)]] = [:]
    var nodes: [SchemaNode] = []
    var nodeLocations: [SchemaLocation] = []
    var nodeByLocation: [SchemaLocation: Int] = [:]
    var dynamicTableNames: [String] = []
    var pendingNodes: [Int] = []
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

    func error(_ location: SchemaLocation, _ message: String) -> SchemaError {
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

    func value(at location: SchemaLocation) -> JSONValue? {
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
    mutating func resolveReference(_ text: String, base: SchemaURI, dialect: Dialect,
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
    mutating func info(for location: SchemaLocation, value: JSONValue) throws(SchemaError) -> Info {
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
}
