import CGit2

extension Repository {
    /// The note on `target` in the notes ref's current tip; nil when the ref or
    /// the note does not exist.
    public func note(ref notesRef: String, on target: OID) throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
            var id = target.raw
            var out: OpaquePointer?
            guard try checkFound(git_note_read(&out, raw, notesRef, &id), "read note on \(target) in \(notesRef)") else { return nil }
            let note = try Handle.own(out, free: git_note_free, "read note")
            defer { withExtendedLifetime(note) {} }
            return decodeCString(git_note_message(note.pointer))
        }
    }

    /// The note on `target` as of a given notes commit; nil when absent.
    public func note(notesCommit: OID, on target: OID) throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
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
