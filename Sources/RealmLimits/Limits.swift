/// Every bound git-realm puts on input it did not write itself (a realm, a note, a remote, a
/// file named by either), in one place. docs/security.md lists them with the error a user sees
/// and where each is enforced. Writers use the same numbers as readers: git-realm never writes
/// what its own reader would refuse.
public enum Limits {
    // MARK: Documents (YAML and JSON read from a realm, a note or a file)

    /// Largest accepted document, in bytes; checked before parsing starts.
    public static let documentBytes = 8 << 20
    /// Deepest accepted nesting of sequences and mappings.
    public static let documentDepth = 128
    /// Most nodes a document may contain, aliases counted at the size of what they refer to.
    public static let documentNodes = 1_000_000
    /// Largest git object (a realm file, a file of an export at a commit) read into memory;
    /// larger ones are refused from their header, before they are inflated.
    public static let blobBytes = documentBytes
    /// Largest note (notification and acknowledgement lines on one realm commit).
    public static let noteBytes = documentBytes

    // MARK: Realm refs and notes

    /// Most pending sync branches (`sync/<repo>/<stamp>`) looked at, newest first.
    public static let pendingSyncBranches = 200
    /// Most notification and acknowledgement records read from one note (identical lines count once).
    public static let noteRecords = 1_000
    /// Most pending notifications a command reports; older ones are counted, not listed.
    public static let notificationsShown = 50

    // MARK: Trust (verifying realm history)

    /// Most realm commits one fetch or check verifies: a fetch moves the usable realm as far as
    /// it verified and the next one goes on; `check --mode=realm` says where to go on from; the
    /// pre-receive hook refuses a push of more.
    public static let verifiedCommitsPerFetch = 100_000
    /// Most distinct keys tried against one commit's signature (each once).
    public static let signatureKeysPerCommit = 64
    /// How far a realm commit's date may stray from the clock that judges it (a proposal record
    /// from its commit, a commit from its parent, a pushed commit from the server's clock):
    /// machines' clocks differ by this much (docs/trust.md "Governance").
    public static let clockSkewSeconds: Int64 = 600
    /// Most proposals recorded on the realm's main one commit is compared with.
    public static let proposalsRecorded = 200
    /// Most files one proposal (and so one approval) names.
    public static let proposalFiles = 100

    // MARK: Sessions and watch (docs/awareness.md)

    /// Largest session commit read (header, signature and record): anything larger is ignored
    /// by members and refused by the pre-receive hook.
    public static let sessionBytes = 8_192
    /// Most session refs read from a realm (the newest by name order beyond are ignored).
    public static let sessionsRead = 200
    /// Most domains, and most exports, one session lists.
    public static let sessionListItems = 32
    /// A session's time to live without activity: default, least and most (seconds).
    public static let sessionTTLDefault: Int64 = 7_200
    public static let sessionTTLMinimum: Int64 = 60
    public static let sessionTTLMaximum: Int64 = 7 * 86_400
    /// Largest value of one GIT_REALM_EVENT_* variable `watch --exec` sets (longer: cut).
    public static let watchEventValueBytes = 4_096
    /// Longest `watch` waits between polls after errors (seconds).
    public static let watchBackoffMaximum: Double = 300
    /// Longest a `watch --exec` command may run.
    public static let watchExecTimeout: Double = 60

    // MARK: Contract engine (schemas, patterns, $ref, value diffs)

    /// Largest number accepted as a major, minor or patch version or as a numeric pre-release
    /// identifier: 2^53 - 1, npm's `Number.MAX_SAFE_INTEGER`. Ranges add one to a component
    /// (`^1.2.3` => `<2.0.0-0`), which can then never overflow.
    public static let semverComponent = 9_007_199_254_740_991

    /// Most instructions a `pattern`/`patternProperties` regular expression may compile to
    /// (counted repetitions expand: `(a{100}){100}` is 10,000). Also the largest `{n,m}` count.
    public static let patternStates = 10_000
    /// Deepest nesting of groups in a regular expression.
    public static let patternNesting = 100
    /// Steps of the regex engine (threads advanced) one validation, or one schema comparison,
    /// may spend on all its patterns together. Matching is linear, so only long strings
    /// against large patterns come near it (about 0.5 s in a release build).
    public static let patternSteps = 50_000_000
    /// Applications of a subschema to a value that one validation may perform. Results of
    /// schemas reached through several references are memoised per instance location, so only
    /// schemas that really multiply work (or huge instances) come near it.
    public static let schemaSteps = 20_000_000
    /// Validation errors one validation reports; the next one stops it with a last error
    /// saying so (a 4.5 MB array of 1.5 million wrong items cost 1.4 GB and 23 s before).
    public static let validationErrors = 1_000
    /// Pairs of subschemas one schema comparison (`schema diff`, `check --mode=contract`,
    /// version bumps) may compare. `$ref` pairs are memoised, so ordinary schemas of tens of
    /// thousands of properties use a small fraction of it.
    public static let compatibilitySteps = 2_000_000
    /// Deepest nesting of subschema comparisons (a schema nested this deep in both versions,
    /// or a recursion the memo cannot close); also bounded by the thread's stack.
    public static let compatibilityDepth = 256
    /// Lines of a contract value's diff (`+ x`, `- x`, `~ /p: a -> b`) that `status`, `sync`
    /// and notifications show; the rest is summed up as "... and N more".
    public static let valueDiffLines = 200

    // MARK: Network (fetch and push of the realm)

    /// Seconds ssh may take to open the connection (`-o ConnectTimeout`); git config
    /// `realm.connectTimeout`. (git has no such setting for http: there the inactivity timeout
    /// bounds the connection, git printing nothing until the server answers.)
    public static let networkConnectTimeout: Double = 10
    /// Seconds a fetch or push may go without any output from git (progress included) before it
    /// is killed; also `http.lowSpeedTime` (below `http.lowSpeedLimit`) and, for ssh,
    /// `ServerAliveInterval` x `ServerAliveCountMax`; git config `realm.inactivityTimeout`.
    public static let networkInactivityTimeout: Double = 30
    /// Seconds a whole fetch or push may take, however busy; git config `realm.timeout`.
    public static let networkDeadline: Double = 300
    /// Bytes per second below which an http transfer counts as inactive (`http.lowSpeedLimit`).
    public static let networkLowSpeedLimit = 1
    /// ssh keep-alive probes left unanswered before ssh gives up (`ServerAliveCountMax`); the
    /// interval is the inactivity timeout divided by this.
    public static let networkServerAliveCountMax = 3
    /// The hooks' fetch (`realm.fetchTimeout`): every timeout of that fetch is at most this.
    public static let hookFetchTimeout: Double = 5
    /// Largest accepted value of any of the timeouts above, in seconds.
    public static let networkTimeoutMaximum: Double = 86_400
    /// A fetch that finds a fetched realm ref locked by another git-realm in the same clone
    /// (`cannot lock ref`, `Unable to create '...lock'`) is tried this many times in all ...
    public static let fetchLockAttempts = 8
    /// ... waiting this many milliseconds before the second, doubling (with jitter) each time.
    public static let fetchLockBackoffMilliseconds = 50
    /// How long git itself waits for a loose ref's lock (`core.filesRefLockTimeout`, ms).
    public static let fetchRefLockTimeoutMilliseconds = 1000

    // MARK: Forges (what a forge or a git-native forge's refs say; docs/pr.md)

    /// Bytes of one git-native forge metadata file (pull.json, statuses.json).
    public static let forgeMetadataBytes = 1 << 20
    /// Bytes of a pull request's title, and of its body.
    public static let forgeTitleBytes = 1024
    public static let forgeBodyBytes = 256 << 10
    /// Pull requests of one repo read from a git-native forge.
    public static let forgePullRequests = 10_000
    /// Reviews of one pull request; reviewers, dependencies or statuses of one.
    public static let forgeReviews = 1_000
    public static let forgeListEntries = 100
    /// Metadata commits of one git-native pull request walked back to find (and prove) the commit
    /// that added each review of its head: a review added further back does not count.
    public static let forgeMetadataCommits = 256

    // MARK: Forges over HTTP (Forgejo/Gitea and GitHub, through the curl program; docs/forges.md)

    /// Seconds curl may take to connect to a forge's API (`--connect-timeout`).
    public static let forgeConnectTimeout: Double = 10
    /// Seconds one request to a forge's API may take in all (`--max-time`).
    public static let forgeRequestTimeout: Double = 60
    /// Largest answer read from a forge (`--max-filesize`, and capture stops there).
    public static let forgeResponseBytes = 8 << 20
    /// The most a network git (`ls-remote`, fetch, push, clone) may print on stdout or stderr
    /// before it is stopped: a remote advertising millions of refs to `watch` or `ls-remote`
    /// is refused, not held in memory.
    public static let remoteGitOutputBytes = 64 << 20
    /// Items asked for per page of a forge's list.
    public static let forgePageSize = 50
    /// Most pages of one list read from a forge (so at most 1,000 PRs, reviews or statuses);
    /// a list that goes on is refused, not cut short silently.
    public static let forgePages = 20
    /// Longest text of a forge's error message shown to the user (it is escaped too).
    public static let forgeMessageCharacters = 300
    /// Seconds `git credential fill|approve|reject` may take (a helper may ask a keyring).
    public static let credentialTimeout: Double = 60

    // MARK: Processes (commands and validation scripts this repo declares)

    /// Seconds between SIGTERM and SIGKILL to a child's process group that timed out.
    public static let processKillGrace: Double = 2
}
