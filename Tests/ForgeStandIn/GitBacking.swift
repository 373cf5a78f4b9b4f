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
