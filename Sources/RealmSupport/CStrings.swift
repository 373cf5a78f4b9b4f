#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw bytes of a C string (nil -> []).
public func cStringBytes(_ pointer: UnsafePointer<CChar>?) -> [UInt8] {
    guard let pointer else { return [] }
    let count = strlen(pointer)
    return pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
        Array(UnsafeBufferPointer(start: $0, count: count))
    }
}

/// Owns C copies of Swift strings in a NULL-terminated array, usable as a
/// `git_strarray` or as argv/envp.
public final class CStringArray {
    public let count: Int
    /// `count` strdup'd strings followed by a NULL.
    public let base: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    public init(_ strings: [String]) {
        count = strings.count
        base = .allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() { (base + i).initialize(to: strdup(s)) }
        (base + strings.count).initialize(to: nil)
    }

    /// Takes raw NUL-terminated byte strings (for environment entries that
    /// need not be UTF-8).
    public init(raw strings: [[CChar]]) {
        count = strings.count
        base = .allocate(capacity: strings.count + 1)
        for (i, s) in strings.enumerated() {
            let copy = s.withUnsafeBufferPointer { buf in buf.baseAddress.map { strndup($0, buf.count) } ?? strdup("") }
            (base + i).initialize(to: copy)
        }
        (base + strings.count).initialize(to: nil)
    }

    deinit {
        for i in 0..<count { free(base[i]) }
        base.deinitialize(count: count + 1)
        base.deallocate()
    }
}
