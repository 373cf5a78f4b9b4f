// realm-bench: timings of the contract engine for scripts/benchmark-contracts.sh. Not a test:
// it prints figures (median of several runs) and PASS/FAIL against the targets.
//
//   realm-bench diff [--properties 5000] [--depth 4] [--runs 15] [--target-ms 200]
//   realm-bench validate [--megabytes 10] [--runs 7]
//   realm-bench schema [--properties 5000] [--depth 4] [--variant 0]   (prints a generated schema)
#if canImport(Glibc)
import Glibc
#endif
import RealmContracts
import RealmJSON

nonisolated(unsafe) var sink = 0

func fail(_ message: String) -> Never {
    let bytes = Array("realm-bench: \(message)\n".utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

func options(_ arguments: ArraySlice<String>) -> [String: String] {
    var result: [String: String] = [:]
    var rest = arguments
    while let key = rest.popFirst() {
        guard key.hasPrefix("--"), let value = rest.popFirst() else { fail("expected --name value, got \(key)") }
        result[String(key.dropFirst(2))] = value
    }
    return result
}

func int(_ options: [String: String], _ key: String, _ fallback: Int) -> Int {
    guard let text = options[key] else { return fallback }
    guard let value = Int(text), value > 0 else { fail("--\(key) needs a positive integer") }
    return value
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

/// Runs `body` `runs` times (after one warm-up run) and returns the sorted times in ms.
func time(runs: Int, _ body: () throws -> Int) rethrows -> [Double] {
    let clock = ContinuousClock()
    sink &+= try body()
    var samples: [Double] = []
    for _ in 0..<runs {
        var result = 0
        let d = try clock.measure { result = try body() }
        sink &+= result
        samples.append(milliseconds(d))
    }
    return samples.sorted()
}

func median(_ sorted: [Double]) -> Double { sorted[sorted.count / 2] }
func fmt(_ x: Double, _ digits: Int = 1) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded() / p
    var s = "\(r)"
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    } else if digits > 0 {
        s += "." + String(repeating: "0", count: digits)
    }
    return s
}
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }

// MARK: diff

func benchDiff(_ o: [String: String]) throws {
    let properties = int(o, "properties", 5000), depth = int(o, "depth", 4), runs = int(o, "runs", 15)
    let target = Double(int(o, "target-ms", 200))
    let old = SchemaGenerator.nestedSchema(properties: properties, depth: depth, variant: 0)
    let new = SchemaGenerator.nestedSchema(properties: properties, depth: depth, variant: 1)
    let oldText = JSONSerializer.string(old), newText = JSONSerializer.string(new)
    let changes = try SchemaCompatibility.compare(old: old, new: new, mode: .strict).changes.count

    let strict = try time(runs: runs) { try SchemaCompatibility.compare(old: old, new: new, mode: .strict).changes.count }
    let lenient = try time(runs: runs) { try SchemaCompatibility.compare(old: old, new: new, mode: .lenient).changes.count }
    let same = try time(runs: runs) { try SchemaCompatibility.compare(old: old, new: old, mode: .strict).changes.count }
    let parse = try time(runs: runs) {
        let a = try JSONParser.parse(oldText), b = try JSONParser.parse(newText)
        return (a["properties"] == nil ? 0 : 1) + (b["properties"] == nil ? 0 : 1)
    }
    let validateOnly = try time(runs: runs) {
        try SchemaCompatibility.validate(old)
        try SchemaCompatibility.validate(new)
        return 1
    }
    let compile = try time(runs: runs) { _ = try JSONSchemaValidator(schema: new); return 1 }

    let m = median(strict)
    print("schema diff: \(properties) properties nested \(depth) deep (\(oldText.utf8.count / 1024) KiB of JSON each), \(changes) changes, median of \(runs) runs")
    print("  \(pad("compare, strict:", 34)) \(fmt(m)) ms (min \(fmt(strict[0])), max \(fmt(strict[strict.count - 1])))  target <= \(Int(target)) ms: \(m <= target ? "PASS" : "FAIL")")
    print("  \(pad("compare, lenient:", 34)) \(fmt(median(lenient))) ms")
    print("  \(pad("compare, identical schemas:", 34)) \(fmt(median(same))) ms")
    print("  \(pad("of which up-front validation:", 34)) \(fmt(median(validateOnly))) ms (both schemas)")
    print("  \(pad("for scale, parsing both as JSON:", 34)) \(fmt(median(parse))) ms  (compare / parse: \(fmt(m / median(parse), 2))x)")
    print("  \(pad("for scale, compiling a validator:", 34)) \(fmt(median(compile))) ms")
    if m > target { exitCode = 1 }
}

// MARK: validate

/// A realm-like instance: `{"contracts": [...]}` of contract-like objects, about `bytes` long.
func instance(bytes: Int) -> (JSONValue, String) {
    let compat: [JSONValue] = ["backward", "forward", "full", "none"]
    var items: [JSONValue] = []
    var size = 16
    var i = 0
    while size < bytes {
        var paths: [JSONValue] = []
        for j in 0..<(4 + i % 5) { paths.append(.string("jobs/\(i)/masks/\(j)/training-metrics/*")) }
        let item: JSONValue = [
            "name": .string("contract-\(i)"), "version": .string("\(i % 7).\(i % 13).\(i % 3)"),
            "owner": .string("repo-\(i % 997)"), "compatibility": compat[i % 4],
            "paths": .array(paths), "size": .integer(i * 31), "weight": .number(Double(i) / 8), "active": .bool(i % 2 == 0),
        ]
        size += JSONSerializer.string(item).utf8.count + 1
        items.append(item)
        i += 1
    }
    let value: JSONValue = ["contracts": .array(items)]
    return (value, JSONSerializer.string(value))
}

let instanceSchema = """
{"$schema": "https://json-schema.org/draft/2020-12/schema",
 "type": "object", "required": ["contracts"], "additionalProperties": false,
 "properties": {"contracts": {"type": "array", "items": {"$ref": "#/$defs/contract"}}},
 "$defs": {"contract": {"type": "object", "additionalProperties": false,
   "required": ["name", "version", "owner", "paths"],
   "properties": {
     "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
     "version": {"type": "string", "pattern": "^[0-9]+\\\\.[0-9]+\\\\.[0-9]+$"},
     "owner": {"type": "string", "minLength": 1, "maxLength": 64},
     "compatibility": {"enum": ["backward", "forward", "full", "none"]},
     "paths": {"type": "array", "items": {"type": "string", "maxLength": 200}, "uniqueItems": true},
     "size": {"type": "integer", "minimum": 0},
     "weight": {"type": "number", "minimum": 0},
     "active": {"type": "boolean"}}}}}
"""

func benchValidate(_ o: [String: String]) throws {
    let megabytes = int(o, "megabytes", 10), runs = int(o, "runs", 7)
    let (value, text) = instance(bytes: megabytes * 1_000_000)
    let mb = Double(text.utf8.count) / 1_000_000
    let schema = try JSONParser.parse(instanceSchema)
    let validator = try JSONSchemaValidator(schema: schema)
    let errors = validator.validate(value)
    guard errors.isEmpty else { fail("the generated instance does not validate: \(errors[0])") }
    let count = value["contracts"]?.arrayValue?.count ?? 0
    // Without the two regex patterns, for comparison.
    var plainObject = schema.objectValue!
    var defs = plainObject["$defs"]!.objectValue!
    var contract = defs["contract"]!.objectValue!
    var props = contract["properties"]!.objectValue!
    props["name"] = ["type": "string"]
    props["version"] = ["type": "string"]
    contract["properties"] = .object(props)
    defs["contract"] = .object(contract)
    plainObject["$defs"] = .object(defs)
    let plain = try JSONSchemaValidator(schema: .object(plainObject))

    let full = time(runs: runs) { validator.validate(value).count + 1 }
    let quick = time(runs: runs) { validator.isValid(value) ? 1 : 0 }
    let noRegex = time(runs: runs) { plain.validate(value).count + 1 }
    let parse = try time(runs: runs) { (try JSONParser.parse(text)).arrayValue?.count ?? 1 }
    func rate(_ ms: Double) -> Double { mb / (ms / 1000) }
    let v = median(full), p = median(parse)
    print("validation: \(fmt(mb)) MB instance (\(count) contract objects, $ref, enum, uniqueItems, additionalProperties: false), median of \(runs) runs")
    print("  \(pad("validate (all errors):", 34)) \(fmt(v)) ms = \(fmt(rate(v))) MB/s")
    print("  \(pad("isValid (first failure):", 34)) \(fmt(median(quick))) ms = \(fmt(rate(median(quick)))) MB/s")
    print("  \(pad("validate, no regex patterns:", 34)) \(fmt(median(noRegex))) ms = \(fmt(rate(median(noRegex)))) MB/s")
    print("  \(pad("for scale, JSONParser.parse:", 34)) \(fmt(p)) ms = \(fmt(rate(p))) MB/s  (validate / parse time: \(fmt(v / p, 2))x)")
}

// MARK: main

nonisolated(unsafe) var exitCode: Int32 = 0
let arguments = CommandLine.arguments.dropFirst()
guard let command = arguments.first else {
    fail("usage: realm-bench diff|validate|schema [--name value ...]")
}
let o = options(arguments.dropFirst())
do {
    switch command {
    case "diff": try benchDiff(o)
    case "validate": try benchValidate(o)
    case "schema":
        let schema = SchemaGenerator.nestedSchema(properties: int(o, "properties", 5000), depth: int(o, "depth", 4),
                                                  variant: Int(o["variant"] ?? "0") ?? 0)
        print(JSONSerializer.string(schema))
    default: fail("unknown command \(command)")
    }
} catch {
    fail("\(error)")
}
if sink == 42 { print("") }
exit(exitCode)
