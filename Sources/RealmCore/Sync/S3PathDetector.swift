import RealmJSON
import RealmSupport

/// The built-in detector the seeds rely on: S3 paths written as string literals
/// (`"s3://bucket/jobs/*/masks/*"`) in an exporter's source files, as
/// `{read: [...], write: [...]}` with the bucket stripped. A path counts as written when its
/// line, or the assignment it sits in (`WRITE_PATHS = [`), speaks of writing; otherwise read.
public enum S3PathDetector {
    public static let name = "s3-paths"

    static let writeWords = ["write", "put", "upload", "save", "dump", "to_parquet", "to_csv", "output", "sink", "dest"]

    public struct Found: Sendable, Equatable {
        public var read: [String] = []
        public var write: [String] = []
        public var json: JSONValue {
            ["read": .array(read.map { .string($0) }), "write": .array(write.map { .string($0) })]
        }
    }

    /// Scans several files' text (path, text) and merges what they use.
    public static func detect(_ files: [(path: String, text: String)]) -> Found {
        var read = Set<String>(), write = Set<String>()
        for file in files {
            let found = detect(in: file.text)
            read.formUnion(found.read)
            write.formUnion(found.write)
        }
        return Found(read: read.sorted(), write: write.sorted())
    }

    public static func detect(in text: String) -> Found {
        var read = Set<String>(), write = Set<String>()
        var context = ""       // the assignment a multi-line list sits in
        var depth = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.lowercased()
            let paths = literals(in: Substring(rawLine))
            if paths.isEmpty {
                if depth == 0, line.contains("=") || line.contains(":") { context = line }
            } else {
                let isWrite = writeWords.contains { line.contains($0) }
                    || (depth > 0 && writeWords.contains { context.contains($0) })
                for path in paths { if isWrite { write.insert(path) } else { read.insert(path) } }
                if depth == 0 && (line.contains("=") || line.contains(":")) { context = line }
            }
            for c in line {
                if c == "[" || c == "(" || c == "{" { depth += 1 }
                if c == "]" || c == ")" || c == "}" { depth = max(0, depth - 1) }
            }
            if depth == 0 && paths.isEmpty && !(line.contains("=") || line.contains(":")) { context = "" }
        }
        return Found(read: read.sorted(), write: write.sorted())
    }

    /// The key parts of `s3://bucket/key` literals on one line (quotes ' " or `).
    static func literals(in line: Substring) -> [String] {
        var result: [String] = []
        var rest = line
        while let start = rest.firstRange(of: "s3://") {
            let quote = start.lowerBound > rest.startIndex ? rest[rest.index(before: start.lowerBound)] : " "
            var after = rest[start.upperBound...]
            guard quote == "\"" || quote == "'" || quote == "`" else { rest = after; continue }
            guard let end = after.firstIndex(of: quote) else { break }
            let url = after[..<end]
            if let slash = url.firstIndex(of: "/") {
                let key = url[url.index(after: slash)...]
                if !key.isEmpty && !key.contains(where: { $0.isWhitespace }) { result.append(String(key)) }
            }
            after = after[after.index(after: end)...]
            rest = after
        }
        return result
    }
}
