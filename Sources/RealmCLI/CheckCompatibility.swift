import ArgumentParser
import RealmCore

extension CheckCommand {
    /// `--mode=compatibility` (issue 3).
    func runCompatibilityCheck() throws {
        throw RealmError(.usage, "check --mode=compatibility is not implemented yet")
    }
}
