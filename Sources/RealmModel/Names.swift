/// Names of realms, repos, domains and contracts become path components in the realm tree and
/// in ref names, so they are kept to kebab-case: lowercase letters and digits in words joined
/// by single hyphens (`s3-access`, `fungal-image-analysis`), at most 64 characters.
public enum Names {
    public static let maxLength = 64

    /// nil when `name` is acceptable, otherwise the reason it is not.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "contains a control character"
        }
        if name.contains("/") || name.contains("\\") { return "contains a path separator" }
        if name.contains("..") { return "contains '..'" }
        if name.count > maxLength { return "is longer than \(maxLength) characters" }
        var previousHyphen = true
        for scalar in name.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9": previousHyphen = false
            case "-":
                if previousHyphen { return "is not kebab-case (lowercase words joined by single hyphens)" }
                previousHyphen = true
            default:
                return "is not kebab-case (lowercase letters, digits and single hyphens only)"
            }
        }
        if previousHyphen { return "is not kebab-case (it ends with a hyphen)" }
        return nil
    }

    public static func isValid(_ name: String) -> Bool { problem(with: name) == nil }

    /// A kebab-case suggestion for a name that is not (`My_Repo` -> `my-repo`).
    public static func suggestion(for name: String) -> String {
        var out = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.isEmpty, !out.hasSuffix("-") {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(maxLength))
    }
}
