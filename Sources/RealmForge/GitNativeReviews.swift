import RealmGit
import RealmLimits

extension GitNativeForge {
    /// The PR's reviews with each approval or change request of `head` proven (docs/pr.md
    /// "Trust"): the metadata commit that added it is found by walking the PR's metadata
    /// commits back from `commit` (at most `Limits.forgeMetadataCommits`), and the realm judges
    /// it (`reviewJudge`) by that commit's author, signature, and the PR's author and reviewers.
    /// A review added further back, or while the PR had another head or base branch, does not
    /// count. Reviews of other heads are returned unproven-free (they approve nothing).
    func proveReviews(_ meta: PullMetadata, commit tip: OID, head: String) throws(ForgeError) -> [Review] {
        var reviews = meta.reviews
        var pending = Set(reviews.indices.filter {
            reviews[$0].commit == head && (reviews[$0].state == .approved || reviews[$0].state == .changesRequested)
        })
        guard !pending.isEmpty else { return reviews }
        let repository = try repository()
        var adders: [Int: (oid: OID, meta: PullMetadata)] = [:]
        var child = (oid: tip, meta: meta)
        var walked = 0
        while !pending.isEmpty {
            let parents: [OID]
            do { parents = try repository.commit(child.oid).parents } catch { throw .malformed("\(RefLayout.forgePull(meta.number)): \(why(error))") }
            guard let parent = parents.first else {
                for i in pending { adders[i] = child }
                pending.removeAll()
                break
            }
            walked += 1
            guard walked <= Limits.forgeMetadataCommits else { break }
            // A parent that does not read as this PR's metadata added nothing the child holds.
            let older = try? read(meta.number, commit: parent)
            for i in pending where older.map({ $0.reviews.count <= i || $0.reviews[i] != reviews[i] }) ?? true {
                adders[i] = child
                pending.remove(i)
            }
            guard let older else { break }
            child = (parent, older)
        }
        var judged: [String: ReviewProof] = [:]
        for i in reviews.indices where reviews[i].commit == head && (reviews[i].state == .approved || reviews[i].state == .changesRequested) {
            guard let adder = adders[i] else {
                reviews[i].proof = .unproven("added more than \(Limits.forgeMetadataCommits) metadata commits ago: not read")
                continue
            }
            guard adder.meta.head == meta.head, adder.meta.base == meta.base else {
                reviews[i].proof = .unproven("given while the pull request was from \(adder.meta.head) into \(adder.meta.base)")
                continue
            }
            let authors = Set([meta.author, adder.meta.author])
            if reviews[i].state == .approved {
                if authors.contains(reviews[i].user) {
                    reviews[i].proof = .unproven("opened the pull request: an author's own approval does not count")
                    continue
                }
                if !meta.reviewers.isEmpty && !meta.reviewers.contains(reviews[i].user) {
                    reviews[i].proof = .unproven("not a requested reviewer (\(meta.reviewers.joined(separator: ", ")))")
                    continue
                }
            }
            let key = "\(adder.oid.hex) \(reviews[i].user) \(reviews[i].state.rawValue)"
            if let known = judged[key] {
                reviews[i].proof = known
                continue
            }
            let info: CommitInfo
            let signature: (signature: String, payload: [UInt8])?
            do {
                info = try repository.commit(adder.oid)
                signature = try repository.commitSignature(adder.oid)
            } catch { throw .malformed("\(RefLayout.forgePull(meta.number)): \(why(error))") }
            let evidence = ReviewEvidence(repo: repoName, review: reviews[i], commitAuthor: info.authorEmail,
                                          signature: signature?.signature, payload: signature?.payload ?? [],
                                          authors: authors.sorted(),
                                          requestedReviewers: meta.reviewers)
            let proof = reviewJudge(evidence)
            judged[key] = proof
            reviews[i].proof = proof
        }
        return reviews
    }
}
