import Testing
@testable import RealmGit
@testable import RealmSupport
#if canImport(Glibc)
import Glibc
#endif

/// In-process SSHSIG verification against signatures made by the real `ssh-keygen -Y sign`:
/// valid, tampered payload, another key, another namespace, other key types left to ssh-keygen.
@Suite struct SSHSignatureTests {
    static func keyPair(_ type: String, in dir: String) throws -> (file: String, line: String) {
        let file = "\(dir)/\(type)"
        let made = try ProcessRunner.run("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "t", "-f", file])
        #expect(made.status == 0, "\(made.stderrText)")
        let line = SSHSigner.publicKeyLine(String(decoding: try readFile(file + ".pub", limit: 1 << 16), as: UTF8.self))
        return (file, line)
    }

    static func scratch() -> String {
        _ = TestEnvironment.root
        var template = Array("/tmp/sshsig-tests.XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    @Test func verifiesWhatSshKeygenSigns() throws {
        #expect(LibCrypto.shared != nil, "libcrypto must load: otherwise every verification spawns ssh-keygen")
        let dir = Self.scratch()
        let key = try Self.keyPair("ed25519", in: dir)
        let other = try Self.keyPair("ecdsa", in: dir)
        let payload = Array("tree 1234\nauthor a <a@x> 1 +0000\n\nmessage\n".utf8)
        let signature = try SSHSigner(keyFile: key.file, publicKey: key.line).sign(payload)

        #expect(SSHSignature.verify(payload: payload, armored: signature, keys: [key.line]) == .valid)
        var tampered = payload
        tampered[0] = UInt8(ascii: "T")
        #expect(SSHSignature.verify(payload: tampered, armored: signature, keys: [key.line]) == .invalid("signature does not verify"))
        let stranger = try Self.keyPair("ed25519", in: dir + "/x" + { mkdir(dir + "/x", 0o700); return "" }())
        #expect(SSHSignature.verify(payload: payload, armored: signature, keys: [stranger.line])
                == .invalid("signed by a key that is not allowed"))
        #expect(SSHSignature.verify(payload: payload, armored: signature, keys: [key.line], namespace: "file")
                == .invalid("signature is for namespace other than file"))
        #expect(SSHSignature.verify(payload: payload, armored: "garbage", keys: [key.line]) != .valid)
        // ssh-keygen agrees on both.
        let allowed = "a@x namespaces=\"git\" \(key.line)\n"
        #expect(try SSHSigner.verify(payload: payload, signature: signature, allowedSigners: allowed, principal: "a@x") == nil)
        #expect(try SSHSigner.verify(payload: tampered, signature: signature, allowedSigners: allowed, principal: "a@x") != nil)

        // Other key types are left to ssh-keygen.
        let ecdsa = try SSHSigner(keyFile: other.file, publicKey: other.line).sign(payload)
        #expect(SSHSignature.verify(payload: payload, armored: ecdsa, keys: [other.line]) == .unsupported)
    }
}
