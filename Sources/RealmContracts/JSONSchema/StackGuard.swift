/// Bounds the stack that one evaluation may use, so that absurdly nested instances end in a
/// validation error rather than a crash. Evaluation recurses once per schema applied per level
/// of the instance; the frames are small (a few hundred bytes optimised, under 3 KB in debug
/// builds), so the budget allows thousands of levels, far more than `JSONParser` produces.
///
/// The budget suits the 8 MiB stacks that Linux gives the main thread, pthreads and Swift
/// concurrency's threads by default. A caller on a thread with a much smaller stack should
/// keep instances shallow.
enum StackGuard {
    static let budget: UInt = 6 * 1024 * 1024

    /// An approximation of the current stack pointer.
    @inline(never)
    static func currentAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// The lowest address an evaluation starting here may reach.
    static func floor() -> UInt {
        let here = currentAddress()
        return here > budget ? here - budget : 0
    }
}
