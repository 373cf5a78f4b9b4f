import RealmContracts
import RealmGit
import RealmJSON
import RealmLimits
import RealmModel
import RealmSupport

/// A notification addressed to this repo (an importer), read from the realm's notes.
public struct IncomingNotification: Sendable {
    public var record: NotificationRecord
    /// The realm commit the note sits on (the commit that published `record.version`).
    public var realmCommit: OID
    /// An acknowledgement from this repo for the same contract and version is on the same commit.
    public var acknowledged: Bool
    /// This repo acknowledged a later version of the contract, which covers this one.
    public var superseded: Bool
    /// This repo's import range for the contract, and whether it accepts the notified version.
    public var importRange: String?
    public var satisfied: Bool?

    public var pending: Bool { !acknowledged && !superseded }
    public var atSeconds: Int64? { Timestamp.parse(record.at) }
    public func age(now: Int64 = Timestamp.nowSeconds()) -> String {
        atSeconds.map { Timestamp.age($0, now: now) } ?? "at an unknown time"
    }

    /// `Contract 's3-permissions' updated to 1.5.0` (breaking: `... changed incompatibly to 2.0.0`).
    public var headline: String {
        switch record.changeType {
        case "breaking": return "Contract '\(record.contract)' changed incompatibly to \(record.version)"
        case "new": return "Contract '\(record.contract)' published at \(record.version)"
        default: return "Contract '\(record.contract)' updated to \(record.version)"
        }
    }

    /// What the seeds print under a notification: the change lines and whether the import still holds.
    public var detailLines: [String] {
        var lines = record.changes
        if let importRange, let satisfied {
            lines.append(satisfied
                ? "Your import (\(importRange)) is still satisfied."
                : "Your import (\(importRange)) does not accept \(record.version): widen it when you have adapted.")
        }
        return lines
    }

    public var json: JSONValue {
        var o: JSONObject = ["from": .string(record.from), "domain": .string(record.domain),
                             "contract": .string(record.contract), "version": .string(record.version),
                             "changes": .array(record.changes.map { .string($0) }), "at": .string(record.at),
                             "realm_commit": .string(realmCommit.hex), "acknowledged": .bool(acknowledged),
                             "superseded": .bool(superseded)]
        o["previous"] = record.previous.map { .string($0) } ?? .null
        o["change_type"] = record.changeType.map { .string($0) } ?? .null
        o["age_seconds"] = atSeconds.map { .integer(Int(max(0, Timestamp.nowSeconds() - $0))) } ?? .null
        o["import_range"] = importRange.map { .string($0) } ?? .null
        o["satisfied"] = satisfied.map { .bool($0) } ?? .null
        return .object(o)
    }
}

/// For an exporter: who was notified of one published version of a contract, and who acknowledged it.
public struct VersionAcknowledgements: Sendable {
    public struct Consumer: Sendable {
        public var repo: String
        public var notifiedAt: String?
        public var acknowledgedAt: String?
        public var acknowledged: Bool { acknowledgedAt != nil }
    }

    public var domain: String
    public var contract: String
    public var version: String
    public var realmCommit: OID
    public var consumers: [Consumer]

    public var acknowledged: [Consumer] { consumers.filter(\.acknowledged) }
    public var pending: [Consumer] { consumers.filter { !$0.acknowledged } }

    public var json: JSONValue {
        [
            "domain": .string(domain), "contract": .string(contract), "version": .string(version),
            "realm_commit": .string(realmCommit.hex),
            "acknowledged": .array(acknowledged.map { c in
                ["repo": .string(c.repo), "at": c.acknowledgedAt.map { .string($0) } ?? .null]
            }),
            "pending": .array(pending.map { c in
                ["repo": .string(c.repo), "notified_at": c.notifiedAt.map { .string($0) } ?? .null]
            }),
        ]
    }
}

/// Reads notifications and acknowledgements from the realm's notes as last fetched
/// (`refs/realm/<realm>/notes/realm`). They are notes on the realm commits that published
/// contract versions, so only the notes on the commits of the contracts this repo imports or
/// exports are read: never the whole notes tree.
///
/// A notification for consumer X (a `notification` line with `to: X`, or without `to`: every
/// importer) is acknowledged when an `acknowledgement` line from X for the same contract and
/// version sits on the same commit. An acknowledgement of a later version of the same contract
/// covers it too (it is `superseded`): acknowledging 1.6.0 means having seen 1.5.0.
public enum Notifications {
    /// The fetched realm notes commit; nil when the realm has no notes yet.
    public static func notesTip(_ participant: Participant) throws -> OID? {
        try participant.repository.resolve(ref: RefLayout.fetchedNotes(realm: participant.realm))
    }

    /// Parsed records on one realm commit.
    public static func records(repository: Repository, notesTip: OID, on commit: OID) throws -> [NotificationRecord] {
        guard let note = try repository.note(notesCommit: notesTip, on: commit) else { return [] }
        return NotificationRecord.parse(note: note)
    }

    /// Notifications addressed to `repo` about one contract it imports, over the contract's
    /// published versions, oldest first (acknowledged ones included: filter with `pending`).
    public static func incoming(repository: Repository, notesTip: OID?, repo: String, entry: Binding.Import,
                                history: ContractHistory) throws -> [IncomingNotification] {
        try incoming(repository: repository, notesTip: notesTip, repo: repo, entry: entry, history: history).found
    }

    /// `incoming`, and how many notification lines were ignored as not authentic.
    ///
    /// Notes are not signed: a line counts only when history vouches for it (docs/trust.md). A
    /// notification about version V must sit on the commit that published V (verified: only the
    /// contract owner's maintainers can have written it) and name that owner as sender; any other
    /// line is forged and ignored. Whether this repo acknowledged is read from its own binding
    /// (`resolved_version`, which only its maintainers write), never from acknowledgement lines.
    public static func incoming(repository: Repository, notesTip: OID?, repo: String, entry: Binding.Import,
                                history: ContractHistory) throws -> (found: [IncomingNotification], forged: Int) {
        guard let notesTip else { return ([], 0) }
        let range = try? VersionRange.parse(entry.version)
        var found: [IncomingNotification] = []
        var forged = 0
        let newestAck = entry.resolvedVersion.flatMap { try? Version.parse($0) }
        for (index, version) in history.entries.enumerated() {
            // What this repo acknowledged is behind it: only newer versions can be pending, so
            // an importer that keeps up reads a note or two, however long the history.
            if let newestAck, version.version <= newestAck { continue }
            let records = try records(repository: repository, notesTip: notesTip, on: version.commit)
                .filter { $0.contract == entry.contract }
            var reported = Set<String>()
            for record in records where record.kind == .notification && (record.to == nil || record.to == repo) && record.from != repo {
                guard (try? Version.parse(record.version)) == version.version, record.from == version.owner else {
                    forged += 1
                    continue
                }
                // One notification per sender and version on a commit, however many lines say it.
                guard reported.insert("\(record.from)\u{0}\(record.version)").inserted else { continue }
                // What it says comes from history, never from the note: the changes and whether
                // they break, as the owner wrote them in the contract's evolution; the previous
                // version; the time of the publishing commit.
                let evolution = version.evolution
                let record = NotificationRecord(
                    kind: .notification, domain: record.domain, contract: record.contract, from: version.owner,
                    to: record.to, version: record.version,
                    previous: index > 0 ? history.entries[index - 1].version.description : nil,
                    changeType: evolution.map { $0.compatible ? "updated" : "breaking" } ?? (index == 0 ? "new" : "updated"),
                    changes: evolution?.changes ?? [],
                    at: Timestamp.format((try? repository.commit(version.commit).time) ?? 0))
                let parsed = try? Version.parse(record.version)
                found.append(IncomingNotification(
                    record: record, realmCommit: version.commit,
                    acknowledged: newestAck == version.version, superseded: false,
                    importRange: entry.version, satisfied: parsed.flatMap { v in range.map { $0.satisfies(v) } }))
            }
        }
        if let newestAck {
            for i in found.indices where !found[i].acknowledged {
                if let v = try? Version.parse(found[i].record.version), v <= newestAck { found[i].superseded = true }
            }
        }
        return (found, forged)
    }

    /// For one contract `repo` exports: per published version that has notifications or
    /// acknowledgements, who was notified and who acknowledged. `importers` are the repos that
    /// import the contract (a notification without `to` addresses all of them). Oldest first.
    /// An acknowledgement line from X counts only when X's own binding (`resolved`: importer ->
    /// its resolved_version) is at that version or later: a line naming another repo proves nothing.
    public static func outgoing(repository: Repository, notesTip: OID?, domain: String, contract: String,
                                importers: [String], resolved: [String: String] = [:],
                                history: ContractHistory) throws -> [VersionAcknowledgements] {
        guard let notesTip else { return [] }
        var result: [VersionAcknowledgements] = []
        // Versions every importer has moved past need no acknowledgement shown: start at the
        // oldest version an importer still resolves (all of them when one resolved nothing).
        let oldest: Version? = importers.isEmpty ? nil : importers.reduce(Optional<Version>.none) { low, importer in
            guard let v = resolved[importer].flatMap({ try? Version.parse($0) }) else { return low }
            return low.map { min($0, v) } ?? v
        }
        let everyImporterResolves = !importers.isEmpty && importers.allSatisfy { resolved[$0].flatMap { try? Version.parse($0) } != nil }
        for version in history.entries {
            if everyImporterResolves, let oldest, version.version < oldest { continue }
            let records = try records(repository: repository, notesTip: notesTip, on: version.commit)
                .filter { $0.contract == contract }
            if records.isEmpty { continue }
            // One entry per version string on this commit (normally just the published one).
            var versions: [String] = []
            for r in records where !versions.contains(r.version) { versions.append(r.version) }
            for v in versions {
                var consumers: [String: VersionAcknowledgements.Consumer] = [:]
                var order: [String] = []
                func consumer(_ name: String) -> VersionAcknowledgements.Consumer {
                    if consumers[name] == nil { order.append(name) }
                    return consumers[name] ?? .init(repo: name)
                }
                for r in records where r.version == v && r.kind == .notification
                    && r.from == version.owner && (try? Version.parse(v)) == version.version {
                    for name in r.to.map({ [$0] }) ?? importers {
                        var c = consumer(name)
                        c.notifiedAt = c.notifiedAt ?? r.at
                        consumers[name] = c
                    }
                }
                for r in records where r.version == v && r.kind == .acknowledgement {
                    guard let at = resolved[r.from].flatMap({ try? Version.parse($0) }), let acked = try? Version.parse(v),
                          at >= acked else { continue }
                    var c = consumer(r.from)
                    c.acknowledgedAt = c.acknowledgedAt.map { min($0, r.at) } ?? r.at
                    consumers[r.from] = c
                }
                if order.isEmpty { continue }
                result.append(VersionAcknowledgements(domain: domain, contract: contract, version: v,
                                                      realmCommit: version.commit,
                                                      consumers: order.compactMap { consumers[$0] }))
            }
        }
        return result
    }

    /// Every pending notification addressed to the participant, over all its imports, oldest first.
    public static func unacknowledged(participant: Participant, snapshot: RealmSnapshot, tip: OID) throws -> [IncomingNotification] {
        try reviewImports(participant: participant, snapshot: snapshot, tip: tip).notifications
    }

    /// This repo's imports as they stand (current, stale, broken) and the pending notifications
    /// addressed to it, reading each imported contract's history once.
    public static func reviewImports(participant: Participant, snapshot: RealmSnapshot, tip: OID) throws -> ImportReview {
        let notesTip = try notesTip(participant)
        var review = ImportReview()
        for domain in try snapshot.domains(of: participant.name) {
            guard let binding = try snapshot.binding(domain: domain, repo: participant.name) else { continue }
            for entry in binding.imports {
                let history = try ContractHistory.load(for: entry, repository: participant.repository, realmTip: tip,
                                                       domain: domain)
                review.imports.append(try ImportCheck.classify(entry, domain: domain, repository: participant.repository,
                                                               snapshot: snapshot, tip: tip, history: history))
                let (found, forged) = try incoming(repository: participant.repository, notesTip: notesTip,
                                                   repo: participant.name, entry: entry, history: history)
                review.notifications += found.filter(\.pending)
                review.forgedNotifications += forged
            }
        }
        (review.notifications, review.omittedNotifications) = newest(review.notifications)
        return review
    }

    /// Oldest first, the newest `Limits.notificationsShown` of them, and how many older ones
    /// were left out (a realm writer may notify without end).
    public static func newest(_ notifications: [IncomingNotification]) -> (shown: [IncomingNotification], omitted: Int) {
        let sorted = notifications.sorted { ($0.atSeconds ?? 0) < ($1.atSeconds ?? 0) }
        return (Array(sorted.suffix(Limits.notificationsShown)), max(0, sorted.count - Limits.notificationsShown))
    }
}

public struct ImportReview: Sendable {
    public var imports: [ImportState] = []
    /// Pending notifications addressed to this repo, oldest first (the newest
    /// `Limits.notificationsShown`).
    public var notifications: [IncomingNotification] = []
    /// Older pending notifications left out.
    public var omittedNotifications = 0
    /// Notification lines ignored as not authentic (they do not match the commit they are on).
    public var forgedNotifications = 0
    public init() {}
}
