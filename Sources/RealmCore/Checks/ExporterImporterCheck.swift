import RealmGit
import RealmJSON
import RealmModel
import RealmSupport

/// `check --mode=exporter` and `--mode=importer`: what this repo exports and imports against
/// the realm, then the validation scripts this repo declares. Each returns its findings and the
/// states it checked; RealmCLI renders them.
public enum ExporterImporterCheck {
    public struct ExporterResult: Sendable {
        public var findings: Findings
        public var exports: [ExportState]
    }

    public struct ImporterResult: Sendable {
        public var findings: Findings
        public var imports: [ImportState]
        public var realmCommit: OID
    }

    /// Every export of this repo, extracted from the working tree, against the realm's contract
    /// (value, schema), then the exporter validation scripts. `contract` limits the check to
    /// one (a usage error when this repo does not export it).
    public static func exporter(participant: Participant, contract: String?, strict: Bool) throws -> ExporterResult {
        let snapshot = try participant.snapshot()
        let declared = try RepoDeclarations.load(in: participant.repository)
        let states = try only(contract, of: ExportDrift.compute(participant: participant, snapshot: snapshot, declarations: declared),
                              named: \.contractName, verb: "export")
        var findings = Findings(strict: strict)
        if states.isEmpty { findings.notice("", "this repository exports no contracts in realm '\(participant.realm)'") }
        for state in states {
            let name = state.contractName
            let file = valueFile(of: state.export)
            guard let contract = state.contract else {
                if state.domain.isEmpty {
                    findings.warning(name, state.problem ?? "not exported in the realm", file: Membership.fileName)
                    continue
                }
                // The binding is a realm file, not one of this repository's: named in the
                // message, not as the finding's file (a CI annotation would point nowhere).
                findings.error(name, (state.problem ?? "the contract does not exist in the realm")
                               + " (realm file \(Binding.path(domain: state.domain, repo: participant.name)))")
                continue
            }
            if state.export.extraction == nil {
                findings.warning(name, "not checked: \(Membership.fileName) does not say how this repo computes its value",
                                 hint: "declare it with 'git realm export \(name) --source ... --from-file|--command|--detect', then commit \(Membership.fileName)")
            } else if let problem = state.problem {
                findings.error(name, "cannot extract the exported value: \(problem)", file: file)
            } else {
                if state.drifted {
                    var details = state.changes
                    if state.schemaChanged { details.append("~ schema: \(state.export.schemaFile ?? "schema file") differs from the realm's") }
                    findings.error(name, "code differs from contract v\(contract.version)", file: file, details: details,
                                   hint: "run 'git realm sync' to publish the new version")
                }
                if !state.violations.isEmpty {
                    findings.error(name, "the exported value fails the \(state.schema == nil ? "contract's" : "exporter's") schema",
                                   file: file, details: state.violations)
                }
                if !state.drifted && state.violations.isEmpty {
                    findings.ok(name, "code matches contract")
                }
            }
            let local = declared.export(name)
            runValidations(role: "exporter", scripts: local?.validate ?? [], ciScripts: local?.ciValidate ?? [],
                           suggested: contract.validation.exporter, contract: contract,
                           domain: state.domain, value: state.value ?? contract.value, participant: participant,
                           into: &findings)
        }
        return ExporterResult(findings: findings, exports: states)
    }

    /// Every import of this repo against the realm's published versions (current; stale: a
    /// warning; broken: an error), then the importer validation scripts.
    public static func importer(participant: Participant, contract: String?, strict: Bool) throws -> ImporterResult {
        let snapshot = try participant.snapshot()
        guard let tip = try participant.fetchedTip() else { throw RealmError(.notInRealm, "the realm has not been fetched") }
        let states = try only(contract, of: ImportCheck.compute(participant: participant, snapshot: snapshot, tip: tip),
                              named: \.contract, verb: "import")
        let declared = try RepoDeclarations.load(in: participant.repository)
        var findings = Findings(strict: strict)
        if states.isEmpty { findings.notice("", "this repository imports no contracts in realm '\(participant.realm)'") }
        let workdir = participant.repository.workdir
        for state in states {
            let name = state.contract
            let file = state.entry.binding
            let resolved = state.entry.resolvedVersion ?? "nothing"
            switch state.status {
            case .current:
                findings.ok(name, "binding at \(resolved) (current)")
            case .stale:
                let newest = state.newest.map { $0.version.description } ?? "?"
                findings.warning(name, "binding at \(resolved), \(newest) available (stale; range \(state.entry.version))",
                                 file: file, details: state.changes,
                                 hint: "update the binding, then run 'git realm sync' to acknowledge \(newest)")
            case .broken:
                findings.error(name, "broken: \(state.reason ?? "unusable")", file: file,
                               hint: "fix the import's range in the realm, or ask the exporter")
            }
            if let file, let problem = RepoPath.problem(file) {
                findings.error(name, "the realm's binding file path '\(file)' \(problem); not looked at")
            } else if let file, let workdir, !fileExists(workdir + "/" + file) {
                findings.warning(name, "binding file '\(file)' does not exist in this repository", file: file)
            }
            if let contract = try snapshot.contract(domain: state.domain, name: name) {
                let value = state.resolved?.contract.value ?? contract.value
                let local = declared.import(name)
                runValidations(role: "importer", scripts: local?.validate ?? [], ciScripts: local?.ciValidate ?? [],
                               suggested: contract.validation.importer, contract: contract,
                               domain: state.domain, value: value, participant: participant, into: &findings)
            }
        }
        return ImporterResult(findings: findings, imports: states, realmCommit: tip)
    }

    /// `states` limited to `contract` (all of them without one); a usage error naming what this
    /// repository does `verb` ("export", "import") when none is that contract.
    private static func only<State>(_ contract: String?, of states: [State], named name: (State) -> String,
                                    verb: String) throws -> [State] {
        guard let contract else { return states }
        let matching = states.filter { name($0) == contract }
        if matching.isEmpty {
            let all = states.map(name)
            throw RealmError(.usage, "this repository does not \(verb) contract '\(contract)'",
                             hint: all.isEmpty ? "it \(verb)s nothing" : "it \(verb)s: \(all.joined(separator: ", "))")
        }
        return matching
    }

    /// Where an export's value comes from, for annotations: its from_file (without the JSON
    /// pointer), else its schema file, else its first source file.
    public static func valueFile(of export: Binding.Export) -> String? {
        if let file = export.extraction?.filePath { return file }
        return export.schemaFile ?? export.sourceFiles.first { !$0.contains("*") && !$0.contains("?") }
    }

    /// Runs the validation scripts this repository declares for the contract in its own
    /// `.gitrealm` and, when the CI environment variable is set, its `ci-validate` scripts.
    /// Exit 0 passes, 2 warns (a failure with --strict), anything else fails. A script the
    /// realm's contract suggests is only mentioned: the realm never decides what runs here.
    static func runValidations(role: String, scripts declaredScripts: [String], ciScripts: [String], suggested: String?,
                        contract: Contract, domain: String, value: JSONValue,
                        participant: Participant, into findings: inout Findings) {
        let runner = ValidationRunner(repository: participant.repository)
        var environment = ["GIT_REALM_ROLE": role, "GIT_REALM_CONTRACT": contract.name,
                           "GIT_REALM_DOMAIN": domain, "GIT_REALM_VERSION": contract.version,
                           "GIT_REALM_REALM": participant.realm]
        if let suggested, !declaredScripts.contains(suggested) {
            findings.notice(contract.name, "the contract suggests \(role) validation '\(suggested)'; not run (only scripts this repo declares in \(Membership.fileName) run)")
        }
        var scripts = declaredScripts
        if runningInCI() {
            scripts += ciScripts
        } else if !ciScripts.isEmpty {
            findings.notice(contract.name, "ci-validate skipped (CI is not set): \(ciScripts.joined(separator: ", "))")
        }
        // The value is serialized for the scripts only when one runs (a multi-megabyte value
        // costs its size again in text).
        if !scripts.isEmpty {
            let compact = JSONSerializer.string(value)
            if compact.utf8.count <= 65536 { environment["GIT_REALM_VALUE"] = compact }
        }
        for path in scripts {
            let report: ValidationRunner.Report
            do { report = try runner.run(path, environment: environment) } catch {
                findings.error(contract.name, "\(role) validation \(path) cannot run: \(RealmError.wrap(error).message)", file: path)
                continue
            }
            let output = Array(report.output.split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init).drop { $0.isEmpty }.reversed().drop { $0.isEmpty }.reversed().suffix(20))
            switch report.outcome {
            case .valid:
                findings.ok(contract.name, "\(role) validation \(path) passed")
            case .warning:
                findings.warning(contract.name, "\(role) validation \(path) warned (exit 2)", file: path, details: output)
            case .invalid:
                findings.error(contract.name, "\(role) validation \(path) failed (exit \(report.status))", file: path, details: output)
            case .timedOut:
                findings.error(contract.name, "\(role) validation \(path) timed out after \(Int(runner.timeout)) s", file: path, details: output)
            }
        }
    }
}

/// Whether the CI environment variable says this runs in CI (set, and not empty, 0 or false).
public func runningInCI() -> Bool {
    guard let raw = envString("CI") else { return false }
    return !["", "0", "false", "no"].contains(raw.lowercased())
}
