#if canImport(Glibc)
import Glibc
#endif
import RealmJSON

func fail(_ message: String, _ code: Int32) -> Never {
    let line = message + "\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(code)
}

// forge-standin --kind forgejo|github --document PATH [--user LOGIN:TOKEN]... [--git-remote OWNER/NAME=PATH]... [--git-root DIR]
// Serves the forge's API as its document describes it, on 127.0.0.1, on a free port; prints
// "listening on http://127.0.0.1:PORT" and serves until killed. Tests only (docs/forges.md,
// "The stand-in").
// A test process may start this one with signals blocked (libdispatch's threads block them and
// the mask is inherited): SIGTERM and SIGINT must end it.
var unblock = sigset_t()
sigemptyset(&unblock)
sigaddset(&unblock, SIGTERM)
sigaddset(&unblock, SIGINT)
sigprocmask(SIG_UNBLOCK, &unblock, nil)

var kind: APIDocument.Kind?
var documentPath: String?
var users: [(String, String)] = []
var gitRemotes: [String: String] = [:]
var gitRoot: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--kind": kind = arguments.popFirst().flatMap { APIDocument.Kind(rawValue: $0) }
    case "--document": documentPath = arguments.popFirst()
    case "--git-root": gitRoot = arguments.popFirst()
    case "--git-remote":
        let pair = arguments.popFirst()?.split(separator: "=", maxSplits: 1) ?? []
        if pair.count == 2 { gitRemotes[pair[0].lowercased()] = String(pair[1]) }
    case "--user":
        let pair = arguments.popFirst()?.split(separator: ":", maxSplits: 1) ?? []
        if pair.count == 2 { users.append((String(pair[0]), String(pair[1]))) }
    default:
        fail("forge-standin: unknown argument \(argument)", 2)
    }
}
guard let kind, let documentPath else {
    fail("usage: forge-standin --kind forgejo|github --document PATH [--user LOGIN:TOKEN]...", 2)
}
guard let file = fopen(documentPath, "r") else {
    fail("forge-standin: cannot read \(documentPath)", 1)
}
var bytes: [UInt8] = []
var chunk = [UInt8](repeating: 0, count: 1 << 16)
while true {
    let n = fread(&chunk, 1, chunk.count, file)
    if n <= 0 { break }
    bytes += chunk[0..<n]
}
fclose(file)
do {
    let document = try APIDocument(document: try JSONParser.parse(bytes: bytes), kind: kind)
    let server = try Server()
    let standIn = StandIn(document: document, port: server.port)
    for (login, token) in users { standIn.users[token] = login }
    standIn.gitRemotes = gitRemotes
    standIn.gitRoot = gitRoot
    let banner = "listening on http://127.0.0.1:\(server.port)\n"
    _ = banner.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count - 1) }
    server.serve { standIn.handle($0) }
} catch {
    fail("forge-standin: \(error)", 1)
}
