import CGit2
#if canImport(Glibc)
import Glibc
#endif
import RealmSupport

/// Signing and verifying commits with OpenPGP through git's own settings and program
/// (`gpg.format` openpgp or unset, `user.signingkey`, `gpg.openpgp.program` or `gpg.program`,
/// default `gpg`), as `git commit -S` and `git verify-commit` do. Verification never touches
/// the user's keyring: each check imports the registered key into a fresh, private GnuPG home
/// and verifies there, so a signature counts only when that one key made it.
public struct OpenPGPSigner: Sendable {
    public var program: String
    /// What `user.signingkey` names: a key id, fingerprint or user id.
    public var keyID: String
    /// The key's public half, ASCII-armored, as repos/<repo>.yaml records it.
    public var publicKey: String


    /// The signer git would use here, or nil when git would not sign with OpenPGP:
    /// `gpg.format` is unset or `openpgp` and `user.signingkey` is set.
    public static func configured(in repository: Repository) throws(GitError) -> OpenPGPSigner? {
        let format = try repository.configString(ConfigKey.gpgFormat)?.lowercased() ?? "openpgp"
        guard format == "openpgp", let key = try repository.configString(ConfigKey.userSigningKey), !key.isEmpty else { return nil }
        var program = "gpg"
        for setting in [ConfigKey.gpgProgram, ConfigKey.gpgOpenPGPProgram] {
            if let value = try repository.configString(setting), !value.isEmpty { program = value }
        }
        // Where gpg is missing or knows no such key, git could not sign either: no signer
        // (a realm that requires signatures then says how to set signing up).
        guard let exported = try? ProcessRunner.run(program, ["--batch", "--no-tty", "--armor", "--export", "--", key], timeout: 60),
              exported.status == 0, isPublicKey(exported.stdoutText) else { return nil }
        let armored = exported.stdoutText
        return OpenPGPSigner(program: program, keyID: key, publicKey: armored.trimmingWhitespace())
    }

    public static func isPublicKey(_ text: String) -> Bool { PGPArmor.isPublicKey(text) }
    public static func isSignature(_ text: String) -> Bool { text.hasPrefix(PGPArmor.signatureHeader) }

    /// The armored detached signature of `payload`, as git makes it (`gpg -bsau KEY`).
    public func sign(_ payload: [UInt8]) throws(GitError) -> String {
        let result = try GitError.bridging { () throws(SystemError) in
            try ProcessRunner.run(program, ["--status-fd=2", "--batch", "--no-tty", "-bsau", keyID], stdin: payload, timeout: 120)
        }
        guard result.status == 0, result.stderrText.contains("[GNUPG:] SIG_CREATED"), Self.isSignature(result.stdoutText) else {
            throw GitError(code: GIT_ERROR.rawValue, message: "cannot sign with OpenPGP key \(keyID): \(result.stderrText.trimmingWhitespace().prefix(300))")
        }
        return result.stdoutText
    }

    /// Whether `signature` over `payload` was made by `publicKey` (armored), checked in a private
    /// GnuPG home holding that key alone.
    public static func verify(program: String = "gpg", payload: [UInt8], signature: String, publicKey: String) throws(GitError) -> Bool {
        guard isPublicKey(publicKey), isSignature(signature) else { return false }
        let home = try GitError.bridging { () throws(SystemError) in try TemporaryDirectory(prefix: "git-realm-gpg") }
        defer { home.remove() }
        _ = chmod(home.path, 0o700)
        let base = ["--homedir", home.path, "--batch", "--no-tty", "--no-autostart", "--trust-model", "always"]
        let imported = try GitError.bridging { () throws(SystemError) in
            try ProcessRunner.run(program, base + ["--import"], stdin: Array(publicKey.utf8), timeout: 60)
        }
        guard imported.status == 0 else { return false }
        let sig = home.path + "/signature.asc"
        try GitError.bridging { () throws(SystemError) in try writeFile(sig, Array(signature.utf8), mode: 0o600, atomic: false) }
        let checked = try GitError.bridging { () throws(SystemError) in
            try ProcessRunner.run(program, base + ["--status-fd", "1", "--verify", sig, "-"], stdin: payload, timeout: 60)
        }
        let status = checked.stdoutText
        return checked.status == 0 && status.contains("[GNUPG:] GOODSIG ") && status.contains("[GNUPG:] VALIDSIG ")
    }
}

/// The signer git is set up to use here: SSH (`gpg.format ssh`) or OpenPGP.
public enum CommitSigner: Sendable {
    case ssh(SSHSigner)
    case openPGP(OpenPGPSigner)

    public static func configured(in repository: Repository) throws(GitError) -> CommitSigner? {
        if let ssh = try SSHSigner.configured(in: repository) { return .ssh(ssh) }
        if let pgp = try OpenPGPSigner.configured(in: repository) { return .openPGP(pgp) }
        return nil
    }

    /// The public key as repos/<repo>.yaml records it: an SSH key line, or an armored OpenPGP key.
    public var publicKey: String {
        switch self {
        case .ssh(let s): return s.publicKey
        case .openPGP(let p): return p.publicKey
        }
    }

    public func sign(_ payload: [UInt8]) throws(GitError) -> String {
        switch self {
        case .ssh(let s): return try s.sign(payload)
        case .openPGP(let p): return try p.sign(payload)
        }
    }
}
