#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RealmGit

// Small POSIX file helpers: the core avoids Foundation so hooks start fast.

func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}

/// The canonical absolute path (symbolic links resolved); nil when it does not exist.
public func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// The whole file; with `limit`, refuses (naming the file) one larger than that many bytes
/// without reading past the limit.
func readFile(_ path: String, limit: Int? = nil) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        throw RealmError(.usage, "\(path): cannot read: \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    // Room for the whole file at once (one byte more shows that it grew meanwhile): appending
    // in chunks doubles the buffer, which held up to twice the file and, while growing, both.
    var info = stat()
    if fstat(fileno(file), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
        let size = Int(info.st_size)
        bytes.reserveCapacity(Swift.min(size, limit.map { $0 + 1 } ?? size) + 1)
    }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
        if let limit, bytes.count > limit {
            throw RealmError(.usage, "\(path): larger than the limit of \(limit) bytes")
        }
        if n < buffer.count { break }
    }
    return bytes
}

func readTextFile(_ path: String) throws -> String {
    String(decoding: try readFile(path), as: UTF8.self)
}

/// Writes through a temporary file and rename, so a reader never sees half a file.
func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
    let temp = path + ".tmp-\(getpid())"
    let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, mode)
    guard fd >= 0 else {
        throw RealmError(.usage, "\(path): cannot write: \(String(cString: strerror(errno)))")
    }
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n <= 0 { close(fd); unlink(temp); throw RealmError(.usage, "\(path): write failed") }
        offset += n
    }
    fsync(fd)
    close(fd)
    chmod(temp, mode)
    guard rename(temp, path) == 0 else {
        unlink(temp)
        throw RealmError(.usage, "\(path): cannot write: \(String(cString: strerror(errno)))")
    }
}

func writeTextFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
    try writeFile(path, Array(text.utf8), mode: mode)
}

func makeDirectories(_ path: String) throws {
    var current = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        current += "/" + part
        if !isDirectory(current), mkdir(current, 0o755) != 0, errno != EEXIST {
            throw RealmError(.usage, "\(current): cannot create directory: \(String(cString: strerror(errno)))")
        }
    }
}

func removeFile(_ path: String) { unlink(path) }

func removeDirectory(_ path: String) { rmdir(path) }

func removeTree(_ path: String) {
    _ = try? ProcessRunner.run("rm", ["-rf", "--", path])
}

public func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return "." }
    let length = buffer.firstIndex(of: 0) ?? buffer.count
    return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

func absolutePath(_ path: String, relativeTo base: String = currentDirectory()) -> String {
    let joined = path.hasPrefix("/") ? path : base + "/" + path
    var parts: [Substring] = []
    for part in joined.split(separator: "/") {
        if part == "." { continue }
        if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
        parts.append(part)
    }
    return "/" + parts.joined(separator: "/")
}

func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

/// A directory under $TMPDIR removed when the work is done.
struct TemporaryDirectory {
    let path: String

    init(prefix: String) throws {
        let base = environment("TMPDIR") ?? "/tmp"
        var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw RealmError(.internalError, "cannot create a temporary directory in \(base)")
        }
        path = String(cString: made)
    }

    func remove() { removeTree(path) }
}

/// Entry names of a directory, sorted, without `.` and `..`; [] when it cannot be read.
func listDirectory(_ path: String) -> [String] {
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

func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(0, &buffer, buffer.count)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return bytes
}
