import Testing
import TestSupport
@testable import RealmCore

/// RealmCore runs libgit2 in this process and starts git with this process's environment: the
/// tests' process environment is the hermetic one, whatever the test process was started with.
@Suite struct EnvironmentTests {
    @Test func thisProcessHasOnlyTheHermeticGitVariables() {
        let root = CoreRepos.root
        let now = HermeticEnvironment.current()
        #expect(now.keys.filter { $0.hasPrefix("GIT_") }.sorted() == ["GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_TERMINAL_PROMPT"])
        #expect(now["HOME"] == root + "/home")
        #expect(now["XDG_CONFIG_HOME"] == root + "/home/.config")
        #expect(now["EMAIL"] == nil && now["NO_COLOR"] == nil)
        // What the caller had besides git's variables is kept (PATH finds git).
        #expect(now["PATH"] == HermeticEnvironment.original["PATH"])
    }
}
