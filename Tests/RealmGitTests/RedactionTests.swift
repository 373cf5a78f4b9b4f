import Testing
@testable import RealmGit
@testable import RealmSupport

/// `GitURL`: credentials never survive; URLs without any stay exactly as they were.
@Suite struct GitURLTests {
    @Test(arguments: [
        // http(s): user, password and token go, with the query and fragment.
        ("http://alice:S3cret@127.0.0.1:1/x.git", "http://127.0.0.1:1/x.git"),
        ("https://gitlab-ci-token:glcbt-TOKEN@gitlab.example.com/group/repo.git", "https://gitlab.example.com/group/repo.git"),
        ("https://ghp_TOKEN@github.com/o/r.git", "https://github.com/o/r.git"),
        ("https://alice:p@ss@word@host/r.git", "https://host/r.git"),
        ("https://host/r.git?private_token=TOKEN", "https://host/r.git"),
        ("https://host?sig=TOKEN", "https://host"),
        ("HTTPS://u:p@Host:8443/r.git#frag", "HTTPS://Host:8443/r.git"),
        ("https://host/r@x.git", "https://host/r@x.git"),
        ("git://user@host/r.git", "git://host/r.git"),
        // ssh keeps its user, loses a password.
        ("ssh://git@host/r.git", "ssh://git@host/r.git"),
        ("ssh://git:S3cret@host:22/r.git", "ssh://git@host:22/r.git"),
        ("git+ssh://me:pw@host/r", "git+ssh://me@host/r"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("me:S3cret@host:r.git", "me@host:r.git"),
        // A remote helper's address.
        ("persistent-https::https://u:S3cret@host/r", "persistent-https::https://host/r"),
        // Local: as they are.
        ("/srv/realm.git", "/srv/realm.git"),
        ("../realm", "../realm"),
        ("file:///srv/a:b@c/realm.git", "file:///srv/a:b@c/realm.git"),
        ("./dir/with:colon@at", "./dir/with:colon@at"),
    ])
    func redacted(_ url: String, _ expected: String) {
        #expect(GitURL.redacted(url) == expected)
        #expect(GitURL.redacted(expected) == expected, "idempotent")
        #expect(GitURL.hasCredentials(url) == (url != expected))
    }

    @Test(arguments: [
        ("/srv/realm.git", true), ("realm", true), ("../realm.git", true), ("./a:b", true),
        ("file:///srv/realm.git", true), ("FILE:///x", true),
        ("https://host/r.git", false), ("git@host:r.git", false), ("host:r.git", false),
        ("ssh://host/r", false), ("helper::anything", false),
    ])
    func isLocal(_ url: String, _ local: Bool) {
        #expect(GitURL.isLocal(url) == local)
    }

    @Test func urlsInsideMessages() {
        let stderr = """
        fatal: unable to access 'http://alice:S3cret@127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1
        remote: see https://tok3n@host/path?token=S3cret and "ssh://git:S3cret@h/r"
        `git ls-remote --end-of-options https://u:S3cret@h/r` failed
        """
        let clean = GitURL.redactingURLs(in: stderr)
        #expect(!clean.contains("S3cret"))
        #expect(!clean.contains("tok3n"))
        #expect(clean.contains("'http://127.0.0.1:1/x.git/'"))
        #expect(clean.contains("https://host/path and"))
        #expect(clean.contains("\"ssh://git@h/r\""))
        #expect(GitURL.redactingURLs(in: "no url: here@there") == "no url: here@there")
        #expect(GitURL.redactingURLs(in: "a://") == "a://")
        #expect(GitURL.redactingURLs(in: "://x@y") == "://x@y")
        #expect(GitURL.redactingURLs(in: "éhttp://ü:p@h/ü") == "éhttp://h/ü")
    }
}

/// `Printable`: no control character passes, everything else is untouched.
@Suite struct PrintableTests {
    @Test func escapesControlCharacters() {
        #expect(Printable.line("plain text, ünïcode ✓ and \\033 as text") == "plain text, ünïcode ✓ and \\033 as text")
        #expect(Printable.line("\u{1B}]0;owned\u{07}\u{1B}[31mred") == "\\033]0;owned\\a\\033[31mred")
        #expect(Printable.line("one\ntwo\r\tthree") == "one\\ntwo\\r\tthree")
        #expect(Printable.escaped("one\ntwo", keepNewlines: true) == "one\ntwo")
        #expect(Printable.escaped("a\tb", keepTabs: false) == "a\\tb")
        #expect(Printable.line("\u{00}\u{7F}\u{9B}31m") == "\\000\\177\\302\\23331m")
        #expect(Printable.line("abc\u{202E}fed") == "abc\\342\\200\\256fed")
        #expect(Printable.line("x\u{2028}y") == "x\\342\\200\\250y")
        // Nothing escaped survives a second pass changed.
        let once = Printable.line("\u{1B}[2J\n\u{85}")
        #expect(Printable.line(once) == once)
        #expect(!once.unicodeScalars.contains { Printable.isControl($0.value) })
    }
}
