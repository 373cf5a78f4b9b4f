import RealmModel

/// `trust.permissions` in realm.yaml: path patterns and the roles that may write files matching
/// them, for files outside the realm's own layout (docs/trust.md "Permissions"). The layout's
/// files (repos/, domains/, proposals/, ...) keep their ownership rules, which no entry loosens.
///
/// A pattern is matched segment by segment: `{name}` matches one segment and names it, `*`
/// one segment (or part of one: `*.md`), `**` any number of segments.
public struct PermissionPattern: Sendable {
    public let text: String
    private let segments: [Substring]

    public init(_ text: String) {
        self.text = text
        segments = text.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// The named segments when `path` matches, nil otherwise.
    public func match(_ path: String) -> [String: String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var captures: [String: String] = [:]
        // Bounded backtracking: `**` is tried at each position once per pattern segment.
        var steps = 0
        func go(_ i: Int, _ j: Int) -> Bool {
            steps += 1
            if steps > 10_000 { return false }
            if i == segments.count { return j == parts.count }
            let segment = segments[i]
            if segment == "**" {
                for k in j...parts.count where go(i + 1, k) { return true }
                return false
            }
            guard j < parts.count else { return false }
            if segment.hasPrefix("{"), segment.hasSuffix("}"), segment.count > 2 {
                let name = String(segment.dropFirst().dropLast())
                let saved = captures[name]
                if let saved, saved != String(parts[j]) { return false }
                captures[name] = String(parts[j])
                if go(i + 1, j + 1) { return true }
                captures[name] = saved
                return false
            }
            return Self.glob(segment, parts[j]) && go(i + 1, j + 1)
        }
        return go(0, 0) ? captures : nil
    }

    /// `*` within one segment matches any run of characters; everything else literally.
    static func glob(_ pattern: Substring, _ text: Substring) -> Bool {
        let pieces = pattern.split(separator: "*", omittingEmptySubsequences: false)
        if pieces.count == 1 { return pattern == text }
        var rest = text[...]
        guard rest.hasPrefix(pieces[0]) else { return false }
        rest = rest.dropFirst(pieces[0].count)
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            // The first place `piece` occurs in `rest` (segments are short).
            var found: Substring.Index?
            var index = rest.startIndex
            while index < rest.endIndex {
                if rest[index...].hasPrefix(piece) { found = index; break }
                index = rest.index(after: index)
            }
            guard let start = found else { return false }
            rest = rest[rest.index(start, offsetBy: piece.count)...]
        }
        return rest.hasSuffix(pieces.last!)
    }

    /// The roles an entry may name.
    public static let roles = ["approvers", "members", "repo_maintainers", "domain_members", "domain_owners", "contract_owner"]
}

extension HistoryVerifier {
    /// Whether an entry of `permissions` lets this writer change `path` (outside the layout).
    func permitted(_ path: String, permissions: [(String, [String])], repos: Set<String>, approver: Bool,
                   before: RealmSnapshot) -> Bool {
        for (pattern, roles) in permissions {
            guard let captures = PermissionPattern(pattern).match(path) else { continue }
            for role in roles {
                switch role {
                case "approvers": if approver { return true }
                case "members": if !repos.isEmpty { return true }
                case "repo_maintainers": if let repo = captures["repo"], repos.contains(repo) { return true }
                case "domain_members", "domain_owners":
                    if let domain = captures["domain"], let info = (try? before.domain(domain)) ?? nil,
                       !Set(info.members).isDisjoint(with: repos) { return true }
                default: continue   // contract_owner and unknown roles grant nothing outside the layout
                }
            }
        }
        return false
    }
}
