import RealmGit
import RealmJSON
import RealmLimits

/// The metadata of one pull request of the git-native forge: `pull.json` in the tree of the
/// commit at `refs/realm/pulls/<n>` on the repo's own remote (docs/pr.md, "The git-native
/// forge"). Read back from a remote, so hostile: bounded, every field checked, unknown fields
/// refused; text fields are kept as written and escaped when printed.
struct PullMetadata: Equatable {
    static let format = 1
    static let file = "pull.json"

    var number: Int
    var title: String
    var body: String
    var head: String
    var base: String
    /// The head the PR was opened or last updated on (the branch on the remote may be newer).
    var headSHA: String
    var state: PullRequestState
    var draft: Bool
    var author: String
    var reviewers: [String]
    var dependsOn: [PullRequestRef]
    var reviews: [Review]
    var mergedSHA: String?

    var json: JSONValue {
        ["format": .integer(Self.format), "number": .integer(number), "title": .string(title), "body": .string(body),
         "head": .string(head), "base": .string(base), "head_sha": .string(headSHA), "state": .string(state.rawValue),
         "draft": .bool(draft), "author": .string(author), "reviewers": .array(reviewers.map { .string($0) }),
         "depends_on": .array(dependsOn.map { ["repo": .string($0.repo), "number": .integer($0.number)] }),
         "reviews": .array(reviews.map { ["user": .string($0.user), "state": .string($0.state.rawValue), "commit": .string($0.commit)] }),
         "merged_sha": mergedSHA.map { .string($0) } ?? .null]
    }

    var bytes: [UInt8] { Array((JSONSerializer.string(json, style: .pretty) + "\n").utf8) }

    /// Reads `pull.json` of PR `number`; `malformed` naming the field otherwise.
    static func decode(_ bytes: [UInt8], number expected: Int, where place: String) throws(ForgeError) -> PullMetadata {
        var r = try Fields.open(bytes, place: place)
        let format = try r.int("format")
        guard format == Self.format else { throw r.bad("format", "is \(format); this git-realm reads format \(Self.format)") }
        let number = try r.int("number")
        guard number == expected else { throw r.bad("number", "is \(number), but the ref names pull request \(expected)") }
        let title = try r.text("title", max: Limits.forgeTitleBytes)
        let body = try r.text("body", max: Limits.forgeBodyBytes, newlines: true)
        let head = try r.branch("head"), base = try r.branch("base")
        let headSHA = try r.sha("head_sha")
        guard let state = PullRequestState(rawValue: try r.text("state", max: 16)) else { throw r.bad("state", "must be open, closed or merged") }
        let draft = try r.bool("draft")
        let author = try r.text("author", max: 254)
        let reviewers = try r.list("reviewers", max: Limits.forgeListEntries).enumerated().map { (i, v) throws(ForgeError) -> String in
            guard let s = v.stringValue, s.utf8.count <= 254, Fields.isPrintableLine(s), !s.isEmpty else { throw r.bad("reviewers[\(i)]", "must be a name of at most 254 printable characters") }
            return s
        }
        let dependsOn = try r.list("depends_on", max: Limits.forgeListEntries).enumerated().map { (i, v) throws(ForgeError) -> PullRequestRef in
            guard let o = v.objectValue, o.count == 2, let repo = o["repo"]?.stringValue, Fields.isRepoName(repo),
                  case .integer(let n)? = o["number"], n >= 1, n <= 1_000_000_000 else {
                throw r.bad("depends_on[\(i)]", "must be {repo, number} with a repo name and a number from 1 to 1000000000")
            }
            return PullRequestRef(repo: repo, number: n)
        }
        let reviews = try r.list("reviews", max: Limits.forgeReviews).enumerated().map { (i, v) throws(ForgeError) -> Review in
            guard let o = v.objectValue, o.count == 3, let user = o["user"]?.stringValue, user.utf8.count <= 254, !user.isEmpty,
                  Fields.isPrintableLine(user), let s = o["state"]?.stringValue, let state = ReviewState(rawValue: s),
                  let commit = o["commit"]?.stringValue, Fields.isSHA(commit) else {
                throw r.bad("reviews[\(i)]", "must be {user, state, commit} with a state of approved, changes_requested, commented, pending or dismissed and a 40-hex commit")
            }
            return Review(user: user, state: state, commit: commit)
        }
        var merged: String?
        if r.has("merged_sha") { merged = try r.sha("merged_sha", nullable: true) } else { r.mark("merged_sha") }
        try r.noOthers()
        return PullMetadata(number: number, title: title, body: body, head: head, base: base, headSHA: headSHA, state: state,
                            draft: draft, author: author, reviewers: reviewers, dependsOn: dependsOn, reviews: reviews, mergedSHA: merged)
    }
}

/// `statuses.json` at `refs/realm/statuses/<sha>`: the commit statuses (checks) of one commit.
enum StatusFile {
    static let file = "statuses.json"

    static func encode(_ statuses: [CommitStatus]) -> [UInt8] {
        let value: JSONValue = .array(statuses.map { ["context": .string($0.context), "state": .string($0.state.rawValue), "description": .string($0.description)] })
        return Array((JSONSerializer.string(value, style: .pretty) + "\n").utf8)
    }

    static func decode(_ bytes: [UInt8], where place: String) throws(ForgeError) -> [CommitStatus] {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes: bytes, maxDepth: 8) } catch {
            throw .malformed("\(place): not JSON (\(error.description))")
        }
        guard let items = value.arrayValue, items.count <= Limits.forgeListEntries else {
            throw .malformed("\(place): must be a list of at most \(Limits.forgeListEntries) statuses")
        }
        var result: [CommitStatus] = []
        for (i, item) in items.enumerated() {
            guard let o = item.objectValue, o.count == 3, let context = o["context"]?.stringValue, !context.isEmpty,
                  context.utf8.count <= 255, Fields.isPrintableLine(context),
                  let s = o["state"]?.stringValue, let state = CommitStatusState(rawValue: s),
                  let description = o["description"]?.stringValue, description.utf8.count <= 1024 else {
                throw .malformed("\(place): statuses[\(i)] must be {context, state, description} (state pending, success, failure or error)")
            }
            result.append(CommitStatus(context: context, state: state, description: description))
        }
        return result
    }
}

/// Reads the fields of one JSON object, each once, naming the file and field in every error.
struct Fields {
    let place: String
    let object: JSONObject
    private(set) var seen: Set<String> = []

    static func open(_ bytes: [UInt8], place: String) throws(ForgeError) -> Fields {
        guard bytes.count <= Limits.forgeMetadataBytes else {
            throw .malformed("\(place): \(bytes.count) bytes, more than the limit of \(Limits.forgeMetadataBytes)")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes: bytes, maxDepth: 8) } catch {
            throw .malformed("\(place): not JSON (\(error.description))")
        }
        guard let object = value.objectValue else { throw .malformed("\(place): must be a JSON object") }
        return Fields(place: place, object: object)
    }

    func bad(_ field: String, _ problem: String) -> ForgeError { .malformed("\(place): field '\(field)' \(problem)") }
    func has(_ key: String) -> Bool { object[key] != nil }
    mutating func mark(_ key: String) { seen.insert(key) }

    private mutating func value(_ key: String) throws(ForgeError) -> JSONValue {
        seen.insert(key)
        guard let v = object[key] else { throw bad(key, "is missing") }
        return v
    }

    mutating func int(_ key: String) throws(ForgeError) -> Int {
        guard case .integer(let i) = try value(key) else { throw bad(key, "must be an integer") }
        return i
    }

    mutating func bool(_ key: String) throws(ForgeError) -> Bool {
        guard case .bool(let b) = try value(key) else { throw bad(key, "must be true or false") }
        return b
    }

    mutating func text(_ key: String, max: Int, newlines: Bool = false) throws(ForgeError) -> String {
        guard case .string(let s) = try value(key) else { throw bad(key, "must be a string") }
        guard s.utf8.count <= max else { throw bad(key, "is \(s.utf8.count) bytes, more than the limit of \(max)") }
        guard !s.utf8.contains(0) else { throw bad(key, "contains a NUL byte") }
        if !newlines && s.contains("\n") { throw bad(key, "must be one line") }
        return s
    }

    mutating func branch(_ key: String) throws(ForgeError) -> String {
        let s = try text(key, max: 255)
        guard Fields.isBranchName(s) else { throw bad(key, "must be a branch name") }
        return s
    }

    mutating func sha(_ key: String, nullable: Bool = false) throws(ForgeError) -> String? {
        let v = try value(key)
        if case .null = v, nullable { return nil }
        guard case .string(let s) = v, Fields.isSHA(s) else { throw bad(key, "must be a commit id (40 lowercase hex digits)") }
        return s
    }

    mutating func sha(_ key: String) throws(ForgeError) -> String {
        guard let s = try sha(key, nullable: false) else { throw bad(key, "must be a commit id") }
        return s
    }

    mutating func list(_ key: String, max: Int) throws(ForgeError) -> [JSONValue] {
        guard case .array(let items) = try value(key) else { throw bad(key, "must be a list") }
        guard items.count <= max else { throw bad(key, "has \(items.count) entries, more than the limit of \(max)") }
        return items
    }

    func noOthers() throws(ForgeError) {
        if let extra = object.keys.first(where: { !seen.contains($0) }) {
            throw .malformed("\(place): unknown field '\(extra.prefix(64))'")
        }
    }

    static func isSHA(_ s: String) -> Bool {
        s.utf8.count == 40 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    static func isPrintableLine(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && !($0.value >= 0x80 && $0.value < 0xA0) }
    }

    /// A branch name git accepts (as RefLayout checks it).
    static func isBranchName(_ s: String) -> Bool { RefLayout.isValidBranchName(s) }

    /// A repo name a PullRequestRef may carry: a realm name or OWNER/NAME, in ASCII letters,
    /// digits, '.', '_', '-', at most 200 bytes.
    static func isRepoName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 200 && s.split(separator: "/", omittingEmptySubsequences: false).count <= 2
            && s.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
                !part.isEmpty && part.first != "." && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
            }
    }
}
