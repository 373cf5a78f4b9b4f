import ArgumentParser
import RealmCore

extension VersionRange.Syntax: ExpressibleByArgument {}

struct SemverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semver",
        abstract: "Plumbing: SemVer 2.0.0 versions and npm or Cargo ranges.",
        subcommands: [SemverMatchCommand.self, SemverMaxCommand.self])
}

struct SemverOptions: ParsableArguments {
    @Option(help: "Range syntax: auto (cargo when the range has a comma), npm or cargo.")
    var syntax: VersionRange.Syntax = .auto

    func range(_ text: String) throws -> VersionRange {
        do { return try VersionRange.parse(text, syntax: syntax) } catch {
            throw RealmError(.usage, "invalid range: \(error.description)")
        }
    }

    func version(_ text: String) throws -> Version {
        do { return try Version.parse(text) } catch {
            throw RealmError(.usage, "invalid version: \(error.description)")
        }
    }
}

struct SemverMatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Whether a version satisfies a range.",
        discussion: """
        Exit 0 when VERSION satisfies RANGE, 1 when it does not, 2 when either
        cannot be parsed. Ranges: npm syntax (">=1.0.0 <2.0.0", "^1.2", "1.x ||
        2.0.0 - 2.3", a bare version is exact) or Cargo syntax (">=1.0.0, <2.0.0", a
        bare version means ^). Prereleases follow npm's rule: they satisfy only
        ranges that name the same major.minor.patch with a prerelease.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The range.") var range: String
    @Argument(help: "The version.") var version: String
    @OptionGroup var semver: SemverOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let r = try semver.range(range), v = try semver.version(version)
            let matches = r.satisfies(v)
            if output.json {
                Output.json(["matches": .bool(matches), "range": .string(range), "syntax": .string(r.syntax.rawValue),
                             "version": .string(version)])
            } else {
                Output.line(matches ? "\(version) satisfies \(range)" : "\(version) does not satisfy \(range)")
            }
            if !matches { throw ExitCode(1) }
        }
    }
}

struct SemverMaxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "max",
        abstract: "The highest of the versions that satisfies a range.",
        discussion: """
        Prints the highest VERSION that satisfies RANGE; exit 1 when none does, 2 on
        bad input.

        \(exitCodeDiscussion)
        """)

    @Argument(help: "The range.") var range: String
    @Argument(help: "Candidate versions.") var versions: [String]
    @OptionGroup var semver: SemverOptions
    @OptionGroup var output: JSONOption

    func run() throws {
        try runReporting {
            let r = try semver.range(range)
            let parsed = try versions.map { try semver.version($0) }
            let best = r.maxSatisfying(parsed)
            let text = best.flatMap { b in versions[parsed.firstIndex(where: { $0.isIdentical(to: b) }) ?? 0] }
            if output.json {
                Output.json(["max": text.map { .string($0) } ?? .null, "range": .string(range)])
            } else if let text {
                Output.line(text)
            } else {
                Output.stderrLine("no version satisfies \(range)")
            }
            if best == nil { throw ExitCode(1) }
        }
    }
}
