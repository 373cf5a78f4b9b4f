import RealmJSON
import RealmYAML
import Testing
@testable import RealmModel

/// The seeds' own example files, read and written back.
@Suite struct ModelTests {
    static let contractYAML = """
    name: s3-permissions
    version: "1.4.0"
    owner: aperture            # Only this repo can modify the contract
    compatibility:
      backwards: true
      forwards: false
    schema:
      type: object
      required: [read]
      properties:
        read:
          type: array
          items: { type: string }
        write:
          type: array
          items: { type: string }
          default: []
    value:
      read:
        - "jobs/*/masks/*"
        - "training-runs/*"
      write:
        - "jobs/*/*/manifest.json"
    validation:
      exporter: scripts/validate-s3-paths.sh
      importer: scripts/validate-iam-policy.sh
      ci_only:
        - scripts/integration-test.sh
    evolution:
      - version: "1.0.0"
        changes: ["Initial with read array"]
        compatible: true
      - version: "1.4.0"
        changes: ["Added delete array"]
        compatible: true
    """

    @Test func readsTheSeedsContract() throws {
        let decoded = try RealmFiles.decode(Contract.self, text: Self.contractYAML, path: "c.yaml")
        let c = decoded.value
        #expect(decoded.warnings.isEmpty)
        #expect(c.name == "s3-permissions")
        #expect(c.version == "1.4.0")
        #expect(c.owner == "aperture")
        #expect(c.compatibility == .init(backwards: true, forwards: false))
        #expect(c.schema["required"] == ["read"])
        #expect(c.value["read"] == ["jobs/*/masks/*", "training-runs/*"])
        #expect(c.validation.ciOnly == ["scripts/integration-test.sh"])
        #expect(c.evolution.map(\.version) == ["1.0.0", "1.4.0"])
        #expect(c.versionMark == Mark(line: 2, column: 10))
    }

    @Test func rewritingIsDeterministicAndStable() throws {
        let first = RealmFiles.encode(try RealmFiles.decode(Contract.self, text: Self.contractYAML, path: "c.yaml").value)
        let second = RealmFiles.encode(try RealmFiles.decode(Contract.self, text: first, path: "c.yaml").value)
        #expect(first == second, "rewriting an unchanged file gives identical bytes")
        #expect(first.hasPrefix("name: s3-permissions\nversion: \"1.4.0\"\nowner: aperture\n"))
    }

    @Test func unknownFieldsWarnAndSurvive() throws {
        let text = "repo: aperture\nrole: provider\nflavour: spicy\nexports:\n  - contract: s3-permissions\n    source_files: [a.py]\n    note: keep me\n"
        let decoded = try RealmFiles.decode(Binding.self, text: text, path: "b.yaml")
        #expect(decoded.warnings.map(\.description) == [
            "b.yaml:3:1: warning: unknown field 'flavour' (kept as is)",
            "b.yaml:7:5: warning: unknown field 'exports[].note' (kept as is)",
        ])
        let written = RealmFiles.encode(decoded.value)
        #expect(written.contains("flavour: spicy"))
        #expect(written.contains("note: keep me"))
    }

    @Test func errorsNameFileLineAndColumn() {
        func error(_ text: String) -> String {
            do { _ = try RealmFiles.decode(Binding.self, text: text, path: "domains/d/bindings/x.yaml"); return "" }
            catch { return error.description }
        }
        #expect(error("role: provider\n") == "domains/d/bindings/x.yaml:1:1: missing required field 'repo'")
        #expect(error("repo: x\nrole: boss\n") == "domains/d/bindings/x.yaml:2:7: field 'role' must be one of provider, consumer, not 'boss'")
        #expect(error("repo: ../etc\nrole: provider\n").hasPrefix("domains/d/bindings/x.yaml:1:7: field 'repo': name '../etc'"))
        #expect(error("repo: x\nrole: consumer\nimports:\n  - contract: c\n") == "domains/d/bindings/x.yaml:4:5: missing required field 'imports[].version'")
        #expect(error("repo: [x\n").hasPrefix("domains/d/bindings/x.yaml:"))
        #expect(error("- a\n- b\n") == "domains/d/bindings/x.yaml:1:1: document must be a mapping")
    }

    @Test func realmConfigDefaultsRoundTrip() throws {
        let config = RealmConfig(name: "letemcook", createdAt: "2026-01-24T10:00:00Z", approvers: ["eric@example.com"])
        let text = RealmFiles.encode(config)
        #expect(text == """
        name: letemcook
        version: "1.0.0"
        created_at: 2026-01-24T10:00:00Z
        governance:
          admission: approval
          approvers:
            - eric@example.com
          breaking_changes:
            require_approval: true
            grace_period_days: 14
        trust:
          mode: collaborative
          require_signed_commits: false
          permissions:
            repos/{repo}.yaml:
              - repo_maintainers
            domains/{domain}/domain.yaml:
              - domain_owners
            domains/{domain}/contracts/{name}.yaml:
              - contract_owner
            domains/{domain}/bindings/{repo}.yaml:
              - repo_maintainers

        """)
        #expect(try RealmFiles.decode(RealmConfig.self, text: text, path: "realm.yaml").value == config)
    }

    @Test func names() {
        #expect(Names.isValid("fungal-image-analysis"))
        #expect(Names.isValid("s3-access"))
        for bad in ["", "A", "a_b", "a/b", "..", "a..b", "-a", "a-", "a--b", "a\u{7}b", String(repeating: "a", count: 65)] {
            #expect(!Names.isValid(bad), "\(bad) is refused")
        }
        #expect(Names.suggestion(for: "My_Repo.git") == "my-repo-git")
    }

    @Test func cyclesAreFoundAndNamed() {
        var graph = DependencyGraph(nodes: ["a", "b", "c"])
        graph.add(.init(from: "a", to: "b", domain: "s3-access"))
        graph.add(.init(from: "b", to: "c", domain: "pipeline"))
        #expect(graph.cycle() == nil)
        #expect(graph.topologicalOrder() == ["a", "b", "c"])
        graph.add(.init(from: "c", to: "a", domain: "feedback-loop"))
        let cycle = graph.cycle()
        #expect(cycle.map(DependencyGraph.describe) == "a -> (s3-access) -> b -> (pipeline) -> c -> (feedback-loop) -> a")
    }
}
