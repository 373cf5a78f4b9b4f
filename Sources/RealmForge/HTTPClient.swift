import RealmLimits
import RealmSupport

/// One HTTP request to a forge's API. `headers` may hold the token: they go to curl on its
/// standard input only.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: ForgeURL
    /// Appended to `url` ("/repos/o/r/pulls?state=open"), already encoded.
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public init(method: String, url: ForgeURL, path: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.path = path
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// HTTP through the `curl` program (docs/forges.md, "HTTP"): git-realm links neither libcurl nor
/// Foundation, because every push loads the binary through the hooks; git itself keeps HTTP in
/// a separate program (`git-remote-https`).
///
/// Everything about the request (URL, headers with the token, body) is written to curl's
/// standard input as a config file (`curl -q --config -`): nothing is in argv (which /proc shows
/// every user) or in curl's environment. curl reads no `.curlrc` (`-q`), follows no redirect,
/// speaks only https (http too for a loopback host), gives up on connecting after
/// `connectTimeout` and on the whole request after `timeout`, and its answer is read up to
/// `maxResponseBytes` (`--max-filesize`, and the capture stops there).
public struct HTTPClient: Sendable {
    public var connectTimeout: Double
    public var timeout: Double
    public var maxResponseBytes: Int
    /// The curl program (found on PATH unless it has a "/").
    public var curl: String

    public init(connectTimeout: Double = Limits.forgeConnectTimeout, timeout: Double = Limits.forgeRequestTimeout,
                maxResponseBytes: Int = Limits.forgeResponseBytes, curl: String = "curl") {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.curl = curl
    }

    /// The marker curl writes after the body: a newline and the status code.
    static let statusSuffixLength = 4

    /// Sends `request`; any HTTP status is a response (the caller maps it). Throws only when no
    /// answer came: curl missing, a timeout, no connection, TLS, an answer too large. The error
    /// never holds a header (the token) or the body.
    public func send(_ request: HTTPRequest) throws(ForgeError) -> HTTPResponse {
        let config = configText(request)
        let target = "\(request.method) \(request.url.authority)"
        let result: ProcessResult
        do {
            result = try ProcessRunner.run(curl, ["-q", "--config", "-"], stdin: Array(config.utf8),
                                           timeout: timeout + 5, removingEnvironment: ["CURL_HOME"],
                                           outputLimit: maxResponseBytes + 64)
        } catch {
            if error.kind == .notFound {
                throw .unavailable("curl is not installed: git-realm talks to forges through the curl program (install curl)")
            }
            throw .unavailable("\(target): could not run curl: \(error.message)")
        }
        if result.overflowed {
            throw .malformed("\(target): the forge's answer is larger than \(maxResponseBytes) bytes")
        }
        if result.timedOut {
            throw .unavailable("\(target): no answer within \(Int(timeout)) s")
        }
        guard result.status == 0 else {
            throw HTTPClient.curlFailure(status: result.status, stderr: result.stderrText, target: target,
                                         limit: maxResponseBytes, timeout: timeout)
        }
        var out = result.stdout
        guard out.count >= Self.statusSuffixLength, out[out.count - 4] == UInt8(ascii: "\n"),
              let status = Int(String(decoding: out[(out.count - 3)...], as: UTF8.self)), status >= 100 else {
            throw .malformed("\(target): curl gave no HTTP status")
        }
        out.removeLast(Self.statusSuffixLength)
        return HTTPResponse(status: status, body: out)
    }

    /// The config file curl reads on its standard input (`curl --config -`; `man curl`, "-K").
    func configText(_ request: HTTPRequest) -> String {
        var lines: [String] = []
        func option(_ name: String, _ value: String) { lines.append("\(name) = \(Self.quoted(value))") }
        option("url", request.url.appending(request.path))
        option("request", request.method)
        option("proto", request.url.isLoopback ? "=https,http" : "=https")
        option("proto-redir", "=https")
        option("max-redirs", "0")
        option("connect-timeout", Self.seconds(connectTimeout))
        option("max-time", Self.seconds(timeout))
        option("max-filesize", String(maxResponseBytes))
        if request.url.isLoopback { option("noproxy", "*") }
        lines.append("globoff")
        lines.append("silent")
        lines.append("show-error")
        // curl's own `Expect: 100-continue` for larger bodies waits a second on servers that
        // do not answer it.
        option("header", "Expect:")
        option("user-agent", "git-realm")
        for header in request.headers { option("header", "\(header.name): \(header.value)") }
        if let body = request.body {
            option("data-raw", String(decoding: body, as: UTF8.self))
        }
        option("write-out", "\n%{http_code}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A curl config value in double quotes: `\` and `"` escaped, and the escapes curl reads
    /// (`\n \r \t \v`) for those characters.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func seconds(_ value: Double) -> String {
        let tenths = Int((max(0.1, value) * 10).rounded(.up))
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// curl's exit status in words (`man curl`, "EXIT CODES"); its own message, escaped and
    /// without URL credentials, after it.
    static func curlFailure(status: Int32, stderr: String, target: String, limit: Int, timeout: Double) -> ForgeError {
        let detail = Printable.line(GitURL.redactingURLs(in: String(stderr.trimmingWhitespace().prefix(Limits.forgeMessageCharacters))))
        let said = detail.isEmpty ? "" : " (\(detail))"
        switch status {
        case 1: return .refused("\(target): refused by git-realm's rules for forge URLs: https only, no redirects\(said)")
        case 5, 6: return .unavailable("\(target): could not resolve the host\(said)")
        case 7: return .unavailable("\(target): could not connect\(said)")
        case 28: return .unavailable("\(target): no answer within \(Int(timeout)) s\(said)")
        case 47: return .malformed("\(target): the forge answered with a redirect; git-realm follows none (set forge.api to the final URL)\(said)")
        case 63: return .malformed("\(target): the forge's answer is larger than \(limit) bytes")
        case 35, 51, 53, 54, 58, 59, 60, 77, 80, 82, 83, 90, 91:
            return .unavailable("\(target): TLS failed: the forge's certificate or connection could not be verified\(said)")
        default: return .unavailable("\(target): curl failed (exit \(status))\(said)")
        }
    }
}
