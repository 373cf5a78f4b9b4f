import Foundation
import Testing

/// Realm states built by hand, the way a human with a clone of the realm would (no `sync`):
/// an export read from a file, new contract versions, notification notes, sync branches.
extension Sandbox {
    static let s3Contract = "domains/s3-access/contracts/s3-permissions.yaml"
    static let apertureBinding = "domains/s3-access/bindings/aperture.yaml"

    /// The s3-permissions contract file at `version` with `read`/`write` paths as its value.
    static func s3ContractText(version: String, read: [String], write: [String] = [], validation: String = "",
                               changes: [String] = ["hand edit"]) -> String {
        func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
        return """
        name: s3-permissions
        version: "\(version)"
        owner: aperture
        compatibility:
          backwards: true
          forwards: false
        schema:
          type: object
          properties:
            read: {type: array, items: {type: string}}
            write: {type: array, items: {type: string}}
          required: [read, write]
        value:
          read: \(list(read))
          write: \(list(write))
        \(validation)
        evolution:
          - version: "\(version)"
            changes: [\(changes.map { "\"\($0)\"" }.joined(separator: ", "))]

        """
    }

    /// Scenario in which aperture exports s3-permissions from `config/s3.yaml` (value read
    /// `jobs/*/masks/*`), has that file committed, an `origin` to push to (already pushed),
    /// and has fetched the realm. fungal-image-analysis imports it at 1.0.0.
    func makeExportScenario(hooksPath: String? = nil) throws -> (realm: String, aperture: String, fungal: String) {
        let (url, aperture, fungal) = try makeScenario()
        try editRealmByHand(url, message: "aperture exports s3-permissions from config/s3.yaml") { clone in
            try write(clone + "/" + Self.apertureBinding, """
            repo: aperture
            role: provider
            exports:
              - contract: s3-permissions
                source_files: [config/s3.yaml]
                from_file: config/s3.yaml

            """)
            try write(clone + "/" + Self.s3Contract, Self.s3ContractText(version: "1.0.0", read: ["jobs/*/masks/*"]))
        }
        try write("aperture/config/s3.yaml", "read: [jobs/*/masks/*]\nwrite: []\n")
        try declareExport(in: aperture, "s3-permissions", source: "config/s3.yaml", way: "file = config/s3.yaml")
        try git(["add", "."], in: aperture)
        try git(["commit", "--quiet", "-m", "s3 config"], in: aperture)
        try git(["init", "--quiet", "--bare", path("aperture-origin.git")])
        try git(["remote", "add", "origin", path("aperture-origin.git")], in: aperture)
        let fetched = try realm(["status", "--fetch"], in: aperture)
        #expect(fetched.status == 0, "\(fetched)")
        let first = try run("git", ["push", "--quiet", "-u", "origin", "main"], in: aperture)
        #expect(first.status == 0, "first push: \(first)")
        return (url, aperture, fungal)
    }

    /// Appends an `[export "<contract>"]` declaration to the repo's `.gitrealm` (not committed):
    /// how the repo computes the export, as `git realm export` writes it. `way` is one
    /// `file = ...`, `command = ...` or `detect = ...` line; `extra` more lines (validate = ...).
    func declareExport(in repo: String, _ contract: String, source: String, way: String, extra: [String] = []) throws {
        let file = repo + "/.gitrealm"
        let lines = ["[export \"\(contract)\"]", "\tsource = \(source)", "\t\(way)"] + extra.map { "\t" + $0 }
        try write(file, try read(file) + lines.joined(separator: "\n") + "\n")
    }

    /// Appends lines to the repo's `.gitrealm` (not committed).
    func appendToGitrealm(in repo: String, _ lines: [String]) throws {
        let file = repo + "/.gitrealm"
        try write(file, try read(file) + lines.joined(separator: "\n") + "\n")
    }

    /// Publishes a new version of s3-permissions in the realm by hand.
    /// The publishing commit is dated 2026-01-01T00:00:00Z, and its evolution entry lists the
    /// read paths beyond `jobs/*/masks/*` as `+ path`: what a notification about it says.
    func publishS3(_ url: String, version: String, read: [String], write: [String] = []) throws {
        let changes = read.filter { $0 != "jobs/*/masks/*" }.map { "+ " + $0 }
        try editRealmByHand(url, message: "s3-permissions \(version)", date: "2026-01-01T00:00:00Z") { clone in
            try self.write(clone + "/" + Self.s3Contract, Self.s3ContractText(version: version, read: read, write: write,
                                                                              changes: changes.isEmpty ? ["hand edit"] : changes))
        }
    }

    /// Appends a JSON line to the realm's `refs/notes/realm` note on `revision` (default: the
    /// realm's main), by hand in a clone.
    func addRealmNote(_ url: String, _ line: String, on revision: String = "origin/main") throws {
        let clone = path("realm-notes-\(UUID().uuidString.prefix(6))")
        try git(["clone", "--quiet", url, clone])
        _ = try run("git", ["fetch", "--quiet", "origin", "refs/notes/realm:refs/notes/realm"], in: clone)
        try git(["notes", "--ref=realm", "append", "-m", line, revision], in: clone)
        try git(["push", "--quiet", "origin", "refs/notes/realm"], in: clone)
    }

    /// A notification line as `git realm sync` writes them.
    static func notificationLine(to consumer: String, version: String, previous: String = "1.0.0",
                                 changes: [String], at: String = "2026-01-01T00:00:00Z") -> String {
        let list = changes.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"v":1,"kind":"notification","at":"\#(at)","domain":"s3-access","contract":"s3-permissions","from":"aperture","to":"\#(consumer)","version":"\#(version)","previous":"\#(previous)","change_type":"updated","changes":[\#(list)]}"#
    }

    static func acknowledgementLine(from consumer: String, version: String, at: String = "2026-01-01T00:03:00Z") -> String {
        #"{"v":1,"kind":"acknowledgement","at":"\#(at)","domain":"s3-access","contract":"s3-permissions","from":"\#(consumer)","version":"\#(version)"}"#
    }

    /// `consumer` acknowledges `version` by hand, as its `sync` does: the acknowledgement line on
    /// the realm's main (the commit that published `version`), then its binding's
    /// `resolved_version` moved to it. The binding is what counts (docs/trust.md): a line alone
    /// proves nothing.
    func acknowledgeByHand(_ url: String, consumer: String = "fungal-image-analysis", version: String) throws {
        try addRealmNote(url, Self.acknowledgementLine(from: consumer, version: version))
        try editRealmByHand(url, message: "\(consumer): ack \(version)") { clone in
            let path = "\(clone)/domains/s3-access/bindings/\(consumer).yaml"
            let text = try read(path)
            let edited = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.contains("resolved_version:") ? "    resolved_version: \"\(version)\"" : String(line)
            }.joined(separator: "\n")
            try write(path, edited)
        }
    }

    /// 2026-01-01T00:05:00Z: five minutes after the fixtures' notifications.
    static let fiveMinutesLater = ["GIT_REALM_NOW": "1767225900"]

    /// The commit a ref points to in a repository (nil when absent).
    func revParse(_ ref: String, in directory: String) throws -> String? {
        let r = try run("git", ["rev-parse", "--verify", "--quiet", ref], in: directory)
        return r.status == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
