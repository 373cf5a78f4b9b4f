#if canImport(Glibc)
import Glibc
#endif

/// Set by the SIGINT/SIGTERM handler `StopSignal.install` sets up; read by the polling loop.
nonisolated(unsafe) private var stopRequestedFlag: sig_atomic_t = 0

/// A long-running command (`git realm watch`) that stops cleanly on SIGINT or SIGTERM: the
/// handler only records the request; the loop finishes what it is doing (a git child runs in its
/// own process group and is waited for), then returns, so no child is left behind.
public enum StopSignal {
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in stopRequestedFlag = 1 }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // Started by git (`git realm watch`), the process inherits a mask blocking them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public static var requested: Bool { stopRequestedFlag != 0 }

    /// Sleeps `seconds`, in short steps, returning early when a stop was requested.
    public static func sleep(_ seconds: Double) {
        var left = seconds
        while left > 0 && !requested {
            let step = min(left, 0.05)
            usleep(UInt32(step * 1_000_000))
            left -= step
        }
    }
}
