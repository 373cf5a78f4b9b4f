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

    // MARK: Contract engine (schemas, patterns, $ref, value diffs)

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

    // MARK: Processes (commands and validation scripts this repo declares)

    /// Seconds between SIGTERM and SIGKILL to a child's process group that timed out.
    public static let processKillGrace: Double = 2
}
