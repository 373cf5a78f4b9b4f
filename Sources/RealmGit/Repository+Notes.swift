import RealmLimits
import CGit2
import RealmSupport

extension Repository {
    /// The note on `target` in the notes ref's current tip; nil when the ref or
    /// the note does not exist.
    public func note(ref notesRef: String, on target: OID) throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
            var id = target.raw
            var out: OpaquePointer?
            if let tip = try resolveUnlocked(notesRef) { try checkNoteSize(notesCommit: tip, target: target) }
            guard try checkFound(git_note_read(&out, raw, notesRef, &id), "read note on \(target) in \(notesRef)") else { return nil }
            let note = try Handle.own(out, free: git_note_free, "read note")
            defer { withExtendedLifetime(note) {} }
            return decodeCString(git_note_message(note.pointer))
        }
    }

    /// The note on `target` as of a given notes commit; nil when absent.
    public func note(notesCommit: OID, on target: OID) throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
            try checkNoteSize(notesCommit: notesCommit, target: target)
            let commit = try lookupCommit(notesCommit)
            defer { withExtendedLifetime(commit) {} }
            var id = target.raw
            var out: OpaquePointer?
            guard try checkFound(git_note_commit_read(&out, raw, commit.pointer, &id), "read note on \(target) in \(notesCommit)") else { return nil }
            let note = try Handle.own(out, free: git_note_free, "read note")
            defer { withExtendedLifetime(note) {} }
            return decodeCString(git_note_message(note.pointer))
        }
    }

    /// Refuses a note larger than `Limits.noteBytes` before libgit2 reads it into memory. The
    /// note is at the target's hex in the notes tree, or under a fan-out (`ab/cdef...`).
    private func checkNoteSize(notesCommit: OID, target: OID) throws(GitError) {
        let tree = try lookupTree(notesCommit)
        let hex = target.hex
        var paths = [hex]
        for depth in 1...3 {
            var parts: [String] = []
            var rest = Substring(hex)
            for _ in 0..<depth { parts.append(String(rest.prefix(2))); rest = rest.dropFirst(2) }
            paths.append((parts + [String(rest)]).joined(separator: "/"))
        }
        for path in paths {
            guard let entry = try entryUnlocked(path, in: tree), entry.kind == .blob else { continue }
            let size = try objectSizeUnlocked(entry.oid)
            if size > Limits.noteBytes {
                throw GitError.invalid("the note on \(hex.prefix(12)) is \(size) bytes, larger than the limit of \(Limits.noteBytes)")
            }
            return
        }
    }

    /// A new notes commit whose parent is `parent` (nil: a root notes commit)
    /// with the note for `target` set to `text` (replacing any previous note),
    /// WITHOUT updating any ref: publish it with `updateRef` (CAS) afterwards.
    /// The text is stored verbatim (`git notes add -m` would append "\n").
    /// Identity as in `createCommit`.
    public func createNotesCommit(parent: OID?, target: OID, text: String, author: Signature? = nil) throws(GitError) -> OID {
        try requireNoNUL(text, "note text")
        return try locked { () throws(GitError) -> OID in
            let parentCommit = try parent.map { (oid: OID) throws(GitError) -> Handle in try lookupCommit(oid) }
            let (authorSig, committerSig) = try signatures(author)
            defer { withExtendedLifetime((parentCommit, authorSig, committerSig)) {} }
            var id = target.raw
            var commitOut = git_oid()
            var blobOut = git_oid()
            try check(git_note_commit_create(&commitOut, &blobOut, raw, parentCommit?.pointer, authorSig.pointer,
                                             committerSig.pointer, &id, text, 1),
                      "create notes commit for \(target)")
            return OID(commitOut)
        }
    }
}
