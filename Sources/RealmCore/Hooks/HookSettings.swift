import RealmGit
import RealmLimits
import RealmSupport

/// The git config settings the hooks read (local, global or `git -c`); see docs/hooks.md.
public struct HookSettings: Sendable {
    /// `realm.prePush`: what pre-push does when a pushed export differs from the realm.
    public enum PrePushMode: String, Sendable, CaseIterable { case block, warn, off }
    /// `realm.hookFailure`: what a hook does when git-realm itself fails (cannot read its
    /// input, the realm or the repository). It always says what failed.
    public enum FailureMode: String, Sendable, CaseIterable { case block, warn }

    public var prePush: PrePushMode = .block
    public var prePushFetch = false
    public var hookFailure: FailureMode = .block
    /// `realm.fetchTimeout` (seconds) for the hooks' fetches; 0 means do not fetch.
    public var fetchTimeout: Double = Limits.hookFetchTimeout
    /// Settings that could not be read, said as warnings (the default is used instead).
    public var problems: [String] = []

    public static let defaultFetchTimeout: Double = Limits.hookFetchTimeout

    public init() {}

    /// Reads the settings; never throws: an unreadable value is a problem, and the default holds.
    public static func read(from repository: Repository) -> HookSettings {
        var s = HookSettings()
        func string(_ key: String) -> String? { (try? repository.configString(key)).flatMap { $0 } }
        if let value = string(ConfigKey.prePush) {
            if let mode = PrePushMode(rawValue: value.lowercased()) { s.prePush = mode } else {
                s.problems.append("\(ConfigKey.prePush): unknown value '\(value)' (block, warn or off); using block")
            }
        }
        if let value = string(ConfigKey.hookFailure) {
            if let mode = FailureMode(rawValue: value.lowercased()) { s.hookFailure = mode } else {
                s.problems.append("\(ConfigKey.hookFailure): unknown value '\(value)' (block or warn); using block")
            }
        }
        if string(ConfigKey.prePushFetch) != nil {
            do { s.prePushFetch = try repository.configBool(ConfigKey.prePushFetch) ?? false } catch {
                s.problems.append("\(ConfigKey.prePushFetch): not a boolean; not fetching")
            }
        }
        if let value = string(ConfigKey.fetchTimeout) {
            if let seconds = Double(value), seconds >= 0, seconds <= 3600 { s.fetchTimeout = seconds } else {
                s.problems.append("\(ConfigKey.fetchTimeout): '\(value)' is not a number of seconds (0-3600); using \(Int(defaultFetchTimeout))")
            }
        }
        return s
    }
}

extension Participant {
    /// Fetches with a short timeout for the hooks; on failure says why and how old the state
    /// that is used instead is. Returns nil when the fetch worked (or was not wanted).
    func hookFetch(timeout: Double) -> String? {
        guard timeout > 0 else { return nil }
        do {
            try fetch(timeout: timeout)
            return nil
        } catch {
            let reason = RealmError.wrap(error).message
            let age = (try? lastFetched()).flatMap { $0 }.map { "using the state fetched \(Timestamp.age($0))" }
                ?? "it was never fetched here"
            return "\(reason); \(age)"
        }
    }
}

/// Whether `GIT_REALM_SKIP_HOOKS` asks the hooks to do nothing.
public func hooksSkipped() -> Bool {
    guard let value = envString("GIT_REALM_SKIP_HOOKS") else { return false }
    return !["", "0", "false", "no", "off"].contains(value.lowercased())
}

/// Where a hook runs: the repository (nil outside one) and its settings. Membership is read
/// separately, so that a repository that has not joined (a lingering hook) passes silently
/// while a malformed membership file is a failure that is said.
public struct HookContext {
    public let repository: Repository
    public let settings: HookSettings

    public static func open(from directory: String = currentDirectory()) -> HookContext? {
        guard let repository = try? Participant.openRepository(from: directory) else { return nil }
        return HookContext(repository: repository, settings: HookSettings.read(from: repository))
    }

    /// Every realm this repository is in ([] when it has joined none): a hook checks each.
    public func participants() throws -> [Participant] {
        try Membership.loadAll(in: repository).map { Participant(repository: repository, membership: $0) }
    }
}
