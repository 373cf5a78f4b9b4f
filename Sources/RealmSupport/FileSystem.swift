#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Small POSIX file helpers, the only ones in the project: the core avoids Foundation so hooks
// start fast. Failures are `SystemError`s of kind `.file` naming the path.

public func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}

public func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// The canonical absolute path (symbolic links resolved); nil when it does not exist.
public func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// "~/x" with $HOME for "~"; any other path unchanged.
public func expandHome(_ path: String) -> String {
    guard path.hasPrefix("~/"), let home = envString("HOME") else { return path }
    return home + String(path.dropFirst(1))
}

public func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    let length = buffer.firstIndex(of: 0) ?? buffer.count
    return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// `path` made absolute against `base`, with "." and ".." resolved textually.
public func absolutePath(_ path: String, relativeTo base: String = currentDirectory()) -> String {
    let joined = path.hasPrefix("/") ? path : base + "/" + path
    var parts: [Substring] = []
    for part in joined.split(separator: "/") {
        if part == "." { continue }
        if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
        parts.append(part)
    }
    return "/" + parts.joined(separator: "/")
}

/// What `fd` gives until its end, at most `limit` bytes (all when nil; an endless input then
/// costs bounded memory), retrying on EINTR. `errno` is set when a read failed.
public func readAll(fd: Int32, upTo limit: Int? = nil) -> (bytes: [UInt8], errno: Int32?) {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while limit.map({ bytes.count < $0 }) ?? true {
        let wanted = limit.map { min(chunk.count, $0 - bytes.count) } ?? chunk.count
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, wanted) }
        if n > 0 { bytes += chunk[0..<n]; continue }
        if n == 0 { break }
        let e = errno
        if e == EINTR { continue }
        return (bytes, e)
    }
    return (bytes, nil)
}

/// The whole file; with `limit`, refuses (naming the file) one larger than that many bytes
/// without reading past the limit. `errno` of the error is ENOENT for a missing file.
public func readFile(_ path: String, limit: Int? = nil) throws(SystemError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        let e = errno
        throw SystemError(.file, "\(path): cannot read: \(errorText(e))", errno: e)
    }
    defer { close(fd) }
    let (bytes, failed) = readAll(fd: fd, upTo: limit.map { $0 + 1 })
    if let failed { throw SystemError(.file, "\(path): cannot read: \(errorText(failed))", errno: failed) }
    if let limit, bytes.count > limit {
        throw SystemError(.file, "\(path): larger than the limit of \(limit) bytes")
    }
    return bytes
}

/// The first `count` bytes of the file (all of it when it is shorter): for a file whose head
/// says whether the rest is needed.
public func readFile(_ path: String, prefix count: Int) throws(SystemError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        let e = errno
        throw SystemError(.file, "\(path): cannot read: \(errorText(e))", errno: e)
    }
    defer { close(fd) }
    let (bytes, failed) = readAll(fd: fd, upTo: count)
    if let failed { throw SystemError(.file, "\(path): cannot read: \(errorText(failed))", errno: failed) }
    return bytes
}

public func readTextFile(_ path: String) throws(SystemError) -> String {
    String(decoding: try readFile(path), as: UTF8.self)
}

/// Writes the file. `atomic` (the default): through a temporary file, fsync and rename, so a
/// reader never sees half a file; else in place (a private scratch file nobody else reads).
/// `durable: false` skips the fsync of an atomic write: readers still see a whole file or none,
/// but a crash of the machine may leave it empty or torn (for caches that check what they read).
public func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, atomic: Bool = true,
                      durable: Bool = true) throws(SystemError) {
    if atomic, try writeUnnamedThenLink(path, bytes, mode: mode, durable: durable) { return }
    let target = atomic ? path + ".tmp-\(getpid())" : path
    let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else {
        throw SystemError(.file, "\(path): cannot write: \(errorText(errno))", errno: errno)
    }
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        if n <= 0 {
            close(fd)
            if atomic { unlink(target) }
            throw SystemError(.file, "\(path): write failed")
        }
        offset += n
    }
    if atomic && durable { fsync(fd) }
    close(fd)
    guard atomic else { return }
    chmod(target, mode)
    guard rename(target, path) == 0 else {
        let e = errno
        unlink(target)
        throw SystemError(.file, "\(path): cannot write: \(errorText(e))", errno: e)
    }
}

/// The atomic write of `writeFile` without a temporary name for most of its life: the bytes go
/// into an unnamed file in the target's directory (Linux `O_TMPFILE`), which is linked as the
/// target when there is none yet, else under a temporary name renamed over it at once. A process
/// killed while writing (SIGKILL, a crash) so leaves nothing behind, where a named temporary file
/// would stay. False when the file system or kernel cannot (the caller writes through a named
/// temporary file instead).
func writeUnnamedThenLink(_ path: String, _ bytes: [UInt8], mode: mode_t, durable: Bool) throws(SystemError) -> Bool {
    #if os(Linux)
    let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
    let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
    // O_TMPFILE (__O_TMPFILE | O_DIRECTORY); Glibc's Swift overlay does not carry the macro.
    let oTmpfile: Int32 = 0o20000000 | O_DIRECTORY
    let fd = open(directory, oTmpfile | O_WRONLY | O_CLOEXEC, mode)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        if n <= 0 { throw SystemError(.file, "\(path): write failed") }
        offset += n
    }
    if durable { fsync(fd) }
    fchmod(fd, mode)
    let handle = "/proc/self/fd/\(fd)"
    if linkat(AT_FDCWD, handle, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 { return true }
    guard errno == EEXIST else { return false }
    let temporary = path + ".tmp-\(getpid())"
    unlink(temporary)
    guard linkat(AT_FDCWD, handle, AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0 else { return false }
    guard rename(temporary, path) == 0 else {
        let e = errno
        unlink(temporary)
        throw SystemError(.file, "\(path): cannot write: \(errorText(e))", errno: e)
    }
    return true
    #else
    return false
    #endif
}

public func writeTextFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws(SystemError) {
    try writeFile(path, Array(text.utf8), mode: mode)
}

/// `mkdir -p`.
public func makeDirectories(_ path: String) throws(SystemError) {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        if !isDirectory(current), mkdir(current, 0o755) != 0, errno != EEXIST {
            throw SystemError(.file, "\(current): cannot create directory: \(errorText(errno))", errno: errno)
        }
    }
}

public func removeFile(_ path: String) { unlink(path) }

public func removeDirectory(_ path: String) { rmdir(path) }

/// `rm -rf`: a directory and everything below it (symbolic links removed, never followed).
public func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        for name in listDirectory(path) { removeTree(path + "/" + name) }
        rmdir(path)
    } else {
        unlink(path)
    }
}

/// A private directory (mode 0700) under $TMPDIR (or /tmp), removed with `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String) throws(SystemError) {
        let base = envString("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SystemError.system("cannot create a temporary directory in \(base)", errno: errno)
        }
        path = String(cString: made)
    }

    public func remove() { removeTree(path) }
}

/// Entry names of a directory, sorted, without `.` and `..`; [] when it cannot be read.
public func listDirectory(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// Standard input until its end (at most `limit` bytes when given).
public func readStandardInput(upTo limit: Int? = nil) -> [UInt8] {
    readAll(fd: 0, upTo: limit).bytes
}
