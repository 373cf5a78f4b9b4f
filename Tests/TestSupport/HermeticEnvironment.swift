#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one environment every test runs git and git-realm in, whatever the environment of the
/// caller (a shell with `GIT_AUTHOR_NAME` exported, a git hook that set `GIT_DIR`, a CI runner
/// with `GIT_CONFIG_PARAMETERS` or `GIT_CONFIG_GLOBAL`):
/// - every `GIT_*` variable is dropped: git's own (`GIT_DIR`, `GIT_CONFIG_PARAMETERS`,
///   `GIT_CONFIG_COUNT`/`_KEY_n`/`_VALUE_n`, `GIT_CONFIG_GLOBAL`, `GIT_AUTHOR_*`,
///   `GIT_COMMITTER_*`, `GIT_TRACE*`...) and git-realm's (`GIT_REALM_*`), and so are `EMAIL`,
///   `NO_COLOR` and `SSH_ASKPASS`;
/// - `HOME` and `XDG_CONFIG_HOME` lie in the test's own directory, the global git config is that
///   home's `.gitconfig`, the system config is not read and git never prompts.
/// A test then sets what it needs on top (an identity, `GIT_REALM_COLOR`, a PATH entry).
///
/// Tests of the integration target pass `variables(from:home:)` to every child they start;
/// tests that call libgit2 in-process (which reads `HOME`) or start children that inherit the
/// environment use `processRoot`, whose first use makes this process's own environment
/// hermetic. Both start from `original`, the environment the test process was started with.
public enum HermeticEnvironment {
    /// Variables dropped besides every `GIT_*` one.
    public static let alsoDropped: Set<String> = ["EMAIL", "NO_COLOR", "SSH_ASKPASS"]

    /// Whether a test never inherits `name` from its caller.
    public static func isDropped(_ name: String) -> Bool {
        name.hasPrefix("GIT_") || alsoDropped.contains(name)
    }

    /// The environment for a test whose home directory is `home`: `outer` without what a test
    /// must not inherit, and the variables every test has.
    public static func variables(from outer: [String: String], home: String) -> [String: String] {
        var environment = outer.filter { !isDropped($0.key) }
        environment["HOME"] = home
        environment["XDG_CONFIG_HOME"] = home + "/.config"
        environment["GIT_CONFIG_GLOBAL"] = home + "/.gitconfig"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        return environment
    }

    /// The environment this process was started with (read once, before `processRoot` changes it).
    public static let original: [String: String] = current()

    /// A directory for this process's tests, with the `home` that `HOME` now names. Its first use
    /// replaces this process's environment by `variables(from: original, home:)`.
    public static let processRoot: String = {
        _ = original
        var template = Array("/tmp/git-realm-tests.XXXXXX".utf8CString)
        let base = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        mkdir(base + "/home", 0o700)
        // An empty global config file, as a user's home has (AdminTests shows a join with
        // GIT_CONFIG_GLOBAL naming a file that does not exist yet).
        if let file = fopen(base + "/home/.gitconfig", "w") { fclose(file) }
        let wanted = variables(from: original, home: base + "/home")
        for name in current().keys where wanted[name] == nil { unsetenv(name) }
        for (name, value) in wanted { setenv(name, value, 1) }
        return base
    }()

    /// This process's environment as it is now.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
