#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call: these wrappers set the options
   git-realm needs, once, at initialisation. */

/* Cache trees and commits of any realistic size: a realm's domains/ tree with a thousand
   entries is ~40 KiB, far over libgit2's default 4 KiB tree limit, and without caching every
   path lookup inflates it again. */
static inline int git_realm_set_cache_limits(size_t tree_limit, size_t commit_limit) {
    int error = git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, tree_limit);
    if (error == 0)
        error = git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_COMMIT, commit_limit);
    return error;
}

/* git does not re-hash objects on every read either (git fsck does); libgit2 does by default. */
static inline int git_realm_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
