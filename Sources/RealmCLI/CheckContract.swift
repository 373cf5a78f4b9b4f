import ArgumentParser
import RealmCore

extension CheckCommand {
    /// `--mode=contract` (issue 3).
    func runContractCheck() throws {
        throw RealmError(.usage, "check --mode=contract is not implemented yet")
    }
}
