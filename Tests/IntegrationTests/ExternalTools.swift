import Foundation
import TestSupport

/// Programs some tests run that are not part of git-realm: pre-commit, actionlint,
/// check-jsonschema, lefthook. scripts/test.sh installs them (pinned) into a virtual
/// environment at .build/ci-tools; they are also taken from PATH. A test that needs one that
/// is missing reports itself skipped, naming it.
enum ExternalTool {
    /// The package's top directory (this file is Tests/IntegrationTests/ExternalTools.swift).
    static let projectRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The virtual environment scripts/test.sh fills.
    static let toolsBin = projectRoot + "/.build/ci-tools/bin"

    /// The full path of `name`: in .build/ci-tools/bin, else on the test process's PATH.
    static func path(_ name: String) -> String? {
        let candidates = [toolsBin] + (HermeticEnvironment.original["PATH"] ?? "").split(separator: ":").map(String.init)
        for dir in candidates where !dir.isEmpty {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func missing(_ name: String) -> String {
        "\(name) is not installed (scripts/test.sh installs it into .build/ci-tools; or put it on PATH)"
    }
}
