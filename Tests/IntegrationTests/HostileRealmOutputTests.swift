import Foundation
import Testing

/// A realm whose strings carry terminal escape sequences and embedded newlines: what members
/// see is escaped (no raw ESC but git-realm's own colours, no forged line), what `--json`
/// gives is the exact string, and the note post-merge writes stores no control character.
@Suite struct HostileRealmOutputTests {
    /// Sets the terminal's title, turns text red, and starts a line of its own.
    static let payload = "\u{1B}]0;pwned\u{07}\u{1B}[31mRED\nforged: line"
    /// The payload as JSON writes it, for hand-written note lines.
    static let payloadJSON = #"\u001b]0;pwned\u0007\u001b[31mRED\nforged: line"#
    /// The payload as a YAML double-quoted scalar.
    static let payloadYAML = #""\e]0;pwned\a\e[31mRED\nforged: line""#
    /// The payload as git-realm shows it.
    static let escaped = #"\033]0;pwned\a\033[31mRED\nforged: line"#

    /// fungal imports s3-permissions; the realm publishes 1.5.0 with a hostile path in its value
    /// and evolution, and a notification whose change line is hostile.
    func hostileScenario() throws -> (box: Sandbox, realm: String, aperture: String, fungal: String) {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeExportScenario()
        try box.editRealmByHand(url, message: "s3-permissions 1.5.0") { clone in
            var text = Sandbox.s3ContractText(version: "1.5.0", read: ["jobs/*/masks/*", Self.payloadYAML])
            // What a notification says comes from the contract's evolution (docs/trust.md).
            text = text.replacingOccurrences(of: "changes: [\"hand edit\"]", with: "changes: [\"+ \(Self.payloadYAML.dropFirst())]")
            try box.write(clone + "/" + Sandbox.s3Contract, text)
        }
        try box.addRealmNote(url, Sandbox.notificationLine(to: "fungal-image-analysis", version: "1.5.0",
                                                           changes: ["+ " + Self.payloadJSON]))
        // A sync branch whose commit subject is hostile (it concerns fungal's domain).
        let clone = box.path("realm-sync-branch")
        try box.git(["clone", "--quiet", url, clone])
        try box.write("realm-sync-branch/" + Sandbox.s3Contract, Sandbox.s3ContractText(version: "2.0.0", read: ["y/*"]))
        try box.git(["commit", "--quiet", "-am", "subject " + Self.payload], in: clone)
        try box.git(["push", "--quiet", "origin", "HEAD:refs/heads/sync/aperture/20260101-000000"], in: clone)
        return (box, url, aperture, fungal)
    }

    /// No raw ESC but the SGR colour sequences git-realm writes itself, nothing of the payload
    /// raw, and no line that the payload started.
    func expectSanitised(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let ownColours = try! NSRegularExpression(pattern: "\u{1B}\\[(0|1|2|31|32|33)m")
        let withoutOwn = ownColours.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
        #expect(!withoutOwn.contains("\u{1B}"), "\(what): a raw ESC:\n\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("\u{1B}]0;pwned") && !text.contains("\u{1B}[31mRED") && !text.contains("\u{07}"),
                "\(what): the payload, raw:\n\(text)", sourceLocation: sourceLocation)
        let forged = text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("forged") }
        #expect(forged.isEmpty, "\(what): a forged line:\n\(text)", sourceLocation: sourceLocation)
    }

    /// Every string in a JSON document.
    func strings(in value: Any) -> [String] {
        switch value {
        case let s as String: return [s]
        case let a as [Any]: return a.flatMap { strings(in: $0) }
        case let o as [String: Any]: return o.values.flatMap { strings(in: $0) }
        default: return []
        }
    }

    @Test func statusEscapesWhatTheRealmSays() throws {
        let (box, _, _, fungal) = try hostileScenario()
        for colour in ["never", "always"] {
            let status = try box.realm(["status", "--fetch"], in: fungal,
                                       environment: Sandbox.fiveMinutesLater.merging(["GIT_REALM_COLOR": colour]) { $1 })
            #expect(status.status == 0, "\(status)")
            expectSanitised(status.output, "status (colour \(colour))")
            #expect(status.stdout.contains("+ " + Self.escaped), "\(status)")
            #expect(status.stdout.contains(#"subject \033]0;pwned\a\033[31mRED"#), "the sync branch's subject: \(status)")
            if colour == "always" {
                #expect(status.stdout.contains("\u{1B}[33mstale\u{1B}[0m"), "git-realm's own colours still work: \(status)")
            }
        }
        let json = try box.realm(["status", "--json"], in: fungal)
        #expect(json.status == 0, "\(json)")
        let all = strings(in: try box.json(json))
        #expect(all.contains("+ " + Self.payload), "--json gives the exact string")
        #expect(all.contains { $0.contains(Self.payload) && $0 != "+ " + Self.payload }, "the value's path, exactly")
    }

    @Test func syncEscapesWhatTheRealmSays() throws {
        let (box, _, aperture, fungal) = try hostileScenario()
        for colour in ["never", "always"] {
            let sync = try box.realm(["sync", "--dry-run"], in: fungal, environment: ["GIT_REALM_COLOR": colour])
            expectSanitised(sync.output, "sync in fungal (colour \(colour))")
            // aperture's value lacks the realm's hostile path: the change lines quote it.
            let exporter = try box.realm(["sync", "--dry-run"], in: aperture, environment: ["GIT_REALM_COLOR": colour])
            expectSanitised(exporter.output, "sync in aperture (colour \(colour))")
            #expect(exporter.output.contains(Self.escaped), "\(exporter)")
        }
        let json = try box.realm(["sync", "--dry-run", "--json"], in: aperture)
        #expect(strings(in: try box.json(json)).contains { $0.contains(Self.payload) }, "\(json)")
    }

    @Test func postMergeEscapesWhatItPrintsAndStores() throws {
        let (box, _, _, fungal) = try hostileScenario()
        try box.git(["init", "--quiet", "--bare", box.path("fungal-origin.git")])
        try box.git(["remote", "add", "origin", box.path("fungal-origin.git")], in: fungal)
        try box.git(["push", "--quiet", "-u", "origin", "main"], in: fungal)
        try box.git(["clone", "--quiet", box.path("fungal-origin.git"), box.path("colleague")])
        try box.write("colleague/cdk.py", "policy = []\n")
        try box.git(["add", "."], in: box.path("colleague"))
        try box.git(["commit", "--quiet", "-m", "colleague"], in: box.path("colleague"))
        try box.git(["push", "--quiet", "origin", "main"], in: box.path("colleague"))

        let pull = try box.run("git", ["pull", "--no-rebase", "--no-edit", "origin", "main"], in: fungal,
                               environment: Sandbox.fiveMinutesLater.merging(["GIT_REALM_COLOR": "always"]) { $1 })
        #expect(pull.status == 0, "\(pull)")
        expectSanitised(pull.output, "git pull's post-merge output")
        #expect(pull.output.contains("+ " + Self.escaped), "\(pull)")
        let note = try box.git(["notes", "--ref=realm", "show", "HEAD"], in: fungal)
        #expect(note.contains("Notification from aperture"), "\(note)")
        expectSanitised(note, "the post-merge note")
        #expect(!note.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "no control character stored: \(note)")
        #expect(note.contains("+ " + Self.escaped), "\(note)")
    }

    /// An error that quotes a realm value, and git's own stderr relayed.
    @Test func errorsEscapeWhatTheyQuote() throws {
        let box = try Sandbox()
        let (url, aperture, fungal) = try box.makeScenario()
        try box.editRealmByHand(url) { clone in
            try box.write(clone + "/domains/s3-access/bindings/fungal-image-analysis.yaml", """
            repo: fungal-image-analysis
            role: consumer
            imports:
              - contract: s3-permissions
                version: \(Self.payloadYAML)

            """)
        }
        // A name field (validated: the error quotes it).
        try box.editRealmByHand(url) { clone in
            let path = clone + "/domains/s3-access/contracts/s3-permissions.yaml"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try box.write(path, text.replacingOccurrences(of: "owner: aperture", with: "owner: \(Self.payloadYAML)"))
        }
        for dir in [aperture, fungal] {
            for command in [["status", "--fetch"], ["sync"], ["check"]] {
                let r = try box.realm(command, in: dir, environment: ["GIT_REALM_COLOR": "always"])
                expectSanitised(r.output, "git realm \(command.joined(separator: " ")) in \(dir)")
            }
        }
        // A hook's failure quotes a value from the pushed ref lines.
        let hook = try box.realm(["hook", "pre-push", "origin", "x"], in: aperture,
                                 stdin: "refs/heads/main \u{1B}[31m\nforged: line\n")
        #expect(hook.status == 2, "\(hook)")
        expectSanitised(hook.output, "pre-push")
    }

    /// The guard cannot be forgotten: in RealmCLI nothing but Output writes to stdout or stderr.
    @Test func onlyOutputWrites() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/RealmCLI").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        #expect(files.contains("Output.swift"))
        let writers = try NSRegularExpression(pattern: #"(?<![A-Za-z_.])(?<!func )(print|writeStderr|fputs|fwrite|putchar|puts)\(|FileHandle|write\((1|2|STDOUT_FILENO|STDERR_FILENO),"#)
        for file in files where file != "Output.swift" {
            let text = try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = String(line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                let found = writers.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil
                #expect(!found, "\(file):\(number + 1) writes around Output's guard: \(line)")
            }
        }
    }
}
