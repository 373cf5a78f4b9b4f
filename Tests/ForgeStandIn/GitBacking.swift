import Foundation

/// Repos whose branches live in a real bare git repository (`--git-remote OWNER/NAME=PATH`),
/// as a forge's do: before each API request the stand-in reads the branches from git, and an
/// open PR's head follows its branch (a push moves it); a merge moves the base branch to the
/// merged head, as a fast-forward would.
extension StandIn {
    func refreshFromGit() {
        for (full, path) in gitRemotes {
            let repo = makeRepo(full)
            guard let listing = git(["--git-dir", path, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/"]) else { continue }
            for line in listing.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2 { repo.branches[String(parts[0])] = String(parts[1]) }
            }
            for (number, pull) in repo.pulls where pull.open {
                if let sha = repo.branches[pull.head] { repo.pulls[number]?.headSHA = sha }
            }
        }
    }

    func mergedInGit(_ repo: Repo, _ pull: Pull) {
        guard let path = gitRemotes[repo.fullName.lowercased()] else { return }
        _ = git(["--git-dir", path, "update-ref", "refs/heads/\(pull.base)", pull.headSHA])
        repo.branches[pull.base] = pull.headSHA
    }

    /// A repository created through the API (`--git-root DIR`): a bare repository at
    /// DIR/OWNER/NAME.git that the stand-in serves over git's smart HTTP.
    func createBareRepository(_ full: String) {
        guard let root = gitRoot else { return }
        let path = "\(root)/\(full).git"
        _ = git(["init", "--quiet", "--bare", "--initial-branch=main", path])
        _ = git(["--git-dir", path, "config", "http.receivepack", "true"])
        gitRemotes[full.lowercased()] = path
    }

    /// `/<owner>/<name>.git/...`: git's smart HTTP, by `git http-backend` (CGI).
    func serveGit(_ request: Request) -> Response? {
        guard let root = gitRoot, request.path.contains(".git/") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "http-backend"]
        var env = ["GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": request.path,
                   "QUERY_STRING": request.query.map { "\($0.0)=\($0.1)" }.joined(separator: "&"),
                   "REQUEST_METHOD": request.method, "CONTENT_TYPE": request.headers["content-type"] ?? "",
                   "CONTENT_LENGTH": String(request.body.count), "REMOTE_USER": "alice", "REMOTE_ADDR": "127.0.0.1",
                   "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        if let encoding = request.headers["content-encoding"] { env["HTTP_CONTENT_ENCODING"] = encoding }
        if let protocolHeader = request.headers["git-protocol"] { env["GIT_PROTOCOL"] = protocolHeader }
        process.environment = env
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return Response(status: 500) }
        let body = request.body
        DispatchQueue.global().async {
            try? input.fileHandleForWriting.write(contentsOf: Data(body))
            try? input.fileHandleForWriting.close()
        }
        let data = [UInt8](output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        // CGI: headers, a blank line, the body.
        var split = data.count
        var skip = 0
        for i in 0..<data.count where data[i] == 10 {
            if i + 1 < data.count, data[i + 1] == 10 { split = i; skip = 2; break }
            if i + 2 < data.count, data[i + 1] == 13, data[i + 2] == 10 { split = i; skip = 3; break }
        }
        var status = 200
        var headers: [(String, String)] = []
        for line in String(decoding: data[..<split], as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" { status = Int(value.prefix(3)) ?? 200 } else { headers.append((name, value)) }
        }
        return Response(status: status, body: Array(data[min(data.count, split + skip)...]), headers: headers)
    }

    private func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
