#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An environment variable; nil when unset.
public func envString(_ name: String) -> String? {
    guard let v = getenv(name) else { return nil }
    return decodeCString(v)
}

/// git's boolean environment convention (true/yes/on/1).
public func envBool(_ name: String) -> Bool {
    guard let v = getenv(name) else { return false }
    switch decodeCString(v).lowercased() {
    case "1", "true", "yes", "on": return true
    default: return false
    }
}

/// Decodes a C string leniently: invalid UTF-8 becomes U+FFFD (ref names and
/// paths need not be UTF-8). nil decodes to "".
public func decodeCString(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    let count = strlen(pointer)
    return pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
        String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
    }
}
