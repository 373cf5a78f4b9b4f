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

    /// Largest number accepted as a major, minor or patch version or as a numeric pre-release
    /// identifier: 2^53 - 1, npm's `Number.MAX_SAFE_INTEGER`. Ranges add one to a component
    /// (`^1.2.3` => `<2.0.0-0`), which can then never overflow.
    public static let semverComponent = 9_007_199_254_740_991

    // MARK: Network (fetch and push of the realm)

    // MARK: Processes (commands and validation scripts this repo declares)
}
