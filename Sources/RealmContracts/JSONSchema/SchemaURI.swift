/// A URI reference split into its RFC 3986 components, with reference resolution (section 5.2).
/// Enough for `$id`, `$ref` and `$dynamicRef`: no normalisation beyond dot-segment removal.
struct SchemaURI: Hashable, CustomStringConvertible {
    var scheme: String?
    var authority: String?
    var path: String
    var query: String?
    var fragment: String?

    init(scheme: String?, authority: String?, path: String, query: String?, fragment: String?) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
        self.fragment = fragment
    }

    /// Splits text as the regular expression of RFC 3986 appendix B does; never fails.
    init(_ text: String) {
        let utf8 = text.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        fragment = nil
        query = nil
        if let hash = utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = String(text[utf8.index(after: hash)...])
            end = hash
        }
        if let mark = utf8[start..<end].firstIndex(of: UInt8(ascii: "?")) {
            query = String(text[utf8.index(after: mark)..<end])
            end = mark
        }
        scheme = nil
        if let colon = Self.schemeEnd(utf8[start..<end]) {
            scheme = String(text[start..<colon])
            start = utf8.index(after: colon)
        }
        authority = nil
        let rest = utf8[start..<end]
        if rest.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) {
            let authorityStart = utf8.index(start, offsetBy: 2)
            let authorityEnd = utf8[authorityStart..<end].firstIndex(of: UInt8(ascii: "/")) ?? end
            authority = String(text[authorityStart..<authorityEnd])
            start = authorityEnd
        }
        path = String(text[start..<end])
    }

    /// The index of the `:` ending a scheme at the start of `text`, if there is one:
    /// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    private static func schemeEnd(_ text: Substring.UTF8View) -> String.Index? {
        var index = text.startIndex
        var first = true
        while index < text.endIndex {
            let byte = text[index]
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            if byte == UInt8(ascii: ":") { return first ? nil : index }
            let isOther = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isLetter || (!first && isOther) else { return nil }
            first = false
            index = text.index(after: index)
        }
        return nil
    }

    var isAbsolute: Bool { scheme != nil }

    /// `text` as `SchemaURI(text)` with an empty fragment removed would print it, and whether it
    /// is absolute, without building the components.
    static func normalisedAbsolute(_ text: String) -> (text: String, isAbsolute: Bool) {
        let utf8 = text.utf8
        let isAbsolute = schemeEnd(utf8[...]) != nil
        if let hash = utf8.firstIndex(of: UInt8(ascii: "#")), utf8.index(after: hash) == utf8.endIndex {
            return (String(text[..<hash]), isAbsolute)
        }
        return (text, isAbsolute)
    }

    /// This URI without its fragment.
    var withoutFragment: SchemaURI {
        var copy = self
        copy.fragment = nil
        return copy
    }

    var description: String {
        var out = ""
        if let scheme { out += scheme + ":" }
        if let authority { out += "//" + authority }
        out += path
        if let query { out += "?" + query }
        if let fragment { out += "#" + fragment }
        return out
    }

    /// RFC 3986 section 5.2.2: the target of `self` (a reference) against `base`.
    func resolved(against base: SchemaURI) -> SchemaURI {
        var target = SchemaURI(scheme: nil, authority: nil, path: "", query: nil, fragment: fragment)
        if let scheme {
            target.scheme = scheme
            target.authority = authority
            target.path = Self.removeDotSegments(path)
            target.query = query
        } else {
            if authority != nil {
                target.authority = authority
                target.path = Self.removeDotSegments(path)
                target.query = query
            } else {
                if path.isEmpty {
                    target.path = base.path
                    target.query = query ?? base.query
                } else {
                    if path.hasPrefix("/") {
                        target.path = Self.removeDotSegments(path)
                    } else {
                        target.path = Self.removeDotSegments(Self.merge(base: base, path))
                    }
                    target.query = query
                }
                target.authority = base.authority
            }
            target.scheme = base.scheme
        }
        return target
    }

    private static func merge(base: SchemaURI, _ path: String) -> String {
        if base.authority != nil && base.path.isEmpty { return "/" + path }
        if let slash = base.path.lastIndex(of: "/") {
            return String(base.path[...slash]) + path
        }
        return path
    }

    /// RFC 3986 section 5.2.4.
    static func removeDotSegments(_ path: String) -> String {
        guard path.contains(".") else { return path }
        var input = Substring(path)
        var output = ""
        func dropLastSegment() {
            if let slash = output.lastIndex(of: "/") { output.removeSubrange(slash...) } else { output = "" }
        }
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input = input.dropFirst(3)
            } else if input.hasPrefix("./") {
                input = input.dropFirst(2)
            } else if input.hasPrefix("/./") {
                input = input.dropFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") {
                input = input.dropFirst(3)
                dropLastSegment()
            } else if input == "/.." {
                input = "/"
                dropLastSegment()
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let searchStart = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[searchStart...].firstIndex(of: "/") ?? input.endIndex
                output += input[..<end]
                input = input[end...]
            }
        }
        return output
    }
}

/// Decodes `%XX` escapes (as UTF-8); nil when an escape is malformed.
func percentDecode(_ text: String) -> String? {
    guard text.contains("%") else { return text }
    var bytes: [UInt8] = []
    var utf8 = text.utf8.makeIterator()
    func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    while let b = utf8.next() {
        if b == UInt8(ascii: "%") {
            guard let h = utf8.next(), let l = utf8.next(), let hv = hex(h), let lv = hex(l) else { return nil }
            bytes.append(hv << 4 | lv)
        } else {
            bytes.append(b)
        }
    }
    return String(validating: bytes, as: UTF8.self)
}
