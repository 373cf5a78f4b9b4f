import RealmJSON

/// JSON values hashed consistently with JSON equality (`1 == 1.0`, key order ignored).
struct HashableJSON: Hashable {
    let value: JSONValue

    static func == (a: HashableJSON, b: HashableJSON) -> Bool { jsonEqual(a.value, b.value) }

    func hash(into hasher: inout Hasher) { Self.hash(value, into: &hasher) }

    private static func hash(_ value: JSONValue, into hasher: inout Hasher) {
        switch value {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .integer(let i): hasher.combine(2); hasher.combine(Double(i))
        case .number(let d): hasher.combine(2); hasher.combine(d)
        case .string(let s): hasher.combine(3); hasher.combine(ExactString(s))
        case .array(let items):
            hasher.combine(4)
            hasher.combine(items.count)
            for item in items { hash(item, into: &hasher) }
        case .object(let object):
            hasher.combine(5)
            hasher.combine(object.count)
            var sum = 0
            for (key, member) in object {
                var inner = Hasher()
                inner.combine(ExactString(key))
                hash(member, into: &inner)
                sum = sum &+ inner.finalize()
            }
            hasher.combine(sum)
        }
    }
}

/// A string compared by its code points, as JSON compares strings (Swift's `==` on `String` also
/// equates canonically equivalent forms such as "é" and "e\u{301}").
struct ExactString: Hashable, Sendable {
    let value: String

    init(_ value: String) { self.value = value }

    static func == (a: ExactString, b: ExactString) -> Bool { exactlyEqual(a.value, b.value) }

    func hash(into hasher: inout Hasher) {
        var value = value
        value.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// String equality by code points (UTF-8 bytes), not canonical equivalence.
func exactlyEqual(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    let fast = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y in
            x.count == 0 || memoryEqual(x.baseAddress!, y.baseAddress!, x.count)
        }
    }
    if let fast, let result = fast { return result }
    return a.utf8.elementsEqual(b.utf8)
}

private func memoryEqual(_ x: UnsafePointer<UInt8>, _ y: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        if UnsafeRawPointer(x + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(y + i).loadUnaligned(as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < count {
        if x[i] != y[i] { return false }
        i += 1
    }
    return true
}

/// JSON equality: numbers by value (`1 == 1.0`), strings by code points, objects regardless of
/// key order.
func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)):
        return exactlyEqual(x, y)
    case (.array(let x), .array(let y)):
        guard x.count == y.count else { return false }
        for i in x.indices where !jsonEqual(x[i], y[i]) { return false }
        return true
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        for (key, value) in x {
            guard let other = y[key], jsonEqual(value, other) else { return false }
        }
        return true
    default:
        return a == b
    }
}
