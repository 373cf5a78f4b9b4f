/// Deterministic block-style YAML writer. See docs/yaml.md for the format rules.
struct YAMLEmitter {
    private(set) var out: [UInt8] = []

    /// Keys whose one-line form is longer than this are written as explicit `? key` entries,
    /// because libyaml refuses implicit keys longer than 1024 characters.
    static let maxImplicitKeyBytes = 1000

    mutating func emitDocument(_ node: YAMLNode) {
        switch node {
        case .scalar(let s):
            writeScalar(s, blockIndent: 2)
        case .sequence(let items, _):
            if items.isEmpty { write("[]\n") } else { writeSequence(items, indent: 0, inline: false) }
        case .mapping(let pairs, _):
            if pairs.isEmpty { write("{}\n") } else { writeMapping(pairs, indent: 0, inline: false) }
        }
    }

    // MARK: Collections

    /// Items at `indent`; when `inline`, the first `- ` goes where the cursor already is.
    private mutating func writeSequence(_ items: [YAMLNode], indent: Int, inline: Bool) {
        for (n, item) in items.enumerated() {
            if n > 0 || !inline { spaces(indent) }
            write("-")
            writeCompact(item, indent: indent + 2)
        }
    }

    /// A node after `- ` or `? `: scalars and first entries of collections share the line.
    private mutating func writeCompact(_ node: YAMLNode, indent: Int) {
        switch node {
        case .scalar(let s):
            write(" ")
            writeScalar(s, blockIndent: indent)
        case .sequence(let items, _):
            if items.isEmpty { write(" []\n"); return }
            write(" ")
            writeSequence(items, indent: indent, inline: true)
        case .mapping(let pairs, _):
            if pairs.isEmpty { write(" {}\n"); return }
            write(" ")
            writeMapping(pairs, indent: indent, inline: true)
        }
    }

    private mutating func writeMapping(_ pairs: [YAMLPair], indent: Int, inline: Bool) {
        for (n, pair) in pairs.enumerated() {
            if n > 0 || !inline { spaces(indent) }
            writeKey(pair.key, indent: indent)
            write(":")
            writeValue(pair.value, indent: indent)
        }
    }

    private mutating func writeKey(_ key: YAMLNode, indent: Int) {
        guard case .scalar(let s) = key else {
            write("?")
            writeCompact(key, indent: indent + 2)
            spaces(indent)
            return
        }
        let start = out.count
        writeInlineScalar(s)
        if out.count - start > Self.maxImplicitKeyBytes {
            out.insert(contentsOf: "? ".utf8, at: start)
            write("\n")
            spaces(indent)
        }
    }

    /// The value after `key:`.
    private mutating func writeValue(_ node: YAMLNode, indent: Int) {
        switch node {
        case .scalar(let s):
            write(" ")
            writeScalar(s, blockIndent: indent + 2)
        case .sequence(let items, _):
            if items.isEmpty { write(" []\n"); return }
            write("\n")
            writeSequence(items, indent: indent + 2, inline: false)
        case .mapping(let pairs, _):
            if pairs.isEmpty { write(" {}\n"); return }
            write("\n")
            writeMapping(pairs, indent: indent + 2, inline: false)
        }
    }

    // MARK: Scalars

    private enum Rendering { case plain, single, double, literal, folded, nullWord }

    /// A scalar in value position, ending with a newline; block scalar lines are indented by
    /// `blockIndent` spaces (two more than the parent collection).
    private mutating func writeScalar(_ s: YAMLScalar, blockIndent: Int) {
        let rendering = Self.rendering(of: s, isKey: false)
        writeTag(s, rendering)
        switch rendering {
        case .literal: writeLiteral(s.value, indent: blockIndent)
        case .folded: writeFolded(s.value, indent: blockIndent)
        default:
            writeFlowScalar(s.value, rendering)
            write("\n")
        }
    }

    /// A scalar that must stay on one line (keys).
    private mutating func writeInlineScalar(_ s: YAMLScalar) {
        let rendering = Self.rendering(of: s, isKey: true)
        writeTag(s, rendering)
        writeFlowScalar(s.value, rendering)
    }

    private mutating func writeFlowScalar(_ value: String, _ rendering: Rendering) {
        switch rendering {
        case .plain: write(value)
        case .nullWord: write("null")
        case .single: writeSingleQuoted(value)
        default: writeDoubleQuoted(value)
        }
    }

    private static func rendering(of s: YAMLScalar, isKey: Bool) -> Rendering {
        let v = s.value
        if v.isEmpty && s.style == .plain && (s.tag == nil || s.tag == YAMLTag.null) { return .nullWord }
        // Must a plain rendering also read back as a string?
        let mustBeString = s.tag == YAMLTag.str || s.tag == "!" || (s.tag == nil && s.style != .plain)
        let info = ScalarInfo(v)
        func plainOK() -> Bool {
            // Strings avoid leading indicators altogether; untagged plain scalars (numbers such
            // as -2 or -.inf) only need to be valid plain syntax.
            mustBeString ? info.plainSafe && CoreSchema.plainReadsAsString(v) : info.plainSyntaxValid
        }
        switch s.style {
        case .plain:
            if info.hasNewline && !isKey && info.literalSafe { return .literal }
            return plainOK() ? .plain : .double
        case .singleQuoted:
            return info.singleSafe ? .single : .double
        case .doubleQuoted:
            return .double
        case .literal:
            return !isKey && info.literalSafe ? .literal : .double
        case .folded:
            if !isKey && info.foldedSafe { return .folded }
            return !isKey && info.literalSafe ? .literal : .double
        }
    }

    /// Writes `!!int ` etc. when the tag is not implied by the rendering.
    private mutating func writeTag(_ s: YAMLScalar, _ rendering: Rendering) {
        guard let tag = s.tag, tag != YAMLTag.str, tag != "!" else { return }
        if rendering == .plain || rendering == .nullWord {
            let resolved = CoreSchema.resolvePlain(rendering == .nullWord ? "" : s.value)
            switch (tag, resolved) {
            case (YAMLTag.null, .null), (YAMLTag.bool, .bool), (YAMLTag.int, .integer): return
            case (YAMLTag.float, .number): return
            default: break
            }
        }
        write(Self.shortTag(tag))
        write(" ")
    }

    /// `!!x` for core tags, `!x` for local tags, `!<uri>` otherwise; characters that cannot
    /// appear in a tag are percent-encoded (libyaml decodes them).
    static func shortTag(_ tag: String) -> String {
        let core = "tag:yaml.org,2002:"
        let bytes = Array(tag.utf8)
        if bytes.starts(with: core.utf8) {
            return "!!" + percentEncoded(bytes.dropFirst(core.utf8.count), verbatim: false)
        }
        if bytes.first == UInt8(ascii: "!"), bytes.count > 1 {
            return "!" + percentEncoded(bytes.dropFirst(), verbatim: false)
        }
        return "!<" + percentEncoded(bytes[...], verbatim: true) + ">"
    }

    private static func percentEncoded(_ s: ArraySlice<UInt8>, verbatim: Bool) -> String {
        var result: [UInt8] = []
        for byte in s {
            let c = byte
            let alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            let safe = alnum || "-;/?:@&=+$_.~*'()".utf8.contains(c) || (verbatim && ",[]!".utf8.contains(c))
            if safe {
                result.append(c)
            } else {
                result.append(UInt8(ascii: "%"))
                result.append(contentsOf: hex2(c).utf8)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func hex2(_ v: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(v >> 4)], digits[Int(v & 15)]], as: UTF8.self)
    }

    private mutating func writeSingleQuoted(_ v: String) {
        out.append(UInt8(ascii: "'"))
        for byte in v.utf8 {
            if byte == UInt8(ascii: "'") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "'"))
    }

    private mutating func writeDoubleQuoted(_ v: String) {
        out.append(UInt8(ascii: "\""))
        for u in v.unicodeScalars {
            let c = u.value
            switch c {
            case 0x22: write("\\\"")
            case 0x5C: write("\\\\")
            case 0x00: write("\\0")
            case 0x07: write("\\a")
            case 0x08: write("\\b")
            case 0x09: write("\\t")
            case 0x0A: write("\\n")
            case 0x0B: write("\\v")
            case 0x0C: write("\\f")
            case 0x0D: write("\\r")
            case 0x1B: write("\\e")
            case 0x85: write("\\N")
            case 0x2028: write("\\L")
            case 0x2029: write("\\P")
            default:
                if c >= 0x20 && c < 0x7F {
                    out.append(UInt8(c))
                } else if ScalarInfo.isPrintable(c) {
                    out.append(contentsOf: u.utf8)
                } else if c <= 0xFF {
                    write("\\x" + Self.hex(c, width: 2))
                } else if c <= 0xFFFF {
                    write("\\u" + Self.hex(c, width: 4))
                } else {
                    write("\\U" + Self.hex(c, width: 8))
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }

    /// `|`, `|-` or `|+` (with an indentation indicator when the first line starts with
    /// white space), then the lines indented by `indent`; empty lines get no indentation.
    private mutating func writeLiteral(_ v: String, indent: Int) {
        let (lines, trailing) = Self.splitLines(v)
        write("|")
        writeBlockHeaderTail(lines: lines, trailing: trailing)
        for line in lines { writeBlockLine(line, indent: indent) }
        for _ in 1..<Swift.max(trailing, 1) { write("\n") }
    }

    /// Folded style without wrapping: every line break of the value becomes an empty line.
    private mutating func writeFolded(_ v: String, indent: Int) {
        let (lines, trailing) = Self.splitLines(v)
        write(">")
        writeBlockHeaderTail(lines: lines, trailing: trailing)
        for (n, line) in lines.enumerated() {
            // k line breaks between two lines of the value are written as k empty lines (k + 1
            // breaks), which folding turns back into k breaks; none is folded into a space.
            if n > 0, !lines[n - 1].isEmpty { write("\n") }
            writeBlockLine(line, indent: indent)
        }
        for _ in 1..<Swift.max(trailing, 1) { write("\n") }
    }

    private mutating func writeBlockHeaderTail(lines: [ArraySlice<UInt8>], trailing: Int) {
        if let first = lines.first(where: { !$0.isEmpty })?.first,
           first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            write("2")
        }
        switch trailing {
        case 0: write("-")
        case 1: break
        default: write("+")
        }
        // The header's line break; the caller's final newline ends the last content line.
        write("\n")
    }

    private mutating func writeBlockLine(_ line: ArraySlice<UInt8>, indent: Int) {
        if !line.isEmpty {
            spaces(indent)
            out.append(contentsOf: line)
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// The value's lines (without the trailing breaks) and the number of trailing breaks.
    /// Works on bytes: Character-level splitting would glue combining marks to what precedes.
    private static func splitLines(_ v: String) -> ([ArraySlice<UInt8>], Int) {
        let bytes = Array(v.utf8)
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A { end -= 1 }
        let lines = bytes[..<end].split(separator: 0x0A, omittingEmptySubsequences: false)
        return (lines, bytes.count - end)
    }

    // MARK: Output

    private mutating func write(_ s: String) {
        out.append(contentsOf: s.utf8)
    }

    private mutating func spaces(_ n: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n))
    }
}

/// One pass over a scalar's text, recording which renderings can represent it exactly.
struct ScalarInfo {
    var hasNewline = false
    /// Every character may appear raw in a plain or single-quoted scalar.
    var allPrintable = true
    /// Every character may appear raw in a block scalar (printable, tab or line feed).
    var blockPrintable = true
    /// Conservative plain rule for strings: no leading indicator at all.
    var plainSafe: Bool
    /// YAML's own rule: `-`, `?` and `:` may start a plain scalar when a non-space follows.
    var plainSyntaxValid: Bool
    var literalSafe: Bool
    var foldedSafe: Bool
    var singleSafe: Bool { allPrintable && !hasNewline }

    init(_ v: String) {
        var previous: UInt32 = 0
        var first: UInt32?
        var second: UInt32?
        var last: UInt32 = 0
        var hasColonSpaceOrSpaceHash = false
        var lineStartsWithBlank = false
        var atLineStart = true
        var hasContentOtherThanSpaceAndNewline = false
        // Some line ends in a space or tab: invisible in a block scalar, and editors strip it.
        var trailingBlank = false
        for u in v.unicodeScalars {
            let c = u.value
            if first == nil { first = c } else if second == nil { second = c }
            if c == 0x0A {
                if previous == 0x20 || previous == 0x09 { trailingBlank = true }
                hasNewline = true
                allPrintable = false
                atLineStart = true
            } else {
                if c == 0x09 {
                    allPrintable = false
                } else if !Self.isPrintable(c) {
                    allPrintable = false
                    blockPrintable = false
                }
                if atLineStart && (c == 0x20 || c == 0x09) { lineStartsWithBlank = true }
                atLineStart = false
                if c != 0x20 { hasContentOtherThanSpaceAndNewline = true }
            }
            if (c == 0x20 && previous == 0x3A) || (c == 0x23 && previous == 0x20) {
                hasColonSpaceOrSpaceHash = true
            }
            previous = c
            last = c
        }

        if last == 0x20 || last == 0x09 { trailingBlank = true }
        if let f = first {
            let body = allPrintable && last != 0x20 && last != 0x3A && !hasColonSpaceOrSpaceHash
                && !v.utf8.starts(with: "...".utf8) && !v.utf8.starts(with: "---".utf8)
            plainSafe = body && !Self.isIndicator(f)
            let indicatorWithFollower = (f == 0x2D || f == 0x3F || f == 0x3A) && second.map { $0 != 0x20 } == true
            plainSyntaxValid = body && (!Self.isIndicator(f) || indicatorWithFollower)
        } else {
            plainSafe = false
            plainSyntaxValid = false
        }
        literalSafe = blockPrintable && hasContentOtherThanSpaceAndNewline
            && !trailingBlank
        foldedSafe = literalSafe && !lineStartsWithBlank && first != 0x0A
    }

    /// Characters that cannot start a plain scalar (plus the space).
    static func isIndicator(_ c: UInt32) -> Bool {
        switch c {
        case 0x2D, 0x3F, 0x3A, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x23, 0x26, 0x2A, 0x21, 0x7C, 0x3E,
             0x27, 0x22, 0x25, 0x40, 0x60, 0x20:  // - ? : , [ ] { } # & * ! | > ' " % @ ` space
            return true
        default:
            return false
        }
    }

    /// Characters libyaml reads as themselves outside quotes: printable, and not a line break
    /// (U+0085, U+2028, U+2029), byte-order mark or tab.
    static func isPrintable(_ c: UInt32) -> Bool {
        switch c {
        case 0x20...0x7E: return true
        case 0xA0...0xD7FF: return c != 0x2028 && c != 0x2029
        case 0xE000...0xFFFD: return c != 0xFEFF
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}
