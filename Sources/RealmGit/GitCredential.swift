import RealmLimits
import RealmSupport

/// `git credential fill|approve|reject` (`git help credential`): the user's credential helpers
/// (a keyring, `store`, `cache`, a forge's own helper) give git-realm a forge token exactly as
/// they give one to git for an https remote, and git-realm stores nothing itself.
///
/// Everything goes through the helper's standard input (`url=...`, `username=...`,
/// `password=...`), never argv. git never prompts here (`GIT_TERMINAL_PROMPT=0`, no askpass):
/// a helper that has nothing answers nothing. What a helper says is never put in an error: a
/// failure is reported by git's exit status and its first error line only.
public enum GitCredential {
    /// What a helper gave for a URL. `password` is the token; `description` never shows it.
    public struct Credential: Sendable, CustomStringConvertible {
        public var username: String
        public var password: String
        /// The attributes `fill` answered (for `approve`/`reject`, which take them back).
        var attributes: [(String, String)]
        public var description: String { "credential for \(username.isEmpty ? "(no user)" : Printable.line(username))" }
    }

    /// The credential a helper holds for `url` (`https://host[:port]/path`), or nil when none
    /// does (or git failed: the caller then goes on without one and says so).
    public static func fill(url: String, directory: String? = nil) -> Credential? {
        guard let output = run("fill", input: "url=\(url)\n\n", directory: directory) else { return nil }
        var attributes: [(String, String)] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            attributes.append((String(line[..<equals]), String(line[line.index(after: equals)...])))
        }
        guard let password = attributes.last(where: { $0.0 == "password" })?.1, !password.isEmpty else { return nil }
        let username = attributes.last(where: { $0.0 == "username" })?.1 ?? ""
        return Credential(username: username, password: password, attributes: attributes)
    }

    /// Tells the helpers the credential worked (they may store it).
    public static func approve(_ credential: Credential, directory: String? = nil) {
        _ = run("approve", input: encode(credential), directory: directory)
    }

    /// Tells the helpers the credential was refused (they forget it).
    public static func reject(_ credential: Credential, directory: String? = nil) {
        _ = run("reject", input: encode(credential), directory: directory)
    }

    static func encode(_ credential: Credential) -> String {
        // A value with a newline would end the record early: git refuses such values itself.
        credential.attributes.filter { !$0.1.contains("\n") && !$0.0.contains("\n") && !$0.0.isEmpty }
            .map { "\($0.0)=\($0.1)\n" }.joined() + "\n"
    }

    /// Runs `git [-C dir] credential <action>` with `input` on stdin; its stdout on success.
    private static func run(_ action: String, input: String, directory: String?) -> String? {
        var arguments: [String] = []
        if let directory { arguments += ["-C", directory] }
        arguments += ["credential", action]
        let result = try? ProcessRunner.run("git", arguments, environment: ["GIT_TERMINAL_PROMPT": "0"],
                                            stdin: Array(input.utf8), timeout: Limits.credentialTimeout,
                                            removingEnvironment: GitRemote.repositoryEnvironment + GitRemote.promptEnvironment,
                                            outputLimit: 64 << 10)
        guard let result, result.succeeded else { return nil }
        return result.stdoutText
    }
}
