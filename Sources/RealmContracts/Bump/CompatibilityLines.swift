import RealmJSON

extension VersionBump {
    /// The human report of `git realm check --mode=compatibility`, one line per top-level
    /// schema property, as the RFC shows it:
    ///
    ///     Checking s3-permissions 1.4.0 → 1.5.0
    ///     ✓ read: unchanged
    ///     + delete: added (optional, default=[]) - COMPATIBLE
    ///     - write: removed - BREAKING
    ///
    ///     Result: BREAKING (major version bump required)
    ///
    /// A line is BREAKING when one of its changes breaks the compatibility the old contract
    /// declares. Changes outside any top-level property get a `(schema)` line, a changed value a
    /// `value` line. The result line reflects `analyze(old:new:mode:).required`.
    public static func compatibilityLines(old: JSONValue, new: JSONValue,
                                          mode: CompatibilityMode = .lenient) throws(CompatibilityError) -> [String] {
        let analysis = try analyze(old: old, new: new, mode: mode)
        let name = new["name"]?.stringValue ?? old["name"]?.stringValue ?? "contract"
        let fromText = old["version"]?.stringValue ?? "?"
        let toText = new["version"]?.stringValue ?? "?"
        var lines = ["Checking \(name) \(fromText) → \(toText)"]

        let oldSchema = old["schema"] ?? .bool(true), newSchema = new["schema"] ?? .bool(true)
        let oldTop = topLevel(oldSchema), newTop = topLevel(newSchema)
        var order: [String] = Array(oldTop.properties.keys)
        for key in newTop.properties.keys where oldTop.properties[key] == nil { order.append(key) }

        var groups: [String: [SchemaChange]] = [:]
        var rootChanges: [SchemaChange] = []
        let names = Set(order)
        for change in analysis.schemaReport.changes {
            let tokens = change.path.tokens
            if tokens.count >= 2, tokens[0] == "properties", names.contains(tokens[1]) {
                groups[tokens[1], default: []].append(change)
            } else if tokens.count <= 2, let property = change.property, names.contains(property),
                      tokens.first == "required" || tokens.first == "dependentRequired" || tokens.first == "dependencies" {
                groups[property, default: []].append(change)
            } else {
                rootChanges.append(change)
            }
        }

        func verdict(_ changes: [SchemaChange]) -> String {
            changes.contains(where: analysis.declared.isBroken) ? "BREAKING" : "COMPATIBLE"
        }
        func kinds(_ changes: [SchemaChange]) -> String {
            CompatibilityReport(mode: mode, changes: changes).kinds.map(\.rawValue).joined(separator: ", ")
        }

        for property in order {
            let changes = groups[property] ?? []
            let inOld = oldTop.properties[property] != nil, inNew = newTop.properties[property] != nil
            if inOld && inNew {
                if changes.isEmpty {
                    lines.append("✓ \(property): unchanged")
                } else if changes.allSatisfy(\.isAnnotation) {
                    lines.append("✓ \(property): metadata changed (\(kinds(changes)))")
                } else {
                    lines.append("~ \(property): changed (\(kinds(changes.filter { !$0.isAnnotation }))) - \(verdict(changes))")
                }
            } else if inNew {
                var how = [newTop.required.contains(property) ? "required" : "optional"]
                if let d = newTop.properties[property]?["default"] {
                    how.append("default=\(JSONSerializer.string(d))")
                }
                lines.append("+ \(property): added (\(how.joined(separator: ", "))) - \(verdict(changes))")
            } else {
                let how = oldTop.required.contains(property) ? " (was required)" : ""
                lines.append("- \(property): removed\(how) - \(verdict(changes))")
            }
        }
        if !rootChanges.isEmpty {
            if rootChanges.allSatisfy(\.isAnnotation) {
                lines.append("✓ (schema): metadata changed (\(kinds(rootChanges)))")
            } else {
                lines.append("~ (schema): changed (\(kinds(rootChanges.filter { !$0.isAnnotation }))) - \(verdict(rootChanges))")
            }
        }
        if analysis.valueChanged {
            lines.append("~ value: changed - COMPATIBLE")
        }
        lines.append("")
        lines.append(resultLine(analysis.required, from: try? version(of: old, side: .old)))
        return lines
    }

    /// `Result: ...` for a required bump.
    public static func resultLine(_ required: BumpLevel, from version: Version? = nil) -> String {
        switch required {
        case .none: return "Result: UNCHANGED (no version bump needed)"
        case .patch: return "Result: COMPATIBLE (patch version bump OK)"
        case .minor: return "Result: COMPATIBLE (minor version bump OK)"
        case .major:
            if let v = version, v.major == 0, !v.isPrerelease {
                return v.minor == 0 ? "Result: BREAKING (patch version bump required at 0.0.x)"
                                    : "Result: BREAKING (minor version bump required at 0.x)"
            }
            return "Result: BREAKING (major version bump required)"
        }
    }

    /// The top-level `properties` and `required` of a schema, looking through a root `$ref`.
    private static func topLevel(_ schema: JSONValue) -> (properties: JSONObject, required: Set<String>) {
        var node = schema
        var hops = 0
        while node["properties"] == nil, case .string(let ref)? = node["$ref"], ref.hasPrefix("#"), hops < 16,
              let pointer = JSONPointer(String(ref.dropFirst())), let target = pointer.resolve(in: schema) {
            node = target
            hops += 1
        }
        let properties = node["properties"]?.objectValue ?? JSONObject()
        let required = Set((node["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        return (properties, required)
    }
}
