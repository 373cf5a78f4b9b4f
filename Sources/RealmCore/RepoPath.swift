#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

/// A path inside this repository, as a declaration, a command-line flag or a realm file names
/// it. Every path git-realm reads or runs in a participant goes through here: relative,
/// "/"-separated, with no `..`, no `.git` component, no control characters, and (in the working
/// tree) no symbolic link leading out of the repository. See docs/security.md.
public enum RepoPath {
    /// Why `path` cannot name a file inside the repository; nil when it can.
    public static func problem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") { return "is absolute" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        if path.contains("\\") { return "contains a backslash" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.contains("..") { return "leaves the repository ('..')" }
        if parts.contains(where: { $0.lowercased() == ".git" }) { return "names git's own directory" }
        if parts.allSatisfy({ $0 == "." }) { return "names no file" }
        return nil
    }

    /// `path` normalised (no `.` or empty components), or a usage error naming `what`.
    public static func confined(_ path: String, what: String) throws -> String {
        if let problem = problem(path) {
            throw RealmError(.usage, "\(what) '\(path)' \(problem); only paths inside the repository are allowed")
        }
        return path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }.joined(separator: "/")
    }

    /// The absolute path of `path` in the working tree `workdir`, after checking that neither it
    /// nor any symbolic link on the way leads out of the repository. A missing file is returned
    /// as joined (callers report it as missing).
    public static func resolve(_ path: String, in workdir: String, what: String) throws -> String {
        let relative = try confined(path, what: what)
        let joined = workdir + "/" + relative
        guard let root = realPath(workdir) else { return joined }
        guard let resolved = realPath(joined) else { return joined }
        if resolved != root && !resolved.hasPrefix(root == "/" ? "/" : root + "/") {
            throw RealmError(.refused, "\(what) '\(path)' is a symbolic link (or lies under one) leading out of the repository; refusing to read it")
        }
        return joined
    }
}
