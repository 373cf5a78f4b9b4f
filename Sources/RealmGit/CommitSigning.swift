import CGit2
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

/// Signing and verifying commits with git's own SSH signing machinery (`gpg.format ssh`,
/// `user.signingkey`, `gpg.ssh.program`, an allowed-signers file), as `git commit -S` and
/// `git verify-commit` do: `ssh-keygen -Y sign|verify -n git`. OpenPGP: OpenPGP.swift.
public struct SSHSigner: Sendable {
    /// The program git runs for SSH signatures (`gpg.ssh.program`, default `ssh-keygen`).
    public var program: String
    /// A path to the private key, or to a public key whose private half is in ssh-agent.
    public var keyFile: String
    /// The public key line (`ssh-ed25519 AAAA...`), as it goes into an allowed-signers file.
    public var publicKey: String

    public init(program: String = "ssh-keygen", keyFile: String, publicKey: String) {
        self.program = program
        self.keyFile = keyFile
        self.publicKey = publicKey
    }

    /// The signer the user set up for git, or nil when git would not sign with SSH here:
    /// `gpg.format` is `ssh` and `user.signingkey` names a key file (a literal `key::ssh-...`
    /// or `ssh-...` value is used through ssh-agent, as git does).
    public static func configured(in repository: Repository) throws(GitError) -> SSHSigner? {
        guard try repository.configString(ConfigKey.gpgFormat)?.lowercased() == "ssh",
              let key = try repository.configString(ConfigKey.userSigningKey), !key.isEmpty else { return nil }
        let program = try repository.configString(ConfigKey.gpgSSHProgram).flatMap { $0.isEmpty ? nil : $0 } ?? "ssh-keygen"
        var literal = key
        if literal.hasPrefix("key::") { literal.removeFirst(5) }
        if literal.hasPrefix("ssh-") || literal.hasPrefix("ecdsa-") || literal.hasPrefix("sk-") {
            return SSHSigner(program: program, keyFile: "", publicKey: publicKeyLine(literal))
        }
        let path = expandHome(key)
        let pub = path.hasSuffix(".pub") ? path : path + ".pub"
        guard let bytes = try? readFile(pub, limit: 16 << 10) else {
            throw GitError.notFound("\(ConfigKey.userSigningKey) \(key): cannot read its public key \(pub)")
        }
        return SSHSigner(program: program, keyFile: path, publicKey: publicKeyLine(String(decoding: bytes, as: UTF8.self)))
    }

    /// `type base64` of a public key line, without its comment.
    public static func publicKeyLine(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).prefix(2).joined(separator: " ")
    }

    /// The armored SSH signature of `payload` (namespace `git`).
    public func sign(_ payload: [UInt8]) throws(GitError) -> String {
        let scratch = try GitError.bridging { () throws(SystemError) in try TemporaryDirectory(prefix: "git-realm-sign") }
        defer { scratch.remove() }
        let message = scratch.path + "/payload"
        try GitError.bridging { () throws(SystemError) in try writeFile(message, payload, mode: 0o600, atomic: false) }
        var keyPath = keyFile
        if keyPath.isEmpty {
            keyPath = scratch.path + "/key.pub"
            try GitError.bridging { () throws(SystemError) in try writeFile(keyPath, Array((publicKey + "\n").utf8), mode: 0o600, atomic: false) }
        }
        let result = try GitError.bridging { () throws(SystemError) in try ProcessRunner.run(program, ["-Y", "sign", "-n", "git", "-f", keyPath, message], timeout: 60) }
        guard result.status == 0, let signature = try? readFile(message + ".sig", limit: 64 << 10) else {
            throw GitError(code: GIT_ERROR.rawValue,
                           message: "cannot sign with \(keyFile.isEmpty ? publicKey : keyFile): \(result.stderrText.trimmingWhitespace())")
        }
        return String(decoding: signature, as: UTF8.self)
    }

    /// Checks an SSH signature over `payload` against an allowed-signers file's text: the
    /// signature must be valid and made by a key listed for `principal`. Returns nil when it is,
    /// else ssh-keygen's reason.
    public static func verify(program: String = "ssh-keygen", payload: [UInt8], signature: String,
                              allowedSigners: String, principal: String) throws(GitError) -> String? {
        let scratch = try GitError.bridging { () throws(SystemError) in try TemporaryDirectory(prefix: "git-realm-sign") }
        defer { scratch.remove() }
        try GitError.bridging { () throws(SystemError) in
            try writeFile(scratch.path + "/allowed", Array(allowedSigners.utf8), mode: 0o600, atomic: false)
            try writeFile(scratch.path + "/sig", Array(signature.utf8), mode: 0o600, atomic: false)
        }
        let result = try GitError.bridging { () throws(SystemError) in try ProcessRunner.run(program, ["-Y", "verify", "-n", "git", "-f", scratch.path + "/allowed",
                                                     "-I", principal, "-s", scratch.path + "/sig"],
                                           stdin: payload, timeout: 60) }
        if result.status == 0 { return nil }
        let reason = (result.stderrText + result.stdoutText).trimmingWhitespace()
        return reason.isEmpty ? "not a valid signature by \(principal)" : reason
    }
}

extension Repository {
    /// Writes a commit signed by `signer` (its signature in the `gpgsig` header, as git writes
    /// it); the rest as `createCommit`.
    public func createSignedCommit(tree: OID, parents: [OID], message: String, author: Signature? = nil,
                                   signer: CommitSigner) throws(GitError) -> OID {
        try requireNoNUL(message, "commit message")
        let payload = try locked { () throws(GitError) -> String in
            let (authorSig, committerSig) = try signatures(author)
            let treeObject = try lookupTree(tree)
            var parentHandles: [Handle] = []
            for p in parents { parentHandles.append(try lookupCommit(p)) }
            defer { withExtendedLifetime((authorSig, committerSig, treeObject, parentHandles)) {} }
            var parentPointers: [OpaquePointer?] = parentHandles.map { $0.pointer }
            let buffer = BufferHandle()
            let rc = parentPointers.withUnsafeMutableBufferPointer { list in
                git_commit_create_buffer(&buffer.buf, raw, authorSig.pointer, committerSig.pointer, nil, message,
                                         treeObject.pointer, list.count, list.baseAddress)
            }
            try check(rc, "create commit buffer")
            return buffer.string
        }
        let signature = try signer.sign(Array(payload.utf8))
        return try locked { () throws(GitError) -> OID in
            var oid = git_oid()
            try check(git_commit_create_with_signature(&oid, raw, payload, signature, "gpgsig"), "create signed commit")
            return OID(oid)
        }
    }

    /// A commit's signature (the `gpgsig` header) and the bytes it signs; nil when unsigned.
    public func commitSignature(_ commit: OID) throws(GitError) -> (signature: String, payload: [UInt8])? {
        try locked { () throws(GitError) -> (signature: String, payload: [UInt8])? in
            let signature = BufferHandle(), signed = BufferHandle()
            var id = commit.raw
            guard try check(git_commit_extract_signature(&signature.buf, &signed.buf, raw, &id, nil),
                            "read the signature of \(commit)", tolerating: GIT_ENOTFOUND) else { return nil }
            let payload = signed.buf.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: signed.buf.size)) } ?? []
            return (signature.string, payload)
        }
    }
}
