import Foundation
import Testing

/// Whether git-realm colours: GIT_REALM_COLOR > color.realm > color.ui > auto (a terminal,
/// unless NO_COLOR), each `auto|always|never|true|false`, config read as git reads it.
@Suite struct ColourTests {
    /// `git realm status` in a joined repo, coloured or not.
    func coloured(_ box: Sandbox, _ repo: String, environment: [String: String] = [:],
                  arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        let r = try box.run("git", arguments + ["realm", "status"], in: repo, environment: environment,
                            unsetting: environment["GIT_REALM_COLOR"] == nil ? ["GIT_REALM_COLOR"] : [])
        #expect(r.status == 0, "\(r)", sourceLocation: sourceLocation)
        return r.stdout.contains("\u{1B}[1maperture\u{1B}[0m")
    }

    func setting(_ box: Sandbox, _ key: String, _ value: String?, in repo: String? = nil) throws {
        let scope = repo == nil ? ["--global"] : []
        if let value {
            try box.git(["config"] + scope + [key, value], in: repo)
        } else {
            _ = try box.run("git", ["config"] + scope + ["--unset", key], in: repo)
        }
    }

    @Test func configAndEnvironmentDecideInGitsOrder() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture")
        #expect(try box.realm(["admin", "join", url], in: aperture).status == 0)

        // Not a terminal: auto says no.
        #expect(try !coloured(box, aperture))
        try setting(box, "color.ui", "always")
        #expect(try coloured(box, aperture))
        try setting(box, "color.realm", "never")
        #expect(try !coloured(box, aperture), "color.realm wins over color.ui")
        try setting(box, "color.ui", "never")
        try setting(box, "color.realm", "always")
        #expect(try coloured(box, aperture))
        #expect(try !coloured(box, aperture, environment: ["GIT_REALM_COLOR": "never"]), "the environment wins over config")
        try setting(box, "color.realm", "never")
        #expect(try coloured(box, aperture, environment: ["GIT_REALM_COLOR": "always"]))
        #expect(try coloured(box, aperture, arguments: ["-c", "color.realm=always"]), "git -c wins over the files")
        try setting(box, "color.realm", "always", in: aperture)
        #expect(try coloured(box, aperture), "the repository's config wins over the global one")
        try setting(box, "color.realm", nil, in: aperture)

        // true is auto and false is never, as in git.
        try setting(box, "color.ui", "always")
        for value in ["true", "auto", "false", "never", "off"] {
            try setting(box, "color.realm", value)
            #expect(try !coloured(box, aperture), "color.realm=\(value) off a terminal")
        }
        // Auto colours for git's pager, unless NO_COLOR; NO_COLOR does not override always.
        try setting(box, "color.realm", "auto")
        #expect(try coloured(box, aperture, environment: ["GIT_PAGER_IN_USE": "true"]))
        #expect(try !coloured(box, aperture, environment: ["GIT_PAGER_IN_USE": "true", "NO_COLOR": "1"]))
        try setting(box, "color.realm", "always")
        #expect(try coloured(box, aperture, environment: ["NO_COLOR": "1"]))

        // A value git-realm does not know is said, and the next setting decides.
        try setting(box, "color.realm", "sometimes")
        let r = try box.run("git", ["realm", "status"], in: aperture, unsetting: ["GIT_REALM_COLOR"])
        #expect(r.stderr.contains("warning: color.realm: 'sometimes' is not always, never, auto, true or false; ignored"), "\(r)")
        #expect(r.stdout.contains("\u{1B}[1maperture\u{1B}[0m"), "color.ui=always decides: \(r)")
    }

    /// On a terminal (script(1) gives one), auto colours unless NO_COLOR or TERM=dumb.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script(1) is not installed (bsdutils)"))
    func autoOnATerminal() throws {
        let box = try Sandbox()
        let url = try box.makeRealm()
        let aperture = try box.makeRepo("aperture")
        #expect(try box.realm(["admin", "join", url], in: aperture).status == 0)
        func onTerminal(_ environment: [String: String]) throws -> Bool {
            let r = try box.run("script", ["-qec", "git realm status", "/dev/null"], in: aperture,
                                environment: ["TERM": "xterm"].merging(environment) { $1 }, unsetting: ["GIT_REALM_COLOR"])
            #expect(r.status == 0, "\(r)")
            return r.stdout.contains("\u{1B}[1maperture\u{1B}[0m")
        }
        #expect(try onTerminal([:]))
        #expect(try !onTerminal(["NO_COLOR": "1"]))
        #expect(try !onTerminal(["TERM": "dumb"]))
        try box.git(["config", "--global", "color.ui", "never"])
        #expect(try !onTerminal([:]))
    }
}
