import CGit2
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

// Repository configuration.
//
// libgit2 1.5 ignores GIT_CONFIG_NOSYSTEM, GIT_CONFIG_SYSTEM, GIT_CONFIG_GLOBAL,
// GIT_CONFIG_PARAMETERS (`git -c`) and GIT_CONFIG_COUNT/KEY_n/VALUE_n, all of
// which git itself honours (and git passes the last two on to hooks). So the
// chain is assembled here with libgit2's config API, file by file, the way git
// does it:
//
//   system  (/etc/gitconfig or $GIT_CONFIG_SYSTEM; skipped if GIT_CONFIG_NOSYSTEM)
//   xdg     ($XDG_CONFIG_HOME/git/config or ~/.config/git/config; not with GIT_CONFIG_GLOBAL)
//   global  ($GIT_CONFIG_GLOBAL or ~/.gitconfig)
//   local   (<commonDir>/config)
//   worktree (<gitDir>/config.worktree, when extensions.worktreeConfig is set)
//   environment (`git -c` / GIT_CONFIG_COUNT), read once when the chain is built
//
// The files are parsed by libgit2 (includes, conditional includes, quoting).

/// One override from the environment.
struct EnvConfigEntry {
    var key: String      // canonical
    var value: String?   // nil = "implicit true" (`git -c foo.bar`)
}

final class RepositoryConfig {
    let chain: Handle
    let environment: [EnvConfigEntry]
    let globalPath: String?

    init(chain: Handle, environment: [EnvConfigEntry], globalPath: String?) {
        self.chain = chain
        self.environment = environment
        self.globalPath = globalPath
    }
}

extension Repository {
    /// The config chain, built on first use. Call with the lock held.
    func config() throws(GitError) -> RepositoryConfig {
        if let configState { return configState }
        let built = try buildConfig()
        configState = built
        return built
    }

    private func buildConfig() throws(GitError) -> RepositoryConfig {
        try Repository.buildConfig(commonDir: commonDir, gitDir: gitDir, repository: raw)
    }

    /// The chain for a repository (`commonDir`, `gitDir`), or without one (nil): system, xdg,
    /// global and the environment only, as `git config` reads outside a repository.
    /// `repository` (the libgit2 handle) lets `includeIf.gitdir:` conditions see it.
    static func buildConfig(commonDir: String?, gitDir: String?, repository raw: OpaquePointer?) throws(GitError) -> RepositoryConfig {
        var out: OpaquePointer?
        try check(git_config_new(&out), "create config")
        let chain = try Handle.own(out, free: git_config_free, "create config")
        defer { withExtendedLifetime(chain) {} }

        func add(_ path: String, _ level: git_config_level_t) throws(GitError) {
            try check(git_config_add_file_ondisk(chain.pointer, path, level, raw, 0), "load config file \(path)")
        }

        if !envBool("GIT_CONFIG_NOSYSTEM") {
            var systemPath = envString("GIT_CONFIG_SYSTEM")
            if systemPath == nil {
                let buf = BufferHandle()
                if try checkFound(git_config_find_system(&buf.buf), "find system config") { systemPath = buf.string }
            }
            if let systemPath, fileExists(systemPath) { try add(systemPath, GIT_CONFIG_LEVEL_SYSTEM) }
        }

        let home = envString("HOME").flatMap { $0.isEmpty ? nil : $0 }
        var globalPath: String?
        if let explicit = envString("GIT_CONFIG_GLOBAL") {
            globalPath = explicit
            // Added even when absent, as git does: `git config --global` creates the file it
            // names, and so does setConfig(level: .global).
            try add(explicit, GIT_CONFIG_LEVEL_GLOBAL)
        } else {
            let xdgHome = envString("XDG_CONFIG_HOME").flatMap { $0.isEmpty ? nil : $0 } ?? home.map { "\($0)/.config" }
            if let xdgHome, fileExists("\(xdgHome)/git/config") { try add("\(xdgHome)/git/config", GIT_CONFIG_LEVEL_XDG) }
            if let home {
                globalPath = "\(home)/.gitconfig"
                // Added even when absent, so that setConfig(level: .global) creates it.
                try add("\(home)/.gitconfig", GIT_CONFIG_LEVEL_GLOBAL)
            }
        }

        if let commonDir, let gitDir {
            try add("\(commonDir)/config", GIT_CONFIG_LEVEL_LOCAL)

            var worktreeConfig: Int32 = 0
            if try checkFound(git_config_get_bool(&worktreeConfig, chain.pointer, "extensions.worktreeconfig"), "read extensions.worktreeConfig"),
               worktreeConfig != 0, fileExists("\(gitDir)/config.worktree") {
                try add("\(gitDir)/config.worktree", GIT_CONFIG_LEVEL_APP)
            }
        }

        return RepositoryConfig(chain: chain, environment: Repository.environmentConfig(), globalPath: globalPath)
    }

    /// Overrides git passes through the environment: GIT_CONFIG_COUNT first, then
    /// GIT_CONFIG_PARAMETERS (later entries win), as git does.
    static func environmentConfig() -> [EnvConfigEntry] {
        var entries: [EnvConfigEntry] = []
        if let countText = envString("GIT_CONFIG_COUNT"), let count = Int(countText), count > 0 {
            for i in 0..<count {
                guard let key = envString("GIT_CONFIG_KEY_\(i)"), let canonical = canonicalConfigKey(key) else { continue }
                entries.append(EnvConfigEntry(key: canonical, value: envString("GIT_CONFIG_VALUE_\(i)") ?? ""))
            }
        }
        if let parameters = envString("GIT_CONFIG_PARAMETERS") {
            entries += parseConfigParameters(parameters)
        }
        return entries
    }

    /// Parses git's GIT_CONFIG_PARAMETERS: shell-single-quoted items separated by
    /// spaces, either `'key'='value'` / `'key'` (git >= 2.31) or `'key=value'`.
    static func parseConfigParameters(_ text: String) -> [EnvConfigEntry] {
        let bytes = Array(text.utf8)
        var i = 0
        let quote = UInt8(ascii: "'")

        func dequote() -> [UInt8]? {
            guard i < bytes.count, bytes[i] == quote else { return nil }
            var out: [UInt8] = []
            while true {
                i += 1  // past the opening quote
                while i < bytes.count, bytes[i] != quote { out.append(bytes[i]); i += 1 }
                guard i < bytes.count else { return nil }
                i += 1  // past the closing quote
                // '\'' and '\!' continue the same word
                if i + 2 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == quote || bytes[i + 1] == UInt8(ascii: "!"), bytes[i + 2] == quote {
                    out.append(bytes[i + 1])
                    i += 2
                    continue
                }
                return out
            }
        }

        var entries: [EnvConfigEntry] = []
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: " ") { i += 1; continue }
            guard let first = dequote() else { break }
            var key: [UInt8]
            var value: [UInt8]?
            if i < bytes.count, bytes[i] == UInt8(ascii: "=") {
                i += 1
                key = first
                value = i < bytes.count && bytes[i] == quote ? dequote() ?? [] : []
            } else if let eq = first.firstIndex(of: UInt8(ascii: "=")) {
                key = Array(first[..<eq])
                value = Array(first[(eq + 1)...])
            } else {
                key = first
                value = nil
            }
            if let canonical = canonicalConfigKey(String(decoding: key, as: UTF8.self)) {
                entries.append(EnvConfigEntry(key: canonical, value: value.map { String(decoding: $0, as: UTF8.self) }))
            }
        }
        return entries
    }

    /// "Section.Sub.Sec.Name" -> "section.Sub.Sec.name" (git's canonical form);
    /// nil when there is no section or name.
    static func canonicalConfigKey(_ key: String) -> String? {
        guard let firstDot = key.firstIndex(of: "."), let lastDot = key.lastIndex(of: "."),
              firstDot != key.startIndex, key.index(after: lastDot) != key.endIndex else { return nil }
        let section = key[..<firstDot].lowercased()
        let name = key[key.index(after: lastDot)...].lowercased()
        if firstDot == lastDot { return "\(section).\(name)" }
        return "\(section).\(key[key.index(after: firstDot)..<lastDot]).\(name)"
    }

    // MARK: reading

    /// (found, value); value nil means "implicit true" (a key without `=`).
    func configLookup(_ key: String) throws(GitError) -> (found: Bool, value: String?) {
        try Repository.configLookup(key, in: config())
    }

    static func configLookup(_ key: String, in config: RepositoryConfig) throws(GitError) -> (found: Bool, value: String?) {
        if let canonical = Repository.canonicalConfigKey(key),
           let override = config.environment.last(where: { $0.key == canonical }) {
            return (true, override.value)
        }
        var out: UnsafeMutablePointer<git_config_entry>?
        guard try checkFound(git_config_get_entry(&out, config.chain.pointer, key), "read config \(key)"),
              let out else { return (false, nil) }
        let entry = ConfigEntryHandle(out)
        defer { withExtendedLifetime(entry) {} }
        return (true, entry.pointer.pointee.value.map { decodeCString($0) })
    }

    /// A value from the user's config outside any repository (system, xdg, global, `git -c`),
    /// for settings read where there may be no repository (colours).
    public static func userConfigString(_ key: String) throws(GitError) -> String? {
        Git.initialize()
        let config = try buildConfig(commonDir: nil, gitDir: nil, repository: nil)
        let (found, value) = try configLookup(key, in: config)
        return found ? (value ?? "") : nil
    }

    public func configString(_ key: String) throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
            let (found, value) = try configLookup(key)
            return found ? (value ?? "") : nil
        }
    }

    /// git's boolean syntax (true/yes/on/1, false/no/off/0/"", a bare key is true).
    public func configBool(_ key: String) throws(GitError) -> Bool? {
        try locked { () throws(GitError) -> Bool? in
            let (found, value) = try configLookup(key)
            guard found else { return nil }
            guard let value else { return true }
            var out: Int32 = 0
            try check(git_config_parse_bool(&out, value), "config \(key)=\(value) is not a boolean")
            return out != 0
        }
    }

    /// git's integer syntax (with k/m/g suffixes).
    public func configInt(_ key: String) throws(GitError) -> Int? {
        try locked { () throws(GitError) -> Int? in
            let (found, value) = try configLookup(key)
            guard found else { return nil }
            var out: Int64 = 0
            try check(git_config_parse_int64(&out, value ?? ""), "config \(key)=\(value ?? "") is not an integer")
            return Int(out)
        }
    }

    /// All values of a multi-valued key, in git's order (system, global, local,
    /// then environment overrides; file order within a file).
    public func configMultivar(_ key: String) throws(GitError) -> [String] {
        try locked { () throws(GitError) -> [String] in
            let config = try config()
            var it: OpaquePointer?
            try check(git_config_multivar_iterator_new(&it, config.chain.pointer, key, nil), "read config \(key)")
            var values = try Repository.drain(it, "read config \(key)").map { $0.value }
            if let canonical = Repository.canonicalConfigKey(key) {
                values += config.environment.filter { $0.key == canonical }.map { $0.value ?? "" }
            }
            return values
        }
    }

    /// Every entry whose canonical key ("section.Sub.name") matches the POSIX
    /// extended regular expression, in git's order (like `git config --get-regexp`).
    public func configEntries(matching regex: String) throws(GitError) -> [(key: String, value: String)] {
        try locked { () throws(GitError) -> [(key: String, value: String)] in
            let config = try config()
            var it: OpaquePointer?
            try check(git_config_iterator_glob_new(&it, config.chain.pointer, regex), "read config matching \(regex)")
            var entries = try Repository.drain(it, "read config matching \(regex)").map { (key: $0.key, value: $0.value) }
            if !config.environment.isEmpty {
                let matcher = try PosixRegex(regex)
                for e in config.environment where matcher.matches(e.key) {
                    entries.append((key: e.key, value: e.value ?? ""))
                }
            }
            return entries
        }
    }

    /// Reads a config iterator to the end; entries ordered by level (lowest
    /// priority first, as git lists them), file order within a level.
    static func drain(_ it: OpaquePointer?, _ what: String) throws(GitError) -> [(key: String, value: String)] {
        let iterator = try Handle.own(it, free: git_config_iterator_free, what)
        defer { withExtendedLifetime(iterator) {} }
        var entries: [(key: String, value: String, level: Int32, index: Int)] = []
        while true {
            var entry: UnsafeMutablePointer<git_config_entry>?
            guard try check(git_config_next(&entry, iterator.pointer), what, tolerating: GIT_ITEROVER),
                  let entry else { break }
            // Entries from an iterator belong to the iterator: not freed here.
            entries.append((decodeCString(entry.pointee.name), decodeCString(entry.pointee.value),
                            entry.pointee.level.rawValue, entries.count))
        }
        entries.sort { ($0.level, $0.index) < ($1.level, $1.index) }
        return entries.map { ($0.key, $0.value) }
    }

    // MARK: writing

    private func levelConfig(_ level: ConfigLevel) throws(GitError) -> Handle {
        let config = try config()
        defer { withExtendedLifetime(config) {} }
        let gitLevel: git_config_level_t
        switch level {
        case .local: gitLevel = GIT_CONFIG_LEVEL_LOCAL
        case .global:
            guard config.globalPath != nil else {
                throw GitError.notFound("no global config file: neither HOME nor GIT_CONFIG_GLOBAL is set")
            }
            gitLevel = GIT_CONFIG_LEVEL_GLOBAL
        }
        var out: OpaquePointer?
        try check(git_config_open_level(&out, config.chain.pointer, gitLevel), "open \(level) config")
        return try Handle.own(out, free: git_config_free, "open \(level) config")
    }

    /// Like `git config [--global] key value` (replaces a single value; fails on
    /// a key with several values).
    public func setConfig(_ key: String, _ value: String, level: ConfigLevel = .local) throws(GitError) {
        try locked { () throws(GitError) in
            try requireNoNUL(value, "config value")
            let target = try levelConfig(level)
            defer { withExtendedLifetime(target) {} }
            try check(git_config_set_string(target.pointer, key, value), "set config \(key)")
        }
    }

    /// Adds one more value to a multi-valued key (`git config --add`).
    public func addConfigMultivar(_ key: String, _ value: String, level: ConfigLevel = .local) throws(GitError) {
        try locked { () throws(GitError) in
            try requireNoNUL(value, "config value")
            let target = try levelConfig(level)
            defer { withExtendedLifetime(target) {} }
            // "$^" matches no existing value, so libgit2 appends instead of replacing.
            try check(git_config_set_multivar(target.pointer, key, "$^", value), "add config \(key)")
        }
    }

    /// Removes every value of `key` at that level; no error if there is none.
    public func unsetConfig(_ key: String, level: ConfigLevel = .local) throws(GitError) {
        try locked { () throws(GitError) in
            let target = try levelConfig(level)
            defer { withExtendedLifetime(target) {} }
            _ = try checkFound(git_config_delete_multivar(target.pointer, key, ".*"), "unset config \(key)")
        }
    }
}

/// A compiled POSIX extended regular expression (owns the regex_t).
final class PosixRegex {
    private var regex = regex_t()

    init(_ pattern: String) throws(GitError) {
        let rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        if rc != 0 {
            regfree(&regex)
            throw GitError(code: GIT_EINVALIDSPEC.rawValue, message: "invalid regular expression '\(pattern)'")
        }
    }

    func matches(_ s: String) -> Bool {
        regexec(&regex, s, 0, nil, 0) == 0
    }

    deinit { regfree(&regex) }
}
