#if canImport(Glibc)
import Glibc
#endif
import RealmGit
import RealmJSON
import RealmSupport
import Synchronization

/// Hits and misses since the cache was last cleared: counted in the process, added to
/// `<cache>/stats` (one line per command that used the cache) when the process exits, under
/// an exclusive `flock`, and folded into one line when the file passes 64 KiB.
enum CacheCounters {
    private struct State {
        var counts: [RealmCache.Kind: (hits: Int, misses: Int)] = [:]
        var directory: String?
        var registered = false
    }
    private static let state = Mutex(State())

    static func count(_ kind: RealmCache.Kind, hit: Bool, directory: String) {
        let register = state.withLock { s -> Bool in
            s.directory = s.directory ?? directory
            var c = s.counts[kind] ?? (0, 0)
            if hit { c.hits += 1 } else { c.misses += 1 }
            s.counts[kind] = c
            defer { s.registered = true }
            return !s.registered
        }
        if register { atexit { CacheCounters.flush() } }
    }

    /// Adds this process's counts to the stats file (at exit).
    static func flush() {
        let (counts, directory) = state.withLock { s in
            defer { s.counts = [:] }
            return (s.counts, s.directory)
        }
        guard let directory, !counts.isEmpty else { return }
        if !isDirectory(directory) { try? makeDirectories(directory) }
        let file = directory + "/stats"
        let fd = open(file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { return }
        defer { _ = flock(fd, LOCK_UN) }
        write(fd, line(counts))
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 64 << 10 else { return }
        // Fold the file into one line, still under the lock.
        lseek(fd, 0, SEEK_SET)
        let total = parse(readAll(fd: fd, upTo: 1 << 20).bytes)
        guard ftruncate(fd, 0) == 0 else { return }
        write(fd, line(total))
    }

    static func line(_ counts: [RealmCache.Kind: (hits: Int, misses: Int)]) -> String {
        "v1" + RealmCache.Kind.allCases.map { " \($0.rawValue) \(counts[$0]?.hits ?? 0) \(counts[$0]?.misses ?? 0)" }.joined() + "\n"
    }

    /// The sums of a stats file's lines; a line it cannot read is skipped.
    static func parse(_ bytes: [UInt8]) -> [RealmCache.Kind: (hits: Int, misses: Int)] {
        var total: [RealmCache.Kind: (hits: Int, misses: Int)] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.first == "v1", f.count % 3 == 1 else { continue }
            var i = 1
            while i + 2 < f.count {
                if let kind = RealmCache.Kind(rawValue: String(f[i])), let h = Int(f[i + 1]), let m = Int(f[i + 2]), h >= 0, m >= 0 {
                    let c = total[kind] ?? (0, 0)
                    total[kind] = (c.hits + h, c.misses + m)
                }
                i += 3
            }
        }
        return total
    }

    /// The stats file's sums, read under a shared lock.
    static func read(directory: String) -> [RealmCache.Kind: (hits: Int, misses: Int)] {
        let fd = open(directory + "/stats", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [:] }
        defer { close(fd) }
        _ = flock(fd, LOCK_SH)
        defer { _ = flock(fd, LOCK_UN) }
        return parse(readAll(fd: fd, upTo: 1 << 20).bytes)
    }

    private static func write(_ fd: Int32, _ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
    }
}

/// Keeps the cache within its bounds: once per process, after its first store.
enum CacheEviction {
    private static let done = Mutex(false)

    static func afterStore(_ cache: RealmCache) {
        let first = done.withLock { d -> Bool in defer { d = true }; return !d }
        guard first else { return }
        let bounds = cache.bounds
        evict(cache, maxBytes: bounds.bytes, maxEntries: bounds.entries)
    }

    struct Entry { var path: String; var kind: RealmCache.Kind; var bytes: Int; var used: (Int, Int) }

    /// Every entry of every kind, with its size and when it was last used. Temporary files of a
    /// writer killed more than a minute ago are removed on the way.
    static func entries(_ cache: RealmCache) -> [Entry] {
        var result: [Entry] = []
        let now = time(nil)
        for kind in RealmCache.Kind.allCases {
            let folder = "\(cache.directory)/\(kind.rawValue)"
            for name in listDirectory(folder) {
                var info = stat()
                let path = folder + "/" + name
                guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
                if name.contains(".tmp-") {
                    if now - info.st_mtim.tv_sec > 60 { unlink(path) }
                    continue
                }
                result.append(Entry(path: path, kind: kind, bytes: Int(info.st_size), used: (info.st_mtim.tv_sec, info.st_mtim.tv_nsec)))
            }
        }
        return result
    }

    /// Removes the least recently used entries until the cache holds at most three quarters of
    /// either bound, when it is over one.
    static func evict(_ cache: RealmCache, maxBytes: Int, maxEntries: Int) {
        var all = entries(cache)
        var total = all.reduce(0) { $0 + $1.bytes }
        guard total > maxBytes || all.count > maxEntries else { return }
        all.sort { $0.used < $1.used }
        var count = all.count
        for entry in all where total > maxBytes / 4 * 3 || count > maxEntries / 4 * 3 {
            unlink(entry.path)
            total -= entry.bytes
            count -= 1
        }
        Trace.event("cache evicted down to \(count) entries, \(total) bytes")
    }
}
