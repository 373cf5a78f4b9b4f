/// Every exit status of git-realm, the one source of the table in every command's help, every
/// man page and docs/exit-codes.md (`scripts/generate-man.sh` regenerates them). Codes 1-70
/// are `RealmError.Kind`'s.
public struct ExitStatus: Sendable {
    public var code: Int32
    /// What it means, as lines of at most ~70 characters (help and man pages).
    public var summary: [String]
    /// Commands and situations that end with it (docs/exit-codes.md).
    public var examples: String

    public static let all: [ExitStatus] = [ExitStatus(code: 0, summary: ["success"], examples: "")]
        + RealmError.Kind.allCases.map { ExitStatus(code: $0.rawValue, summary: $0.summary, examples: $0.examples) }
}

extension RealmError.Kind: CaseIterable {
    public static let allCases: [RealmError.Kind] = [.checkFailed, .usage, .notInRealm, .network, .refused, .conflict, .internalError]

    public var summary: [String] {
        switch self {
        case .checkFailed: ["a check failed (invalid value, breaking change, blocked push)"]
        case .usage: ["usage error or bad input (arguments, malformed realm files, names)"]
        case .notInRealm: ["not in a git repository, or this repository has not joined a realm"]
        case .network: ["the realm or a remote could not be reached, or git refused a transfer"]
        case .refused: ["refused by a realm rule (cycle, leaving while imported, foreign hook)"]
        case .conflict: ["the realm kept changing under concurrent writers, or another command",
                         "in this clone kept the fetched realm's refs locked; retries exhausted"]
        case .internalError: ["internal error"]
        }
    }

    public var examples: String {
        switch self {
        case .checkFailed:
            "`schema validate` on an invalid instance, `schema diff` of a change that is not backward compatible, a breaking change or too small a version bump in `check --mode=compatibility`, any error finding of `check --mode=contract` (malformed realm files included: that mode lists them instead of stopping), `semver match` that does not match, a blocked push"
        case .usage: "unknown flag, malformed YAML in the realm, invalid or unknown names, a bad range"
        case .notInRealm: "`git realm status` outside a repo"
        case .network:
            "unreachable realm URL, a fetch or push that timed out (docs/security.md, \"Network\"), a missing credential, an unknown ssh host key"
        case .refused: "a domain that closes a cycle, leaving while imported, a foreign hook in the way, `admin init` on a non-empty repository"
        case .conflict: "a fetch still finding `refs/realm/<realm>/*` locked after 8 attempts (`cannot lock ref`): not an unreachable realm"
        case .internalError: "a bug: please report it"
        }
    }
}
