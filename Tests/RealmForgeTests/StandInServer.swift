import Foundation
import RealmForge
import RealmJSON
import TestSupport

/// A running `forge-standin` (Tests/ForgeStandIn) for one test, and its control interface.
/// The API descriptions come from `../shared/forges` beside the project; without them the tests
/// that need a stand-in report themselves skipped, naming the path.
final class StandInServer: @unchecked Sendable {
    enum Kind: String, CaseIterable, Sendable { case forgejo, github }

    static let projectRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func documentPath(_ kind: Kind) -> String {
        let relative = kind == .forgejo ? "forgejo/swagger.v1.json" : "github/api.github.com.pulls-subset.json"
        return URL(fileURLWithPath: projectRoot + "/../shared/forges/" + relative).standardized.path
    }

    static var documentsPresent: Bool { Kind.allCases.allSatisfy { FileManager.default.fileExists(atPath: documentPath($0)) } }
    static let missing = "the forges' API descriptions are not at ../shared/forges/ (\(documentPath(.forgejo)), \(documentPath(.github)))"

    /// The built stand-in, beside the test bundle.
    static let binary: String = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("forge-standin").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return projectRoot + "/.build/debug/forge-standin"
    }()

    static let aliceToken = "tok-alice-7f3a9c1e"
    static let bobToken = "tok-bob-22c8d0aa"

    let kind: Kind
    let process = Process()
    let port: Int
    let control: ForgeURL

    init(_ kind: Kind) throws {
        _ = HermeticEnvironment.processRoot
        self.kind = kind
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--kind", kind.rawValue, "--document", Self.documentPath(kind),
                             "--user", "alice:\(Self.aliceToken)", "--user", "bob:\(Self.bobToken)"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw StandInFailed(description: "forge-standin did not start: \(text)")
        }
        self.port = port
        control = try ForgeURL(parsing: "http://127.0.0.1:\(port)")
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The API base the adapters use.
    var api: String { kind == .forgejo ? "http://127.0.0.1:\(port)/api/v1" : "http://127.0.0.1:\(port)" }
    var forgeKind: ForgeKind { kind == .forgejo ? .forgejo : .github }

    /// An adapter for `repo` with `token` in the forge's own variable, trusting 127.0.0.1.
    func forge(_ repo: String, token: String? = StandInServer.aliceToken, client: HTTPClient = HTTPClient()) throws -> any Forge {
        let variable = kind == .forgejo ? "FORGEJO_TOKEN" : "GITHUB_TOKEN"
        let environment: [String: String] = token.map { [variable: $0] } ?? [:]
        let policy = CredentialPolicy(trustedHosts: ["127.0.0.1"], useGitCredential: false, environment: { environment[$0] })
        return try ForgeFactory.make(ForgeLocation(kind: forgeKind, api: api, repo: repo), credentials: policy, client: client)
    }

    @discardableResult
    func call(_ method: String, _ path: String, _ body: JSONValue? = nil) throws -> JSONValue {
        let response = try HTTPClient().send(HTTPRequest(method: method, url: control, path: path,
                                                          body: body.map { Array(JSONSerializer.string($0).utf8) }))
        return (try? JSONParser.parse(bytes: response.body)) ?? .null
    }

    func branch(_ repo: String, _ branch: String, _ sha: String) throws {
        try call("POST", "/_standin/branch", ["repo": .string(repo), "branch": .string(branch), "sha": .string(sha)])
    }

    var violations: [String] {
        get throws { (try call("GET", "/_standin/violations")["violations"]?.arrayValue ?? []).compactMap(\.stringValue) }
    }

    func pulls(_ repo: String) throws -> [JSONValue] {
        try call("GET", "/_standin/pulls" + ForgeURL.query([("repo", repo)]))["pulls"]?.arrayValue ?? []
    }

    var requests: [JSONValue] {
        get throws { try call("GET", "/_standin/requests")["requests"]?.arrayValue ?? [] }
    }
}

struct StandInFailed: Error, CustomStringConvertible {
    var description: String
}

/// Commit ids for tests.
func sha(_ digit: Character) -> String { String(repeating: digit, count: 40) }
