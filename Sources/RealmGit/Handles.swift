import CGit2
#if canImport(Glibc)
import Glibc
import RealmSupport
#endif

// Ownership rule: every C handle obtained from libgit2 is wrapped in exactly one
// of the classes below immediately after the call that produced it, and freed
// in that object's deinit. Code that passes `handle.pointer` to C keeps the
// owner alive for the duration with `defer { withExtendedLifetime(owner) {} }`
// (Swift may otherwise end an object's lifetime after its last use).

/// Owns an opaque libgit2 handle (git_object, git_reference, git_config, ...).
final class Handle {
    let pointer: OpaquePointer
    private let release: @convention(c) (OpaquePointer?) -> Void

    init(_ pointer: OpaquePointer, free release: @convention(c) (OpaquePointer?) -> Void) {
        self.pointer = pointer
        self.release = release
    }

    /// Wraps the out-parameter of a successful libgit2 call.
    static func own(_ pointer: OpaquePointer?, free release: @convention(c) (OpaquePointer?) -> Void,
                    _ what: @autoclosure () -> String) throws(GitError) -> Handle {
        guard let pointer else { throw GitError(code: GIT_ERROR.rawValue, message: "\(what()): libgit2 returned no object") }
        return Handle(pointer, free: release)
    }

    deinit { release(pointer) }
}

/// Owns a `git_signature`.
final class SignatureHandle {
    let pointer: UnsafeMutablePointer<git_signature>
    init(_ pointer: UnsafeMutablePointer<git_signature>) { self.pointer = pointer }
    deinit { git_signature_free(pointer) }
}

/// Owns a `git_config_entry`.
final class ConfigEntryHandle {
    let pointer: UnsafeMutablePointer<git_config_entry>
    init(_ pointer: UnsafeMutablePointer<git_config_entry>) { self.pointer = pointer }
    deinit { git_config_entry_free(pointer) }
}

/// Owns a `git_buf`.
final class BufferHandle {
    var buf = git_buf()
    init() {}
    var string: String { decodeCString(buf.ptr) }
    deinit { git_buf_dispose(&buf) }
}

extension CStringArray {
    /// A `git_strarray` borrowing this object's memory.
    var strarray: git_strarray { git_strarray(strings: base, count: count) }
}

/// A recursive pthread mutex (libgit2 objects must not be used from two
/// threads at once; `Repository` serialises its calls through this).
final class RecursiveLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attr)
        pthread_mutexattr_destroy(&attr)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func locked<R>(_ body: () throws(GitError) -> R) throws(GitError) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
