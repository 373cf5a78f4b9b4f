import ArgumentParser
import RealmCore

extension CheckCommand {
    /// `--mode=exporter`: every export of this repo against the realm's contract, then the
    /// exporter validation scripts (ExporterImporterCheck in RealmCore).
    func runExporterCheck() throws {
        let participant = try Participant.current()
        participant.usesCache = !noCache
        if fetch { try fetchOrFallBack(participant) }
        let result = try ExporterImporterCheck.exporter(participant: participant, contract: contract, strict: strict)
        try result.findings.emit(format: format, json: output.json,
                                 extra: ["mode": "exporter", "realm": .string(participant.realm),
                                         "realm_commit": .string(try participant.fetchedTip()?.hex ?? ""),
                                         "exports": .array(result.exports.map(\.json))])
    }

    /// `--mode=importer`: every import of this repo against the realm's published versions,
    /// then the importer validation scripts.
    func runImporterCheck() throws {
        let participant = try Participant.current()
        participant.usesCache = !noCache
        if fetch { try fetchOrFallBack(participant) }
        let result = try ExporterImporterCheck.importer(participant: participant, contract: contract, strict: strict)
        try result.findings.emit(format: format, json: output.json,
                                 extra: ["mode": "importer", "realm": .string(participant.realm),
                                         "realm_commit": .string(result.realmCommit.hex),
                                         "imports": .array(result.imports.map(\.json))])
    }
}
