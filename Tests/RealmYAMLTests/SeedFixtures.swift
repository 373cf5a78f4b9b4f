/// Realm files as RFC 0001 (the seeds) writes them, comments and flow collections included.
enum Seeds {
    static let realm = """
        name: letemcook
        version: "1.0.0"
        created_at: 2026-01-24T10:00:00Z

        governance:
          admission: approval  # open | approval | invite-only
          approvers:
            - eric@example.com
          breaking_changes:
            require_approval: true
            grace_period_days: 14

        trust:
          mode: collaborative  # collaborative | vendor-customer | federation
          require_signed_commits: false

          permissions:
            repos/{repo}.yaml: [repo_maintainers]
            domains/{domain}/domain.yaml: [domain_owners]
            domains/{domain}/contracts/{name}.yaml: [contract_owner]
            domains/{domain}/bindings/{repo}.yaml: [repo_maintainers]

        """

    static let repo = """
        name: aperture
        org: cultivarium  # Optional org prefix
        path: /Users/ericg/letemcook/aperture
        # Or remote:
        # url: git@github.com:cultivarium/aperture.git
        maintainers:
          - eric@example.com
        joined_at: 2026-01-24T10:00:00Z

        """

    static let contract = """
        name: s3-permissions
        version: "1.4.0"
        owner: aperture  # Only this repo can modify the contract

        compatibility:
          backwards: true   # New version readable by old importers
          forwards: false   # Old version NOT readable by new importers

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
            delete:
              type: array
              items: { type: string }
              default: []

        value:
          read:
            - "jobs/*/masks/*"
            - "jobs/*/*/config.json"
            - "training-runs/*"
            - "training-metrics/*"
          write:
            - "jobs/*/*/manifest.json"
            - "training-metrics/*"
          delete: []

        validation:
          exporter: scripts/validate-s3-paths.sh
          importer: scripts/validate-iam-policy.sh
          ci_only:
            - scripts/integration-test.sh

        evolution:
          - version: "1.0.0"
            changes: ["Initial with read array"]
            compatible: true
          - version: "1.3.0"
            changes: ["Added write array"]
            compatible: true
          - version: "1.4.0"
            changes: ["Added delete array"]
            compatible: true

        """

    static let importBinding = """
        repo: fungal-image-analysis
        role: consumer

        imports:
          - contract: s3-permissions
            version: ">=1.0.0, <2.0.0"  # Semver range
            binding: cdk/training_tools_access_stack.py
            status: current
            resolved_version: "1.4.0"
            resolved_at: 2026-01-24T12:00:00Z

        """

    static let localConfig = """
        # aperture/.blue/config.yaml
        realm:
          name: letemcook
          url: https://git.example.com/realms/letemcook.git

        repo: aperture

        # Domains and contracts are defined in the realm repo (single source of truth).
        # This config just declares membership. The daemon resolves the rest.

        """
}
