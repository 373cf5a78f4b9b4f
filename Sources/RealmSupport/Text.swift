extension StringProtocol {
    /// Without leading and trailing white space (Character.isWhitespace: spaces, tabs, newlines).
    public func trimmingWhitespace() -> String {
        var s = self[...]
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }

    /// Without trailing newlines ("\n" only).
    public func trimmingTrailingNewlines() -> String {
        var s = self[...]
        while s.last == "\n" { s.removeLast() }
        return String(s)
    }
}

/// A comma-separated list, each item trimmed, empty items dropped.
public func splitList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
}

extension String {
    /// Every occurrence of `target` replaced (literal, not a pattern; Foundation-free).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }

    /// The parts between occurrences of `separator` (literal; empty parts kept).
    public func components(separatedBy separator: String) -> [String] {
        guard !separator.isEmpty else { return [self] }
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}

/// OpenPGP's ASCII armor, as keys and signatures travel in realm files and commit headers.
public enum PGPArmor {
    public static let publicKeyHeader = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
    public static let publicKeyFooter = "-----END PGP PUBLIC KEY BLOCK-----"
    public static let signatureHeader = "-----BEGIN PGP SIGNATURE-----"

    /// Whether `text` is one armored public key block of a reasonable size (64 KiB), printable
    /// ASCII and line breaks only.
    public static func isPublicKey(_ text: String) -> Bool {
        let trimmed = text.trimmingWhitespace()
        return trimmed.hasPrefix(publicKeyHeader) && trimmed.hasSuffix(publicKeyFooter) && trimmed.utf8.count <= 64 << 10
            && trimmed.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x0D }
    }
}

/// A stable 128-bit digest of `text` as 32 hex digits (two FNV-1a 64-bit hashes with different
/// offset bases): the same text gives the same digest on every run and machine, as a CI
/// report's fingerprint must. Not cryptographic.
public func stableDigest(_ text: String) -> String {
    func fnv(_ basis: UInt64) -> UInt64 {
        var hash = basis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return hash
    }
    func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
    return hex(fnv(0xcbf29ce484222325)) + hex(fnv(0x84222325cbf29ce4))
}
