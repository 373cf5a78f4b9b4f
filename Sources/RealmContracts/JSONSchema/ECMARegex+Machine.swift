import RealmLimits

// MARK: - Compiler

enum RegexInstruction {
    /// Consume one code point of `sets[index]`.
    case scalars(Int)
    /// Continue at both targets.
    case split(Int, Int)
    case jump(Int)
    case assertion(RegexAssertion)
    /// Continue when program `index` matches (or, negated, does not match) here.
    case lookahead(Int, negated: Bool)
    case match
}

struct RegexProgram {
    var code: [RegexInstruction] = []
}

struct RegexCompiler {
    var programs: [RegexProgram] = []
    var sets: [ScalarSet] = []
    var total = 0

    typealias SyntaxError = PatternMatcher.SyntaxError

    mutating func compileMain(_ node: RegexNode) throws(SyntaxError) {
        programs.append(RegexProgram())
        try compileProgram(node, into: 0, reversed: false)
    }

    /// A lookahead's program is `reversed`: it reads right to left, concatenations backwards.
    mutating func compileProgram(_ node: RegexNode, into index: Int, reversed: Bool) throws(SyntaxError) {
        var code: [RegexInstruction] = []
        try emit(node, &code, reversed: reversed)
        try append(.match, &code)
        programs[index].code = code
    }

    mutating func append(_ instruction: RegexInstruction, _ code: inout [RegexInstruction]) throws(SyntaxError) {
        total += 1
        if total > Limits.patternStates {
            throw SyntaxError(message: "pattern is too large: it compiles to more than \(Limits.patternStates) states (repetition counts multiply)")
        }
        code.append(instruction)
    }

    mutating func emit(_ node: RegexNode, _ code: inout [RegexInstruction], reversed: Bool) throws(SyntaxError) {
        switch node {
        case .empty:
            break
        case .scalars(let set):
            sets.append(set)
            try append(.scalars(sets.count - 1), &code)
        case .concat(let parts):
            for part in reversed ? parts.reversed() : parts { try emit(part, &code, reversed: reversed) }
        case .alternation(let branches):
            // split L1, next; L1: b1; jump end; next: split L2, next2; ...
            var jumps: [Int] = []
            for (n, branch) in branches.enumerated() {
                if n < branches.count - 1 {
                    let split = code.count
                    try append(.split(split + 1, -1), &code)
                    try emit(branch, &code, reversed: reversed)
                    jumps.append(code.count)
                    try append(.jump(-1), &code)
                    code[split] = .split(split + 1, code.count)
                } else {
                    try emit(branch, &code, reversed: reversed)
                }
            }
            for j in jumps { code[j] = .jump(code.count) }
        case .repetition(let body, let min, let max):
            for _ in 0..<min { try emit(body, &code, reversed: reversed) }
            if let max {
                // Each optional copy: split body, end.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(code.count)
                    try append(.split(-1, -1), &code)
                    try emit(body, &code, reversed: reversed)
                }
                for s in splits { code[s] = .split(s + 1, code.count) }
            } else {
                let loop = code.count
                try append(.split(-1, -1), &code)
                try emit(body, &code, reversed: reversed)
                try append(.jump(loop), &code)
                code[loop] = .split(loop + 1, code.count)
            }
        case .assertion(let kind):
            try append(.assertion(kind), &code)
        case .lookahead(let inner, let negated):
            let index = programs.count
            programs.append(RegexProgram())
            try compileProgram(inner, into: index, reversed: true)
            try append(.lookahead(index, negated: negated), &code)
        }
    }
}

// MARK: - Simulation

/// One search: the input, the budget, and per-program scratch space reused across positions.
struct RegexMachine {
    let regex: ECMARegex
    let input: [UInt32]
    var budget: Int
    /// Per program: the stamp of the list each instruction was last added to.
    private var marks: [[Int]]
    private var stamp = 0
    /// Per lookahead program, once computed: whether it matches at each position.
    private var lookaheads: [[Bool]?]
    private var stack: [Int] = []

    init(regex: ECMARegex, input: [UInt32], budget: Int) {
        self.regex = regex
        self.input = input
        self.budget = budget
        marks = Array(repeating: [], count: regex.programs.count)
        lookaheads = Array(repeating: nil, count: regex.programs.count)
    }

    private static func isWord(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || (c >= 0x61 && c <= 0x7A)
    }

    private func assertionHolds(_ kind: RegexAssertion, at pos: Int) -> Bool {
        switch kind {
        case .start: return pos == 0
        case .end: return pos == input.count
        case .wordBoundary, .notWordBoundary:
            let before = pos > 0 && Self.isWord(input[pos - 1])
            let after = pos < input.count && Self.isWord(input[pos])
            return (before != after) == (kind == .wordBoundary)
        }
    }

    /// Adds the threads reachable from `pc` without consuming input to `list`. Returns whether
    /// a match is reachable (at once when `stop`, else after adding every thread), nil when
    /// out of budget.
    private mutating func addThread(_ program: Int, _ pc: Int, at pos: Int, stamp: Int,
                                    to list: inout [Int], stop: Bool = true) -> Bool? {
        var matched = false
        let base = stack.count
        defer { stack.removeSubrange(base...) }
        stack.append(pc)
        while stack.count > base {
            let pc = stack.removeLast()
            if marks[program][pc] == stamp { continue }
            marks[program][pc] = stamp
            budget -= 1
            if budget < 0 { return nil }
            switch regex.programs[program].code[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .assertion(let kind):
                if assertionHolds(kind, at: pos) { stack.append(pc + 1) }
            case .lookahead(let sub, let negated):
                guard let found = lookahead(sub, at: pos) else { return nil }
                if found != negated { stack.append(pc + 1) }
            case .scalars:
                list.append(pc)
            case .match:
                if stop { return true }
                matched = true
            }
        }
        return matched
    }

    private mutating func lookahead(_ program: Int, at pos: Int) -> Bool? {
        if let table = lookaheads[program] { return table[pos] }
        guard let table = matchPositions(program) else { return nil }
        lookaheads[program] = table
        return table[pos]
    }

    /// For a reversed program: at which positions p some input[p..<q] matches it. One pass
    /// from the end of the input to its start, starting a thread at every position.
    private mutating func matchPositions(_ program: Int) -> [Bool]? {
        let code = regex.programs[program].code
        if marks[program].isEmpty { marks[program] = Array(repeating: -1, count: code.count) }
        var table = [Bool](repeating: false, count: input.count + 1)
        var current: [Int] = []
        var next: [Int] = []
        var pos = input.count
        while true {
            stamp += 1
            let listStamp = stamp
            for pc in current { marks[program][pc] = listStamp }
            guard let matched = addThread(program, 0, at: pos, stamp: listStamp, to: &current, stop: false) else { return nil }
            if matched { table[pos] = true }
            if pos == 0 { return table }
            let c = input[pos - 1]
            stamp += 1
            let nextStamp = stamp
            next.removeAll(keepingCapacity: true)
            for pc in current {
                budget -= 1
                guard case .scalars(let set) = code[pc], regex.sets[set].contains(c) else { continue }
                guard let found = addThread(program, pc + 1, at: pos - 1, stamp: nextStamp, to: &next, stop: false) else { return nil }
                if found { table[pos - 1] = true }
            }
            if budget < 0 { return nil }
            swap(&current, &next)
            pos -= 1
        }
    }

    /// Whether `program` matches starting at `start` (or, `unanchored`, at any position from
    /// there on); nil when out of budget.
    mutating func run(program: Int, at start: Int, unanchored: Bool) -> Bool? {
        let code = regex.programs[program].code
        if marks[program].isEmpty { marks[program] = Array(repeating: -1, count: code.count) }
        var current: [Int] = []
        var next: [Int] = []
        var pos = start
        while true {
            stamp += 1
            let listStamp = stamp
            // Threads carried over were added under the previous stamp; re-mark them.
            for pc in current { marks[program][pc] = listStamp }
            if pos == start || unanchored {
                guard let matched = addThread(program, 0, at: pos, stamp: listStamp, to: &current) else { return nil }
                if matched { return true }
            }
            if pos >= input.count || (current.isEmpty && !unanchored) { return false }
            let c = input[pos]
            stamp += 1
            let nextStamp = stamp
            next.removeAll(keepingCapacity: true)
            for pc in current {
                budget -= 1
                guard case .scalars(let set) = code[pc], regex.sets[set].contains(c) else { continue }
                guard let matched = addThread(program, pc + 1, at: pos + 1, stamp: nextStamp, to: &next) else { return nil }
                if matched { return true }
            }
            if budget < 0 { return nil }
            swap(&current, &next)
            pos += 1
        }
    }
}
