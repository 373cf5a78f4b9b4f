import Foundation
import Testing

/// OpenPGP signing through git's own settings (gpg.format openpgp, user.signingkey): a member
/// whose git signs with gpg registers its armored key, signs its realm writes, and every reader
/// verifies them in a private keyring; a signature by another OpenPGP key counts for nobody.
@Suite struct OpenPGPTests {
    static let hasGPG = FileManager.default.isExecutableFile(atPath: "/usr/bin/gpg")

    /// Makes an OpenPGP key for `who@example.com` in the sandbox's keyring; returns its fingerprint.
    static func makeKey(_ box: Sandbox, _ who: String) throws -> String {
        let made = try box.run("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                                       "--quick-gen-key", "\(who) <\(who)@example.com>", "ed25519", "sign", "never"])
        #expect(made.status == 0, "\(made)")
        let listed = try box.run("gpg", ["--batch", "--with-colons", "--list-keys", "\(who)@example.com"])
        let fpr = listed.stdout.split(separator: "\n").first { $0.hasPrefix("fpr:") }?.split(separator: ":", omittingEmptySubsequences: false)
        return try #require(fpr.map { String($0[9]) })
    }

    @Test(.enabled(if: hasGPG, "gpg is not installed (Debian package gnupg)"))
    func openPGPSignedWritesVerifyAndForeignKeysDoNot() throws {
        let w = try TrustTests.makeWorld(admission: "open")
        let doraKey = try Self.makeKey(w.box, "dora")
        let eveKey = try Self.makeKey(w.box, "eve")
        let dora = try w.box.makeRepo("dora")
        for (key, value) in [("user.email", "dora@example.com"), ("gpg.format", "openpgp"), ("user.signingkey", doraKey)] {
            try w.box.git(["config", key, value], in: dora)
        }
        let join = try w.box.realm(["admin", "join", w.url], in: dora)
        #expect(join.status == 0, "an OpenPGP-signed registration passes the server's verifier: \(join)")
        let entry = try #require(try w.box.realmFile(w.url, "repos/dora.yaml"))
        #expect(entry.contains("BEGIN PGP PUBLIC KEY BLOCK") && entry.contains("principal: dora@example.com"), "\(entry)")
        let head = try w.box.git(["--git-dir", w.url, "cat-file", "commit", "main"])
        #expect(head.contains("gpgsig -----BEGIN PGP SIGNATURE-----"), "\(head)")
        let check = try w.box.realm(["check", "--mode=realm", "--fetch"], in: w.aperture)
        #expect(check.status == 0, "every reader verifies it: \(check)")

        // In a realm clone: dora's own change signed with her key lands; signed with eve's, it does not.
        func push(_ name: String, signingKey: String) throws -> Sandbox.Result {
            let clone = w.box.path("pgp-\(name)")
            try w.box.git(["clone", "--quiet", w.url, clone])
            try w.box.write(clone + "/repos/dora.yaml", try w.box.read(clone + "/repos/dora.yaml") + "# \(name)\n")
            try w.box.git(["add", "-A"], in: clone)
            let commit = try w.box.run("git", ["-c", "user.name=Dora", "-c", "user.email=dora@example.com", "-c", "gpg.format=openpgp",
                                               "-c", "user.signingkey=\(signingKey)", "commit", "-S", "--quiet", "-m", name], in: clone)
            #expect(commit.status == 0, "\(commit)")
            return try w.box.run("git", ["push", "origin", "HEAD:main"], in: clone)
        }
        let forged = try push("eve", signingKey: eveKey)
        #expect(forged.status != 0 && forged.stderr.contains("signed by no key registered for dora@example.com"), "\(forged)")
        let own = try push("dora", signingKey: doraKey)
        #expect(own.status == 0, "\(own)")
    }
}
