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

    // MARK: Trust (verifying realm history)

    /// Most realm commits one fetch or check verifies; more is refused (verify in steps with
    /// `git realm check --mode=realm --base REV`).
    public static let verifiedCommitsPerFetch = 100_000

    // MARK: Contract engine (schemas, patterns, $ref, value diffs)

    // MARK: Network (fetch and push of the realm)

    // MARK: Processes (commands and validation scripts this repo declares)
}
