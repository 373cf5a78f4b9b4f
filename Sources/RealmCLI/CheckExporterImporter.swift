import ArgumentParser
import RealmCore

extension CheckCommand {
    /// `--mode=exporter` (issue 4).
    func runExporterCheck() throws {
        throw RealmError(.usage, "check --mode=exporter is not implemented yet")
    }

    /// `--mode=importer` (issue 4).
    func runImporterCheck() throws {
        throw RealmError(.usage, "check --mode=importer is not implemented yet")
    }
}
