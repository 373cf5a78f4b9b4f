import RealmJSON
import RealmLimits
import RealmSupport

/// One line of a realm note: a notification that a contract changed, or an importer's
/// acknowledgement of it. Notes hold one compact JSON object per line, each with a format
/// version, so concurrent writers merge with git's `cat_sort_uniq` and nothing is lost.
public struct NotificationRecord: Sendable, Equatable {
    public static let formatVersion = 1

    public enum Kind: String, Sendable { case notification, acknowledgement }

    public var kind: Kind
    public var domain: String
    public var contract: String
    public var from: String          // the repo that wrote the line
    public var to: String?           // the consumer notified (notifications)
    public var version: String       // the contract version concerned
    public var previous: String?     // the version before (notifications)
    public var changeType: String?   // updated | breaking | new
    public var changes: [String]
    public var at: String            // UTC timestamp

    public init(kind: Kind, domain: String, contract: String, from: String, to: String? = nil, version: String,
                previous: String? = nil, changeType: String? = nil, changes: [String] = [], at: String) {
        self.kind = kind
        self.domain = domain
        self.contract = contract
        self.from = from
        self.to = to
        self.version = version
        self.previous = previous
        self.changeType = changeType
        self.changes = changes
        self.at = at
    }

    /// The compact JSON line, keys in a fixed order so identical records sort and dedupe together.
    public var line: String {
        var o: JSONObject = ["v": .integer(Self.formatVersion), "kind": .string(kind.rawValue), "at": .string(at),
                             "domain": .string(domain), "contract": .string(contract), "from": .string(from)]
        if let to { o["to"] = .string(to) }
        o["version"] = .string(version)
        if let previous { o["previous"] = .string(previous) }
        if let changeType { o["change_type"] = .string(changeType) }
        if !changes.isEmpty { o["changes"] = .array(changes.map { .string($0) }) }
        return JSONSerializer.string(.object(o))
    }

    /// Parses one line; nil for lines of an unknown format version or kind (kept, but ignored).
    public init?(line: String) {
        guard let value = try? JSONParser.parse(line), value["v"] == .integer(Self.formatVersion),
              let kind = value["kind"]?.stringValue.flatMap(Kind.init(rawValue:)),
              let domain = value["domain"]?.stringValue, let contract = value["contract"]?.stringValue,
              let from = value["from"]?.stringValue, let version = value["version"]?.stringValue,
              let at = value["at"]?.stringValue else { return nil }
        self.init(kind: kind, domain: domain, contract: contract, from: from, to: value["to"]?.stringValue,
                  version: version, previous: value["previous"]?.stringValue,
                  changeType: value["change_type"]?.stringValue,
                  changes: value["changes"]?.arrayValue?.compactMap(\.stringValue) ?? [], at: at)
    }

    /// The records of a note's text, identical lines once, at most `Limits.noteRecords` of them
    /// (a realm writer may write any note); unknown lines are skipped.
    public static func parse(note: String) -> [NotificationRecord] {
        var seen = Set<Substring>()
        var records: [NotificationRecord] = []
        for line in note.split(separator: "\n") where seen.insert(line).inserted {
            if let record = NotificationRecord(line: String(line)) { records.append(record) }
            if records.count >= Limits.noteRecords { break }
        }
        return records
    }

    /// Adds lines to a note the way `cat_sort_uniq` merges: sorted, unique.
    public static func merge(note: String?, adding lines: [String]) -> String {
        let existing = (note ?? "").split(separator: "\n").map(String.init)
        return Set(existing + lines).sorted().joined(separator: "\n") + "\n"
    }
}

/// Several pending notifications about one contract from one sender, shown as one entry: the
/// newest version, how many came before it since the last acknowledged one, and their changes
/// combined (`status --all` lists each).
public struct NotificationGroup: Sendable {
    /// Oldest first; never empty.
    public var notifications: [IncomingNotification]

    public init(notifications: [IncomingNotification]) { self.notifications = notifications }

    public var newest: IncomingNotification { notifications[notifications.count - 1] }
    public var count: Int { notifications.count }
    public var breaking: Bool { notifications.contains { $0.record.changeType == "breaking" } }

    public var headline: String {
        guard count > 1 else { return newest.headline }
        let first = notifications[0].record
        let verb = breaking ? "changed, incompatibly at least once," : "updated"
        return "Contract '\(newest.record.contract)' \(verb) to \(newest.record.version) (\(count) versions since \(first.previous ?? first.version))"
    }

    /// The changes of every version in the group, each line once, oldest first, at most
    /// `limit` of them; then whether the import accepts the newest.
    public func detailLines(limit: Int = 20) -> [String] {
        guard count > 1 else { return newest.detailLines }
        var seen = Set<String>()
        var lines: [String] = []
        for n in notifications { for line in n.record.changes where seen.insert(line).inserted { lines.append(line) } }
        if lines.count > limit { lines = Array(lines.prefix(limit)) + ["... and \(lines.count - limit) more change lines ('git realm status --all' lists each version)"] }
        var tail = newest.detailLines
        tail.removeFirst(min(tail.count, newest.record.changes.count))
        return lines + tail
    }

    /// Groups `notifications` (oldest first) by sender, domain and contract, in the order of
    /// each group's newest notification.
    public static func collapse(_ notifications: [IncomingNotification]) -> [NotificationGroup] {
        var groups: [String: NotificationGroup] = [:]
        var order: [String] = []
        for n in notifications {
            let key = "\(n.record.from)\u{0}\(n.record.domain)\u{0}\(n.record.contract)"
            if groups[key] == nil { order.append(key); groups[key] = NotificationGroup(notifications: []) }
            groups[key]?.notifications.append(n)
        }
        return order.compactMap { groups[$0] }.sorted { ($0.newest.atSeconds ?? 0) < ($1.newest.atSeconds ?? 0) }
    }
}
