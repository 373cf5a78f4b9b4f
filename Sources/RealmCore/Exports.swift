// RealmCore is RealmCLI's one dependency (docs/architecture.md, "One way down"). The values a
// command renders come from the pure layers below and are RealmCore's vocabulary too, so they
// are re-exported rather than wrapped type by type: JSON (`--json` output), contracts (semver
// ranges, schemas, compatibility), the realm's model (bindings, contracts, findings) and the
// shared helpers (output safety, tracing, files). RealmGit is not re-exported: only RealmCore
// talks to git on the CLI's behalf (through the wrappers in Settings.swift and the operations).
@_exported import RealmSupport
@_exported import RealmJSON
@_exported import RealmContracts
@_exported import RealmModel
