import RealmJSON
import Testing
@testable import RealmYAML

@Suite struct ParseTests {
    @Test func emptyStreamIsNil() throws {
        #expect(try YAML.parse("") == nil)
        #expect(try YAML.parse("# only a comment\n\n") == nil)
    }

    @Test func explicitEmptyDocumentIsNullScalar() throws {
        let node = try parseOne("---\n")
        #expect(node.isNull)
        #expect(node.scalarValue == "")
    }

    @Test func secondDocumentIsAnError() {
        let error = parseError("a: 1\n---\nb: 2\n")
        #expect(error?.line == 2)
        #expect(error?.column == 1)
        #expect(error?.message.contains("single document") == true)
    }

    @Test func explicitDocumentEndIsFine() throws {
        let node = try parseOne("--- \na: 1\n...\n")
        #expect(node["a"]?.scalarValue == "1")
    }

    @Test func marksAreOneBased() throws {
        let node = try parseOne("a: 1\nlist:\n  - x\n  - { k: v }\n")
        #expect(node.mark == Mark(line: 1, column: 1))
        #expect(node["a"]?.mark == Mark(line: 1, column: 4))
        let list = try #require(node["list"])
        #expect(list.mark == Mark(line: 3, column: 3))
        #expect(list.sequenceItems?[0].mark == Mark(line: 3, column: 5))
        #expect(list.sequenceItems?[1].mark == Mark(line: 4, column: 5))
        #expect(list.sequenceItems?[1]["k"]?.mark == Mark(line: 4, column: 10))
        #expect(node.mappingPairs?[1].key.mark == Mark(line: 2, column: 1))
        #expect(Mark(line: 4, column: 10).description == "4:10")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let node = try parseOne("é: [日本, x]\n")
        #expect(node["é"]?.sequenceItems?[1].mark == Mark(line: 1, column: 9))
    }

    @Test func scalarStylesAreRecorded() throws {
        let node = try parseOne("""
            p: plain
            s: 'single'
            d: "double"
            l: |
              literal
            f: >
              folded
              text

            """)
        #expect(node["p"]?.scalar?.style == .plain)
        #expect(node["s"]?.scalar?.style == .singleQuoted)
        #expect(node["d"]?.scalar?.style == .doubleQuoted)
        #expect(node["l"]?.scalar == YAMLScalar("literal\n", style: .literal, mark: Mark(line: 4, column: 4)))
        #expect(node["f"]?.scalar?.style == .folded)
        #expect(node["f"]?.scalarValue == "folded text\n")
    }

    @Test func tagsAreReportedInLongForm() throws {
        let node = try parseOne("a: !!str 12\nb: !local x\nc: 1\n")
        #expect(node["a"]?.scalar?.tag == YAMLTag.str)
        #expect(node["b"]?.scalar?.tag == "!local")
        #expect(node["c"]?.scalar?.tag == nil)
    }

    @Test func aliasesReuseTheAnchoredNode() throws {
        let node = try parseOne("""
            base: &b
              x: 1
              y: [a, b]
            copy: *b
            scalar: &s hello
            again: *s

            """)
        #expect(node["copy"] == node["base"])
        // An alias is the anchored node itself, mark included (a node with properties starts
        // at its anchor or tag).
        #expect(node["copy"]?.mark == Mark(line: 1, column: 7))
        #expect(node["again"]?.scalarValue == "hello")
    }

    @Test func undefinedAliasIsAnError() {
        let error = parseError("a: *nope\n")
        #expect(error?.description == "1:4: undefined alias *nope")
    }

    @Test func recursiveAliasIsRefused() {
        // The anchor is defined only when its node is complete, so a self-reference is undefined.
        let error = parseError("a: &x [1, *x]\n")
        #expect(error?.line == 1)
        #expect(error?.column == 11)
    }

    @Test func mergeKeysAreOrdinaryKeys() throws {
        let node = try parseOne("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n")
        let derived = try #require(node["derived"])
        #expect(derived["<<"]?["x"]?.scalarValue == "1")
        #expect(derived["x"] == nil)
    }

    @Test func complexKeysParse() throws {
        let node = try parseOne("? [a, b]\n: c\n")
        #expect(node.mappingPairs?.first?.key.sequenceItems?.count == 2)
    }

    @Test func accessors() throws {
        let node = try parseOne("a: [1]\nb: {c: d}\nn: ~\ne:\n")
        #expect(node["a"]?.sequenceItems?.count == 1)
        #expect(node["a"]?.mappingPairs == nil)
        #expect(node["b"]?.mappingPairs?.count == 1)
        #expect(node["b"]?.scalarValue == nil)
        #expect(node["n"]?.isNull == true)
        #expect(node["e"]?.isNull == true)
        #expect(node["a"]?.isNull == false)
        #expect(node["missing"] == nil)
        #expect(node["a"]?["x"] == nil)
        for text in ["null", "Null", "NULL", "~", ""] {
            #expect(YAMLNode.scalar(YAMLScalar(text)).isNull)
        }
        #expect(!YAMLNode.scalar(YAMLScalar("null", style: .doubleQuoted)).isNull)
        #expect(!YAMLNode.string("null").isNull)
        #expect(!YAMLNode.scalar(YAMLScalar("nULL")).isNull)
    }

    @Test func byteOrderMarkAndDirectivesAreAccepted() throws {
        let bom = try parseOne("\u{FEFF}a: 1\n")
        #expect(bom["a"]?.mark == Mark(line: 1, column: 4))
        // A %YAML 1.1 directive does not change resolution: `yes` is still a string.
        #expect(try toJSON("%YAML 1.1\n---\na: yes\n") == ["a": "yes"])
    }

    @Test func collectionTagsAreIgnored() throws {
        #expect(try toJSON("a: !!set {x: null}\nb: !!omap [x]\n") == ["a": ["x": nil], "b": ["x"]])
    }

    // MARK: Seeds

    @Test func seedRealmFile() throws {
        let node = try parseOne(Seeds.realm)
        #expect(node["name"]?.scalarValue == "letemcook")
        #expect(node["version"]?.scalar?.style == .doubleQuoted)
        #expect(node["governance"]?.mark == Mark(line: 6, column: 3))
        #expect(node["governance"]?["admission"]?.scalarValue == "approval")
        #expect(node["governance"]?["approvers"]?.mark == Mark(line: 8, column: 5))
        #expect(node["governance"]?["breaking_changes"]?["grace_period_days"]?.mark == Mark(line: 11, column: 24))
        let permissions = try #require(node["trust"]?["permissions"])
        #expect(permissions.mark == Mark(line: 18, column: 5))
        #expect(permissions.mappingPairs?.count == 4)
        #expect(permissions["domains/{domain}/domain.yaml"]?.mark == Mark(line: 19, column: 35))

        let json = try node.toJSON()
        #expect(json["created_at"] == "2026-01-24T10:00:00Z")
        #expect(json["version"] == "1.0.0")
        #expect(json["governance"]?["breaking_changes"]?["grace_period_days"] == 14)
        #expect(json["governance"]?["breaking_changes"]?["require_approval"] == true)
        #expect(json["trust"]?["require_signed_commits"] == false)
        #expect(json["trust"]?["permissions"]?["repos/{repo}.yaml"] == ["repo_maintainers"])
    }

    @Test func seedContractFile() throws {
        let node = try parseOne(Seeds.contract)
        let schema = try #require(node["schema"])
        #expect(schema.mark == Mark(line: 10, column: 3))  // a block mapping starts at its first key
        #expect(schema["required"]?.mark == Mark(line: 11, column: 13))
        let items = try #require(schema["properties"]?["read"]?["items"])
        #expect(items.mark == Mark(line: 15, column: 14))
        #expect(items["type"]?.mark == Mark(line: 15, column: 22))
        #expect(schema["properties"]?["write"]?["default"]?.mark == Mark(line: 19, column: 16))
        let evolution = try #require(node["evolution"]?.sequenceItems)
        #expect(evolution.count == 3)
        #expect(evolution[1].mark == Mark(line: 46, column: 5))
        #expect(evolution[1]["changes"]?.mark == Mark(line: 47, column: 14))

        let json = try node.toJSON()
        #expect(json["compatibility"] == ["backwards": true, "forwards": false])
        #expect(json["schema"]?["properties"]?["read"]?["items"] == ["type": "string"])
        #expect(json["value"]?["read"]?.arrayValue?.first == "jobs/*/masks/*")
        #expect(json["value"]?["delete"] == [])
        #expect(json["evolution"]?.arrayValue?.last?["changes"] == ["Added delete array"])
    }

    @Test func seedOtherFiles() throws {
        let repo = try toJSON(Seeds.repo)
        #expect(repo["path"] == "/Users/ericg/letemcook/aperture")
        #expect(repo["url"] == nil)
        let binding = try parseOne(Seeds.importBinding)
        let entry = try #require(binding["imports"]?.sequenceItems?.first)
        #expect(entry["version"]?.scalarValue == ">=1.0.0, <2.0.0")
        #expect(entry["version"]?.mark == Mark(line: 6, column: 14))
        #expect(try entry.toJSON()["resolved_at"] == "2026-01-24T12:00:00Z")
        let config = try toJSON(Seeds.localConfig)
        #expect(config == ["realm": ["name": "letemcook", "url": "https://git.example.com/realms/letemcook.git"],
                           "repo": "aperture"])
    }

    @Test func invalidUTF8IsReported() {
        do {
            _ = try YAML.parse(bytes: Array("a: b\nc: ".utf8) + [0xFF, 0x41] + Array("\n".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 4)
            #expect(error.message.contains("UTF-8"))
        }
    }

    @Test func bytesAndTextAgree() throws {
        let text = Seeds.contract
        #expect(try YAML.parse(bytes: Array(text.utf8)) == YAML.parse(text))
    }
}
