/// Text that git-realm did not write (from a realm, a note, a repository, a file, git's own
/// messages), made safe to show on a terminal and to store where a terminal will show it (the
/// post-merge note): every control character becomes a visible escape, as git quotes paths
/// (`core.quotePath`): `\a \b \t \n \v \f \r` by name, everything else as the octal of its
/// UTF-8 bytes (ESC is `\033`, U+009B is `\302\233`).
///
/// Escaped: C0 controls (U+0000-U+001F, tab only when asked), DEL, C1 controls
/// (U+0080-U+009F: U+009B is a one-character CSI on some terminals), the bidirectional
/// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069: they reorder what is shown)
/// and the line and paragraph separators (U+2028, U+2029). Backslashes are left alone.
public enum Printable {
    /// `text` escaped to stay on one line (a newline is shown as `\n`). Tabs are kept.
    public static func line(_ text: String) -> String {
        escaped(text, keepNewlines: false)
    }

    /// `text` escaped; with `keepNewlines`, newlines pass (text git-realm lays out in lines).
    public static func escaped(_ text: String, keepNewlines: Bool = false, keepTabs: Bool = true) -> String {
        func needs(_ v: UInt32) -> Bool {
            if v == 0x0A { return !keepNewlines }
            if v == 0x09 { return !keepTabs }
            return isControl(v)
        }
        guard text.unicodeScalars.contains(where: { needs($0.value) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needs(scalar.value) else { out.unicodeScalars.append(scalar); continue }
            out += escape(scalar)
        }
        return out
    }

    /// Whether `value` is a scalar `escaped` never lets through (newline and tab aside).
    public static func isControl(_ v: UInt32) -> Bool {
        v < 0x20 || (v >= 0x7F && v <= 0x9F) || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
            || v == 0x2028 || v == 0x2029
    }

    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0B: return "\\v"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        default:
            var out = ""
            for byte in String(scalar).utf8 {
                out += "\\" + String(byte >> 6) + String((byte >> 3) & 7) + String(byte & 7)
            }
            return out
        }
    }
}
