#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

/// Verifies SSH signatures (the `SSHSIG` format `ssh-keygen -Y sign` writes, see OpenSSH's
/// PROTOCOL.sshsig) in process, for Ed25519 keys: one verification costs microseconds instead of
/// an `ssh-keygen` process (milliseconds), which is what makes verifying a long realm history
/// affordable. The Ed25519 and SHA-2 primitives come from the system's libcrypto (OpenSSL 3,
/// which OpenSSH itself uses), loaded on first use. Other key types, or a system without
/// libcrypto, answer `.unsupported` and the caller asks `ssh-keygen`.
public enum SSHSignature {
    public enum Verdict: Sendable, Equatable {
        case valid
        case invalid(String)
        case unsupported
    }

    /// Whether `armored` is a valid signature over `payload` in namespace `namespace` by one of
    /// `keys` (public key lines, `ssh-ed25519 AAAA...`).
    public static func verify(payload: [UInt8], armored: String, keys: [String], namespace: String = "git") -> Verdict {
        guard let blob = dearmor(armored) else { return .invalid("not an SSH signature (armor or base64)") }
        var reader = WireReader(blob)
        guard reader.raw(6) == Array("SSHSIG".utf8), reader.uint32() == 1,
              let publicKey = reader.string(), let signedNamespace = reader.string(), let reserved = reader.string(),
              let hashBytes = reader.string(), let signatureBlob = reader.string(), reader.atEnd else {
            return .invalid("malformed SSH signature")
        }
        var keyReader = WireReader(publicKey)
        guard let keyType = keyReader.string() else { return .invalid("malformed public key in the signature") }
        guard keyType == Array("ssh-ed25519".utf8) else { return .unsupported }
        guard let rawKey = keyReader.string(), rawKey.count == 32, keyReader.atEnd else {
            return .invalid("malformed Ed25519 key in the signature")
        }
        // The signing key must be one of the allowed keys, byte for byte.
        let allowed = keys.compactMap { line -> [UInt8]? in
            let parts = line.split(separator: " ")
            return parts.count >= 2 && parts[0] == "ssh-ed25519" ? Base64.decode(String(parts[1])) : nil
        }
        guard allowed.contains(publicKey) else { return .invalid("signed by a key that is not allowed") }
        guard signedNamespace == Array(namespace.utf8) else { return .invalid("signature is for namespace other than \(namespace)") }
        var sigReader = WireReader(signatureBlob)
        guard sigReader.string() == Array("ssh-ed25519".utf8), let signature = sigReader.string(), signature.count == 64,
              sigReader.atEnd else { return .invalid("malformed Ed25519 signature") }
        guard let crypto = LibCrypto.shared else { return .unsupported }
        let hashName = String(decoding: hashBytes, as: UTF8.self)
        guard let digest = crypto.digest(payload, algorithm: hashName) else {
            return .invalid("unsupported hash algorithm '\(hashName)'")
        }
        var signed = Array("SSHSIG".utf8)
        for field in [Array(namespace.utf8), reserved, Array(hashName.utf8), digest] { WireReader.append(field, to: &signed) }
        return crypto.verifyEd25519(key: rawKey, signature: signature, message: signed) ? .valid : .invalid("signature does not verify")
    }

    /// The base64 between `-----BEGIN SSH SIGNATURE-----` and `-----END SSH SIGNATURE-----`.
    static func dearmor(_ text: String) -> [UInt8]? {
        var inside = false, body = ""
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if line == "-----BEGIN SSH SIGNATURE-----" { inside = true; continue }
            if line == "-----END SSH SIGNATURE-----" { return inside ? Base64.decode(body) : nil }
            if inside { body += line }
            if body.utf8.count > 64 << 10 { return nil }
        }
        return nil
    }
}

/// SSH wire format: big-endian uint32 lengths before byte strings (RFC 4251).
struct WireReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var atEnd: Bool { offset == bytes.count }

    mutating func raw(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }
    mutating func uint32() -> UInt32? {
        guard let b = raw(4) else { return nil }
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }
    mutating func string() -> [UInt8]? {
        guard let length = uint32() else { return nil }
        return raw(Int(length))
    }
    static func append(_ field: [UInt8], to out: inout [UInt8]) {
        let n = UInt32(field.count)
        out += [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + field
    }
}

enum Base64 {
    /// Standard base64 with optional padding; nil on any other character.
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var buffer: UInt32 = 0, bits = 0, padding = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): padding += 1; continue
            default: return nil
            }
            if padding > 0 { return nil }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return padding <= 2 ? out : nil
    }
}

/// The few libcrypto functions verification needs, resolved with dlopen on first use so that
/// commands that never verify do not pay for loading the library.
final class LibCrypto: @unchecked Sendable {
    private typealias NewRawPublicKey = @convention(c) (Int32, OpaquePointer?, UnsafePointer<UInt8>?, Int) -> OpaquePointer?
    private typealias FreeKey = @convention(c) (OpaquePointer?) -> Void
    private typealias NewContext = @convention(c) () -> OpaquePointer?
    private typealias FreeContext = @convention(c) (OpaquePointer?) -> Void
    private typealias VerifyInit = @convention(c) (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
    private typealias Verify = @convention(c) (OpaquePointer?, UnsafePointer<UInt8>?, Int, UnsafePointer<UInt8>?, Int) -> Int32
    private typealias Digest = @convention(c) (UnsafeRawPointer?, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?, OpaquePointer?, OpaquePointer?) -> Int32
    private typealias MessageDigest = @convention(c) () -> OpaquePointer?

    private static let ed25519: Int32 = 1087   // NID_ED25519 (EVP_PKEY_ED25519)

    private let newRawPublicKey: NewRawPublicKey
    private let freeKey: FreeKey
    private let newContext: NewContext
    private let freeContext: FreeContext
    private let verifyInit: VerifyInit
    private let verify: Verify
    private let digestFunction: Digest
    private let sha256: MessageDigest
    private let sha512: MessageDigest

    static let shared: LibCrypto? = LibCrypto()

    private init?() {
        guard let handle = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libcrypto.so", RTLD_NOW | RTLD_LOCAL) else {
            return nil
        }
        func symbol<T>(_ name: String, _: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: T.self) }
        }
        guard let a = symbol("EVP_PKEY_new_raw_public_key", NewRawPublicKey.self),
              let b = symbol("EVP_PKEY_free", FreeKey.self),
              let c = symbol("EVP_MD_CTX_new", NewContext.self),
              let d = symbol("EVP_MD_CTX_free", FreeContext.self),
              let e = symbol("EVP_DigestVerifyInit", VerifyInit.self),
              let f = symbol("EVP_DigestVerify", Verify.self),
              let g = symbol("EVP_Digest", Digest.self),
              let h = symbol("EVP_sha256", MessageDigest.self),
              let i = symbol("EVP_sha512", MessageDigest.self) else { return nil }
        (newRawPublicKey, freeKey, newContext, freeContext, verifyInit, verify, digestFunction, sha256, sha512) = (a, b, c, d, e, f, g, h, i)
    }

    func digest(_ data: [UInt8], algorithm: String) -> [UInt8]? {
        let md: OpaquePointer?
        switch algorithm {
        case "sha256": md = sha256()
        case "sha512": md = sha512()
        default: return nil
        }
        var out = [UInt8](repeating: 0, count: 64)
        var size: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { digestFunction(input.baseAddress, input.count, $0.baseAddress, &size, md, nil) }
        }
        guard ok == 1, size > 0, size <= 64 else { return nil }
        return Array(out.prefix(Int(size)))
    }

    func verifyEd25519(key: [UInt8], signature: [UInt8], message: [UInt8]) -> Bool {
        guard let pkey = key.withUnsafeBufferPointer({ newRawPublicKey(Self.ed25519, nil, $0.baseAddress, $0.count) }) else { return false }
        defer { freeKey(pkey) }
        guard let context = newContext() else { return false }
        defer { freeContext(context) }
        guard verifyInit(context, nil, nil, nil, pkey) == 1 else { return false }
        return signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in verify(context, sig.baseAddress, sig.count, msg.baseAddress, msg.count) }
        } == 1
    }
}
