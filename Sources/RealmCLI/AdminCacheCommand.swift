import ArgumentParser
import RealmCore

struct AdminCacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Show or clear git-realm's cache in this repository.",
        discussion: """
        git-realm keeps a cache under git's own directory, in
        $GIT_COMMON_DIR/git-realm/cache: extracted export values, contract summaries and the
        comparison of each export with its contract, each keyed by the git object ids of
        what it was computed from (never by modification times), so that a second 'status'
        with nothing changed extracts nothing. An entry that does not read back whole is a
        miss; the cache is bounded and drops the entries used least recently. Nothing needs
        doing to keep it right: 'status', 'sync' and 'check' take --no-cache to bypass it,
        and 'admin cache clear' empties it (docs/cache.md).

        \(exitCodeDiscussion)
        """,
        subcommands: [AdminCacheStatsCommand.self, AdminCacheClearCommand.self])
}

struct AdminCacheStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Entries, size, hits and misses since the last clear, per kind.",
        discussion: """
        Kinds: value (extracted export values), contract (contract summaries by blob id),
        drift (an export's value compared with its contract). Hits and misses are added up
        by each command as it exits. The size of the contract-history index
        ($GIT_COMMON_DIR/git-realm/history), which 'clear' removes too, is shown beside.

        \(exitCodeDiscussion)
        """)

    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let stats = try CacheAdmin.stats()
            if output.json { Output.json(stats.json); return }
            Output.line("cache: \(Printable.line(stats.directory))")
            Output.line("  \(stats.entries) entries, \(size(stats.bytes)) (bound: \(stats.maxEntries) entries, \(size(stats.maxBytes)))")
            Output.line("  \(stats.hits) hits, \(stats.misses) misses since the last clear")
            for k in stats.kinds {
                Output.line("  \(k.kind): \(k.entries) entries, \(size(k.bytes)), \(k.hits) hits, \(k.misses) misses")
            }
            Output.line("history index: \(stats.historyFiles) files, \(size(stats.historyBytes)) (\(Printable.line(stats.historyDirectory)))")
        }
    }

    private func size(_ bytes: Int) -> String {
        bytes < 10 << 10 ? "\(bytes) bytes" : bytes < 10 << 20 ? "\(bytes >> 10) KiB" : "\(bytes >> 20) MiB"
    }
}

struct AdminCacheClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove every cache entry, the counters and the contract-history index.",
        discussion: """
        The next commands extract, decode and walk the realm's history again, and fill the
        cache again. A command running meanwhile sees the cache as it was or empty, never
        half of it.

        \(exitCodeDiscussion)
        """)

    func run() throws {
        try runReporting {
            let before = try CacheAdmin.clear()
            Output.line("\(Output.check) cleared \(before.entries) cache entries and \(before.historyFiles) history index files")
        }
    }
}
