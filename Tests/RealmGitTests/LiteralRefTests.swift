import Testing
import Foundation

/// `RefLayout` spells every ref name and `ConfigKey` every git config key (docs/architecture.md).
/// This test reads every Swift file under Sources and fails, naming file and line, on a string
/// literal elsewhere that starts with `refs/` (or a refspec's `+refs/`) or with a config key
/// (`realm.connectTimeout`, `notes.rewriteRef`, `realm.\(name).fetchedAt`, ...). Prose in
/// multi-line string literals (help texts) and comments are not literals and may name them.
@Suite struct LiteralRefTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The two files allowed to spell ref names and config keys.
    static let allowed: Set<String> = ["Sources/RealmGit/RefLayout.swift", "Sources/RealmGit/ConfigKey.swift"]

    /// Config sections whose keys git-realm reads or writes, and file names that only look like keys.
    static let sections = ["realm", "notes", "color", "core", "gpg", "user", "ssh", "remote", "author", "committer",
                           "export", "import"]
    static let notKeys = ["realm.yaml", "realm.git", "ssh.exe"]

    @Test func noRefOrConfigKeyLiteralOutsideRefLayoutAndConfigKey() throws {
        let sources = Self.packageRoot + "/Sources"
        let files = try FileManager.default.subpathsOfDirectory(atPath: sources)
            .filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.count > 50, "expected the package's sources under \(sources)")
        var offenders: [String] = []
        for file in files {
            let relative = "Sources/" + file
            if Self.allowed.contains(relative) { continue }
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for (index, literal) in Self.literals(in: text) where Self.offends(literal) {
                offenders.append("\(relative):\(index + 1): \"\(literal)\"")
            }
        }
        #expect(offenders.isEmpty, "ref names and config keys belong in RefLayout or ConfigKey:\n\(offenders.joined(separator: "\n"))")
    }

    @Test func theScannerFindsWhatItLooksFor() {
        let sample = """
        let a = "refs/heads/main" // "refs/in/a/comment"
        let b = "+refs/notes/*:x"
        let c = "realm.\\(name).fetchedAt"
        let d = "notes.rewriteRef"
        let e = "realm.yaml at \\(url("refs/x"))"
        let f = \"\"\"
            refs/realm/<realm>/main in help text
            \"\"\"
        """
        let found = Self.literals(in: sample).filter { Self.offends($0.1) }.map(\.0)
        #expect(found == [0, 1, 2, 3])
    }

    static func offends(_ literal: String) -> Bool {
        if literal.hasPrefix("refs/") || literal.hasPrefix("+refs/") { return true }
        guard !notKeys.contains(where: { literal.hasPrefix($0) }) else { return false }
        for section in sections where literal.hasPrefix(section + ".") {
            let rest = literal.dropFirst(section.count + 1)
            if let first = rest.first, first.isLetter || first == "\\" { return true }
        }
        return false
    }

    /// The single-line string literals of Swift source, with their line index (0-based). Skips
    /// comments and multi-line literals; an interpolation's inside is skipped.
    static func literals(in text: String) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var inMultiline = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let chars = Array(line)
            if inMultiline {
                if line.contains("\"\"\"") { inMultiline = false }
                continue
            }
            if line.contains("\"\"\"") {
                // A literal opening here ("""\n) runs to its closing line.
                if line.components(separatedBy: "\"\"\"").count == 2 { inMultiline = true }
                continue
            }
            var i = 0
            while i < chars.count {
                if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "/" { break }
                guard chars[i] == "\"" else { i += 1; continue }
                i += 1
                var content = ""
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count {
                        if chars[i + 1] == "(" {
                            content += "\\("
                            var depth = 1
                            i += 2
                            var inNested = false
                            while i < chars.count, depth > 0 {
                                if chars[i] == "\"" { inNested.toggle() } else if !inNested {
                                    if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                                }
                                if depth > 0 { content.append(chars[i]) }
                                i += 1
                            }
                            content += ")"
                            continue
                        }
                        content.append(chars[i]); content.append(chars[i + 1]); i += 2; continue
                    }
                    content.append(chars[i]); i += 1
                }
                i += 1
                result.append((index, content))
            }
        }
        return result
    }
}
