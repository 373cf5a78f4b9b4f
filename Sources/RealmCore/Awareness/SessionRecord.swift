import RealmGit
import RealmJSON
import RealmLimits
import RealmModel
import RealmSupport

/// Who is working in which repo of a realm, on what (docs/awareness.md). One per repo and user,
/// on the realm remote as `refs/realm/sessions/<repo>/<user>`: a parentless commit with git's
/// empty tree whose message carries this record as one JSON object. Everything in it came from
/// the realm: hostile input, read bounded and validated (`decode`), printed escaped.
public struct SessionRecord: Sendable, Equatable {
    public var repo: String
    /// The user's id in ref names (`userID(email:)`).
    public var user: String
    public var email: String
    /// The coordinated change the user works on (`worktree --rfc NAME`, `session start --rfc NAME`).
    public var change: String?
    public var domains: [String] = []
    public var exports: [String] = []
    public var startedAt: Int64
    public var lastActivity: Int64
    /// Seconds without activity after which the session is idle (the writer's `realm.sessionTTL`).
    public var ttl: Int64
    /// Ended by `session stop`: shown by nobody, pruned by whoever sees it.
    public var stopped = false

    public init(repo: String, user: String, email: String, change: String?, domains: [String], exports: [String],
                startedAt: Int64, lastActivity: Int64, ttl: Int64, stopped: Bool = false) {
        self.repo = repo
        self.user = user
        self.email = email
        self.change = change
        self.domains = domains
        self.exports = exports
        self.startedAt = startedAt
        self.lastActivity = lastActivity
        self.ttl = ttl
        self.stopped = stopped
    }

    /// Idle at `now`: stopped, or no activity for longer than its TTL.
    public func isIdle(at now: Int64) -> Bool { stopped || now > lastActivity + ttl }

    /// May be deleted by anyone at `now` with `margin` seconds to spare (a reader prunes with
    /// `Limits.clockSkewSeconds` of margin so that a server with a slower clock agrees).
    public func isPrunable(at now: Int64, margin: Int64 = 0) -> Bool { stopped || now > lastActivity + ttl + margin }

    static let subjectPrefix = "git-realm session"

    /// The commit message: a subject for people, then the record as one JSON line.
    public var message: String {
        "\(Self.subjectPrefix): \(repo) \(user)\n\n\(JSONSerializer.string(json))\n"
    }

    public var json: JSONValue {
        ["v": .integer(1), "repo": .string(repo), "user": .string(user), "email": .string(email),
         "change": change.map { .string($0) } ?? .null,
         "domains": .array(domains.map { .string($0) }), "exports": .array(exports.map { .string($0) }),
         "started_at": .string(Timestamp.format(startedAt)), "last_activity": .string(Timestamp.format(lastActivity)),
         "ttl": .integer(Int(ttl)), "state": .string(stopped ? "stopped" : "active")]
    }

    /// Reads a record from a session commit's message; throws a one-line reason.
    public static func decode(message: String) throws(SessionProblem) -> SessionRecord {
        guard message.utf8.count <= Limits.sessionBytes else { throw SessionProblem("is larger than \(Limits.sessionBytes) bytes") }
        let lines = message.split(separator: "\n")
        guard let first = lines.first, first.hasPrefix(subjectPrefix + ": "),
              let body = lines.last(where: { $0.hasPrefix("{") }) else {
            throw SessionProblem("is not a git-realm session record")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(String(body), maxDepth: 4) } catch { throw SessionProblem("record is not JSON: \(error)") }
        guard value["v"]?.doubleValue == 1 else { throw SessionProblem("record has an unknown format version") }
        func text(_ key: String, max: Int = Names.maxLength) throws(SessionProblem) -> String {
            guard let s = value[key]?.stringValue, !s.isEmpty, s.utf8.count <= max,
                  !s.unicodeScalars.contains(where: { Printable.isControl($0.value) }) else {
                throw SessionProblem("field '\(key)' is missing or malformed")
            }
            return s
        }
        func names(_ key: String) throws(SessionProblem) -> [String] {
            guard let items = value[key]?.arrayValue, items.count <= Limits.sessionListItems else {
                throw SessionProblem("field '\(key)' is missing or lists more than \(Limits.sessionListItems) names")
            }
            var result: [String] = []
            for item in items {
                guard let name = item.stringValue, Names.isValid(name) else { throw SessionProblem("field '\(key)' holds an invalid name") }
                result.append(name)
            }
            return result
        }
        func time(_ key: String) throws(SessionProblem) -> Int64 {
            guard let t = Timestamp.parse(try text(key)), t >= 0, t <= RealmClock.latestDate else {
                throw SessionProblem("field '\(key)' is not a time")
            }
            return t
        }
        let repo = try text("repo")
        guard Names.isValid(repo) else { throw SessionProblem("field 'repo' is not a repo name") }
        let user = try text("user")
        let email = try text("email", max: 254)
        guard userID(email: email) == user else { throw SessionProblem("field 'user' is not the id of its email") }
        var change: String?
        if let c = value["change"], c != .null {
            guard let name = c.stringValue, Names.isValid(name) else { throw SessionProblem("field 'change' is not a change name") }
            change = name
        }
        guard let ttlValue = value["ttl"]?.doubleValue, ttlValue == ttlValue.rounded(),
              Int64(exactly: ttlValue).map(validTTL) == true else {
            throw SessionProblem("field 'ttl' is not a number of seconds in \(Limits.sessionTTLMinimum)...\(Limits.sessionTTLMaximum)")
        }
        let state = try text("state")
        guard state == "active" || state == "stopped" else { throw SessionProblem("field 'state' is neither active nor stopped") }
        let record = SessionRecord(repo: repo, user: user, email: email, change: change,
                                   domains: try names("domains"), exports: try names("exports"),
                                   startedAt: try time("started_at"), lastActivity: try time("last_activity"),
                                   ttl: Int64(ttlValue), stopped: state == "stopped")
        guard record.lastActivity >= record.startedAt else { throw SessionProblem("its last activity is before its start") }
        return record
    }

    static func validTTL(_ seconds: Int64) -> Bool { (Limits.sessionTTLMinimum...Limits.sessionTTLMaximum).contains(seconds) }

    /// The id of a user in ref names: the email in lowercase, each byte of a character other
    /// than a letter, a digit or one of `. _ + - @` as `=` and two hex digits (`a'b@x` is
    /// `a=27b@x`), so two emails never share an id; nil when that is no ref component or longer
    /// than 64 characters.
    public static func userID(email: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._+-@".utf8)
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for b in email.lowercased().utf8 {
            if allowed.contains(b) { bytes.append(b) } else { bytes += [UInt8(ascii: "="), hex[Int(b >> 4)], hex[Int(b & 15)]] }
        }
        let id = String(decoding: bytes, as: UTF8.self)
        guard !id.isEmpty, id.count <= Names.maxLength, RefLayout.isValidComponent(id) else { return nil }
        return id
    }
}

/// Why a session ref is not a valid session: one phrase, for a refusal or a warning.
public struct SessionProblem: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ text: String) { description = text }
}
