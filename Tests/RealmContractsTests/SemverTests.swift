import Testing
@testable import RealmContracts

private func v(_ text: String) -> Version {
    do { return try Version(text) } catch { fatalError("bad test version \(text): \(error)") }
}

private func range(_ text: String, _ syntax: VersionRange.Syntax = .auto) -> VersionRange {
    do { return try VersionRange.parse(text, syntax: syntax) } catch { fatalError("bad test range \(text): \(error)") }
}

@Suite struct SemverVersionTests {
    @Test func parsesAllParts() throws {
        let version = try Version("1.2.3-alpha.1+build.007")
        #expect(version.major == 1 && version.minor == 2 && version.patch == 3)
        #expect(version.prerelease == [.alphanumeric("alpha"), .numeric(1)])
        #expect(version.build == ["build", "007"])
        #expect(version.description == "1.2.3-alpha.1+build.007")
        #expect(try Version("0.0.0").description == "0.0.0")
        #expect(try Version("1.0.0-x-y-z.--").prerelease == [.alphanumeric("x-y-z"), .alphanumeric("--")])
    }

    /// SemVer 2.0.0 §11 example chain.
    @Test func precedenceFollowsTheSpec() {
        let chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                     "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"].map(v)
        for (a, b) in zip(chain, chain.dropFirst()) {
            #expect(a < b, "\(a) < \(b)")
            #expect(!(b < a))
        }
        #expect(chain.shuffled().sorted() == chain)
    }

    @Test func buildMetadataIsIgnoredInPrecedence() {
        #expect(v("1.0.0+a") == v("1.0.0+b"))
        #expect(!(v("1.0.0+a") < v("1.0.0+b")))
        #expect(!v("1.0.0+a").isIdentical(to: v("1.0.0+b")))
        #expect(v("1.0.0+a").isIdentical(to: v("1.0.0+a")))
        #expect(Set([v("1.0.0+a"), v("1.0.0+b")]).count == 1)
        #expect(v("1.0.0-rc.1+x") < v("1.0.0"))
    }

    @Test(arguments: [
        ("", "empty string"),
        ("1", "missing the minor version"),
        ("1.2", "missing the patch version"),
        ("01.2.3", "leading zero in major version \"01\""),
        ("1.02.3", "leading zero in minor version \"02\""),
        ("1.2.03", "leading zero in patch version \"03\""),
        ("1.2.3-01", "leading zero in numeric pre-release identifier \"01\""),
        ("v1.2.3", "leading \"v\" is not allowed"),
        ("1.2.3-", "empty pre-release identifier"),
        ("1.2.3-a..b", "empty pre-release identifier"),
        ("1.2.3+", "empty build metadata identifier"),
        ("1.2.3-a_b", "invalid character \"_\" in pre-release \"a_b\""),
        ("1.2.3+b~1", "invalid character \"~\" in build metadata"),
        ("1.2.3.4", "unexpected \".\""),
        ("1.2.x", "wildcard \"x\" is not allowed"),
        ("a.b.c", "expected major version number, found \"a\""),
        (" 1.2.3", "expected major version number"),
        ("1.2.3 ", "unexpected \" \" after the version"),
        ("99999999999999999999.0.0", "major version \"99999999999999999999\" is too large"),
        ("1.2.3-99999999999999999999", "numeric pre-release identifier \"99999999999999999999\" is too large"),
    ])
    func refusesInvalidVersions(text: String, message: String) {
        do {
            _ = try Version(text)
            Issue.record("\(text) should not parse")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.subject == .version)
            #expect(error.description.hasPrefix("invalid version \"\(text)\""))
        }
    }

    @Test func buildMetadataMayHaveLeadingZeros() throws {
        #expect(try Version("1.0.0+001").build == ["001"])
        #expect(try Version("1.0.0-0A").prerelease == [.alphanumeric("0A")])
    }
}

@Suite struct SemverNpmRangeTests {
    /// The desugarings listed in node-semver's README.
    @Test(arguments: [
        ("1.2.3 - 2.3.4", ">=1.2.3 <=2.3.4"),
        ("1.2 - 2.3.4", ">=1.2.0 <=2.3.4"),
        ("1.2.3 - 2.3", ">=1.2.3 <2.4.0-0"),
        ("1.2.3 - 2", ">=1.2.3 <3.0.0-0"),
        ("*", "*"),
        ("", "*"),
        ("x", "*"),
        ("1.x", ">=1.0.0 <2.0.0-0"),
        ("1.2.x", ">=1.2.0 <1.3.0-0"),
        ("1", ">=1.0.0 <2.0.0-0"),
        ("1.2", ">=1.2.0 <1.3.0-0"),
        ("1.2.*", ">=1.2.0 <1.3.0-0"),
        ("~1.2.3", ">=1.2.3 <1.3.0-0"),
        ("~1.2", ">=1.2.0 <1.3.0-0"),
        ("~1", ">=1.0.0 <2.0.0-0"),
        ("~0.2.3", ">=0.2.3 <0.3.0-0"),
        ("~0.2", ">=0.2.0 <0.3.0-0"),
        ("~0", ">=0.0.0 <1.0.0-0"),
        ("~1.2.3-beta.2", ">=1.2.3-beta.2 <1.3.0-0"),
        ("~>1.2", ">=1.2.0 <1.3.0-0"),
        ("^1.2.3", ">=1.2.3 <2.0.0-0"),
        ("^0.2.3", ">=0.2.3 <0.3.0-0"),
        ("^0.0.3", ">=0.0.3 <0.0.4-0"),
        ("^1.2.3-beta.2", ">=1.2.3-beta.2 <2.0.0-0"),
        ("^0.0.3-beta", ">=0.0.3-beta <0.0.4-0"),
        ("^1.2.x", ">=1.2.0 <2.0.0-0"),
        ("^0.0.x", ">=0.0.0 <0.1.0-0"),
        ("^0.0", ">=0.0.0 <0.1.0-0"),
        ("^1.x", ">=1.0.0 <2.0.0-0"),
        ("^0.x", ">=0.0.0 <1.0.0-0"),
        (">1", ">=2.0.0"),
        (">1.2", ">=1.3.0"),
        ("<1.2", "<1.2.0-0"),
        ("<=1.2", "<1.3.0-0"),
        (">=1.x", ">=1.0.0"),
        ("<*", "<0.0.0-0"),
        (">=*", "*"),
        (">= 1.2.3 < 2", ">=1.2.3 <2.0.0-0"),
        ("^ 1.2.3", ">=1.2.3 <2.0.0-0"),
        ("=1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("1.2.3+build", "1.2.3"),
        ("1.2.7 || >=1.2.9 <2.0.0", "1.2.7 || >=1.2.9 <2.0.0"),
        ("1.2.3 ||", "1.2.3 || *"),
    ])
    func desugarsLikeNodeSemver(text: String, expected: String) throws {
        let r = try VersionRange.parse(text, syntax: .npm)
        #expect(r.normalized == expected)
        #expect(r.syntax == .npm)
        #expect(r.source == text)
    }

    @Test func readmeExamples() {
        let a = range(">=1.2.7")
        for s in ["1.2.7", "1.2.8", "2.5.3", "1.3.9"] { #expect(a.satisfies(v(s)), "\(s)") }
        for s in ["1.2.6", "1.1.0"] { #expect(!a.satisfies(v(s)), "\(s)") }

        let b = range(">=1.2.7 <1.3.0")
        for s in ["1.2.7", "1.2.8", "1.2.99"] { #expect(b.satisfies(v(s)), "\(s)") }
        for s in ["1.2.6", "1.3.0", "1.1.0"] { #expect(!b.satisfies(v(s)), "\(s)") }

        let c = range("1.2.7 || >=1.2.9 <2.0.0")
        for s in ["1.2.7", "1.2.9", "1.4.6"] { #expect(c.satisfies(v(s)), "\(s)") }
        for s in ["1.2.8", "2.0.0"] { #expect(!c.satisfies(v(s)), "\(s)") }
    }

    @Test func prereleasesNeedAComparatorOnTheSameTuple() {
        let r = range(">1.2.3-alpha.3")
        #expect(r.satisfies(v("1.2.3-alpha.7")))
        #expect(!r.satisfies(v("3.4.5-alpha.9")))
        #expect(r.satisfies(v("3.4.5")))
        #expect(!r.satisfies(v("1.2.3-alpha.2")))

        let tilde = range("~1.2.3-beta.2")
        #expect(tilde.satisfies(v("1.2.3-beta.4")))
        #expect(!tilde.satisfies(v("1.2.4-beta.2")))
        #expect(tilde.satisfies(v("1.2.4")))

        let caret = range("^0.0.3-beta")
        #expect(caret.satisfies(v("0.0.3-pr.2")))
        #expect(!caret.satisfies(v("0.0.4-0")))

        #expect(!range("*").satisfies(v("1.0.0-alpha")))
        #expect(!range("^1.2.3").satisfies(v("1.5.0-beta")))
        #expect(!range("^1.2.3").satisfies(v("2.0.0-alpha")))
        #expect(!range("<2.0.0").satisfies(v("2.0.0-alpha")))
        #expect(range("1.2.3-beta").satisfies(v("1.2.3-beta")))
        #expect(!range("1.2.3-beta").satisfies(v("1.2.3")))
        // An alternative only lends its pre-release tuple to itself.
        #expect(!range(">=1.0.0-rc.1 <1.0.0 || >=2.0.0").satisfies(v("2.0.0-beta")))
        #expect(range(">=1.0.0-rc.1 <1.0.0 || >=2.0.0").satisfies(v("1.0.0-rc.2")))
        // Hyphen ranges with pre-release ends.
        #expect(range("1.2.3-rc.1 - 1.2.3").satisfies(v("1.2.3-rc.2")))
        #expect(!range("1.2.3 - 2.0.0").satisfies(v("2.0.0-rc.1")))
    }

    @Test func tildeCaretAndXRangeMembership() {
        #expect(range("~1.2.3").satisfies(v("1.2.9")))
        #expect(!range("~1.2.3").satisfies(v("1.3.0")))
        #expect(range("^0.2.3").satisfies(v("0.2.9")))
        #expect(!range("^0.2.3").satisfies(v("0.3.0")))
        #expect(range("^0.0.3").satisfies(v("0.0.3")))
        #expect(!range("^0.0.3").satisfies(v("0.0.4")))
        #expect(range("1.x").satisfies(v("1.99.0")))
        #expect(!range("1.x").satisfies(v("2.0.0")))
        #expect(range("*").satisfies(v("0.0.0")))
        #expect(!range("<*").satisfies(v("0.0.0")))
        #expect(range("1.2.3").satisfies(v("1.2.3+build.5")))
        #expect(!range("1.2.3").satisfies(v("1.2.4")))
    }

    @Test(arguments: [
        ("1.2.3 | 2.0.0", "|"),
        (">=", ">="),
        (">= ", ">="),
        ("1.2.3 -", "-"),
        ("1.2.3 - 2.0.0 - 3.0.0", "-"),
        ("01.2.3", "01"),
        ("1.2.3-01", "01"),
        ("1.x.3", "1.x.3"),
        ("1.2-beta", "1.2-beta"),
        ("~~1.2.3", "~~1.2.3"),
        ("abc", "abc"),
        ("1.2.3 foo", "foo"),
    ])
    func npmErrorsNameTheToken(text: String, token: String) {
        do {
            _ = try VersionRange.parse(text, syntax: .npm)
            Issue.record("\(text) should not parse")
        } catch {
            #expect(error.subject == .range)
            #expect(error.token == token, "\(error)")
            #expect(error.message.contains(token) || token.isEmpty, "\(error)")
            #expect(error.description.hasPrefix("invalid version range \"\(text)\""))
        }
    }
}

@Suite struct SemverCargoRangeTests {
    /// The table in the Cargo book, "Specifying Dependencies".
    @Test(arguments: [
        ("^1.2.3", ">=1.2.3, <2.0.0-0"),
        ("^1.2", ">=1.2.0, <2.0.0-0"),
        ("^1", ">=1.0.0, <2.0.0-0"),
        ("^0.2.3", ">=0.2.3, <0.3.0-0"),
        ("^0.2", ">=0.2.0, <0.3.0-0"),
        ("^0.0.3", ">=0.0.3, <0.0.4-0"),
        ("^0.0", ">=0.0.0, <0.1.0-0"),
        ("^0", ">=0.0.0, <1.0.0-0"),
        ("1.2.3", ">=1.2.3, <2.0.0-0"),
        ("0.2", ">=0.2.0, <0.3.0-0"),
        ("~1.2.3", ">=1.2.3, <1.3.0-0"),
        ("~1.2", ">=1.2.0, <1.3.0-0"),
        ("~1", ">=1.0.0, <2.0.0-0"),
        ("*", "*"),
        ("1.*", ">=1.0.0, <2.0.0-0"),
        ("1.2.*", ">=1.2.0, <1.3.0-0"),
        ("1.x", ">=1.0.0, <2.0.0-0"),
        (">= 1.2.0", ">=1.2.0"),
        ("> 1", ">=2.0.0"),
        ("< 2", "<2.0.0-0"),
        ("= 1.2.3", "=1.2.3"),
        ("=1.2", ">=1.2.0, <1.3.0-0"),
        (">= 1.2, < 1.5", ">=1.2.0, <1.5.0-0"),
        (">=1.0.0, <2.0.0", ">=1.0.0, <2.0.0"),
    ])
    func desugarsLikeCargo(text: String, expected: String) throws {
        let r = try VersionRange.parse(text, syntax: .cargo)
        #expect(r.normalized == expected)
        #expect(r.syntax == .cargo)
    }

    @Test func membership() {
        let r = range("1.2.3", .cargo)
        #expect(r.satisfies(v("1.2.3")))
        #expect(r.satisfies(v("1.9.0")))
        #expect(!r.satisfies(v("2.0.0")))
        #expect(!r.satisfies(v("1.2.2")))
        let zero = range("0.0.3", .cargo)
        #expect(zero.satisfies(v("0.0.3")))
        #expect(!zero.satisfies(v("0.0.4")))
        let both = range(">= 1.2, < 1.5", .cargo)
        #expect(both.satisfies(v("1.4.99")))
        #expect(!both.satisfies(v("1.5.0")))
        #expect(!both.satisfies(v("1.1.9")))
    }

    /// Cargo book: requirements exclude pre-releases unless a comparator asks for one.
    @Test func prereleases() {
        #expect(!range("1.0", .cargo).satisfies(v("1.0.0-alpha")))
        let alpha = range("1.0.0-alpha", .cargo)
        for s in ["1.0.0-alpha", "1.0.0-beta", "1.0.0", "1.5.0"] { #expect(alpha.satisfies(v(s)), "\(s)") }
        for s in ["1.5.0-alpha", "0.9.0", "2.0.0-alpha", "2.0.0"] { #expect(!alpha.satisfies(v(s)), "\(s)") }
        #expect(range(">=1.0.0-alpha, <2.0.0", .cargo).satisfies(v("1.0.0-beta")))
        #expect(!range(">=1.0.0-alpha, <2.0.0", .cargo).satisfies(v("1.1.0-beta")))
        #expect(!range("*", .cargo).satisfies(v("1.0.0-alpha")))
        #expect(range("=1.2.3-rc.1", .cargo).satisfies(v("1.2.3-rc.1")))
        #expect(!range("~1.2.3", .cargo).satisfies(v("1.2.4-alpha")))
    }

    @Test(arguments: [
        ("", ""),
        (">=1.0.0,", ","),
        (">=1.0.0,,<2.0.0", ","),
        ("1.0.0 || 2.0.0", "||"),
        ("*, >=1.0.0", "*"),
        (">=1.0.0 <2.0.0", "<2.0.0"),
        ("~>1.2", "~>1.2"),
        ("v1.2.3", "v1.2.3"),
        ("01.2", "01"),
        ("1.*.3", "1.*.3"),
        ("1.2.3-", "1.2.3-"),
        ("=", "="),
    ])
    func cargoErrorsNameTheToken(text: String, token: String) {
        do {
            _ = try VersionRange.parse(text, syntax: .cargo)
            Issue.record("\(text) should not parse")
        } catch {
            #expect(error.subject == .range)
            #expect(error.token == token, "\(error)")
        }
    }
}

@Suite struct SemverAutoSyntaxTests {
    @Test func commaPicksCargoOtherwiseNpm() {
        #expect(range(">=1.0.0, <2.0.0").syntax == .cargo)
        #expect(range(">=1.0.0 <2.0.0").syntax == .npm)
        // The realm files write both spellings; they mean the same.
        for s in ["1.0.0", "1.4.0", "1.99.99"] {
            #expect(range(">=1.0.0, <2.0.0").satisfies(v(s)))
            #expect(range(">=1.0.0 <2.0.0").satisfies(v(s)))
        }
        #expect(!range(">=1.0.0, <2.0.0").satisfies(v("2.0.0")))
        #expect(!range(">=1.0.0 <2.0.0").satisfies(v("2.0.0")))
    }

    @Test func bareVersionIsExactInAutoAndNpmButCaretInCargo() {
        #expect(range("1.2.3").normalized == "1.2.3")
        #expect(!range("1.2.3").satisfies(v("1.2.4")))
        #expect(range("1.2.3", .cargo).satisfies(v("1.2.4")))
    }

    @Test func maxAndMinSatisfying() {
        let versions = ["1.0.0", "1.4.0", "1.5.0-beta", "1.4.2", "2.0.0", "0.9.0"].map(v)
        #expect(range(">=1.0.0, <2.0.0").maxSatisfying(versions) == v("1.4.2"))
        #expect(range("^1.0.0").minSatisfying(versions) == v("1.0.0"))
        #expect(range(">=1.5.0-beta <2.0.0").maxSatisfying(versions) == v("1.5.0-beta"))
        #expect(range(">=3.0.0").maxSatisfying(versions) == nil)
        #expect(range("*").maxSatisfying(versions) == v("2.0.0"))
        #expect(VersionRange.any.satisfies(v("7.0.0")))
    }

    @Test func buildsFromComparators() {
        let r = VersionRange(alternatives: [[VersionComparator(.greaterThanOrEqual, v("1.0.0")),
                                             VersionComparator(.lessThan, v("2.0.0"))]])
        #expect(r.source == ">=1.0.0 <2.0.0")
        #expect(r.satisfies(v("1.5.0")))
    }
}

/// Components near `Int.max` used to trap (signal 4) where a range adds one to them.
@Suite struct SemverHugeNumberTests {
    static let big = "9223372036854775807"

    @Test(arguments: [
        ("^\(big)", VersionRange.Syntax.auto), ("~\(big).0", .auto), ("\(big).x", .auto), ("~\(big)", .auto),
        ("^0.\(big)", .auto), ("^0.0.\(big)", .auto), ("<=\(big).\(big)", .auto), (">\(big)", .npm),
        ("1.0.0 - \(big)", .npm), ("1.2 - \(big).\(big)", .npm), ("\(big).0.0 - 2", .npm),
        ("^\(big)", .cargo), ("~\(big).1", .cargo), ("\(big).*", .cargo), (">= 1.0, < \(big)", .cargo),
        ("=\(big).2", .cargo), ("\(big)", .cargo), ("^0.\(big).0", .cargo),
        ("9007199254740992", .auto), ("1.2.3-9007199254740992", .npm),
        ("99999999999999999999999999999999999999999999", .auto),
    ])
    func hugeComponentsAreParseErrors(text: String, syntax: VersionRange.Syntax) {
        do {
            let range = try VersionRange.parse(text, syntax: syntax)
            Issue.record("\(text) parsed as \(range.normalized)")
        } catch {
            #expect(error.message.contains("is too large (at most 9007199254740991)"), "\(error.message)")
            #expect(error.subject == .range)
        }
    }

    @Test func theLargestAllowedComponentWorks() throws {
        let max = "9007199254740991"
        let range = try VersionRange.parse("^\(max).\(max).\(max)")
        #expect(range.satisfies(try Version("\(max).\(max).\(max)")))
        #expect(!range.satisfies(try Version("1.0.0")))
        #expect(try VersionRange.parse("~0.\(max)", syntax: .cargo).satisfies(try Version("0.\(max).7")))
        #expect(try VersionRange.parse("1.0.0 - \(max)", syntax: .npm).satisfies(try Version("\(max).\(max).0")))
        #expect(throws: SemverError.self) { try Version("\(Self.big).0.0") }
        let bumped = VersionBump.minimumVersion(after: try Version("\(max).\(max).\(max)"), for: .major)
        #expect(bumped.major == 9_007_199_254_740_992)
        // A version built in code at Int.max saturates instead of trapping.
        #expect(VersionBump.minimumVersion(after: Version(Int.max, 0, 0), for: .major).major == Int.max)
    }
}
