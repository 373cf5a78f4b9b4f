/* Writing a command's new objects as one pack.
 *
 * libgit2 writes every new object as a loose file: a temporary file, a rename, and often a
 * new fan-out directory. A sync writes about ten objects (a contract blob, the trees above it,
 * a commit, a note blob, notes trees, a notes commit), and on a filesystem where creating an
 * inode costs 0.3-1.5 ms that was a sixth of its time. git itself packs what it receives.
 *
 * libgit2's mempack backend holds writes in memory and serves reads, but its dump (1.5)
 * packs the whole tree of every new commit: 260 objects and a delta search for a realm
 * of a hundred repos. So a small recording backend sits in front of it: it takes every write,
 * notes the object id and hands the object to the mempack. Writing the batch packs exactly the
 * noted objects with a packbuilder and stores the pack through the object database's own
 * pack writer (libgit2's indexer: a .pack and an .idx, renamed into place).
 */
#include "CGit2Pack.h"

#include <stdlib.h>
#include <string.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>

struct git_realm_object_batch {
    git_odb_backend parent;
    git_odb_backend *store;   /* the mempack; owned by the odb */
    git_oid *ids;
    size_t count, capacity;
};

static int batch_write(git_odb_backend *backend, const git_oid *id, const void *data, size_t len, git_object_t type) {
    git_realm_object_batch *batch = (git_realm_object_batch *)backend;
    if (batch->count == batch->capacity) {
        size_t capacity = batch->capacity ? batch->capacity * 2 : 16;
        git_oid *ids = realloc(batch->ids, capacity * sizeof(git_oid));
        if (!ids) {
            git_error_set_oom();
            return -1;
        }
        batch->ids = ids;
        batch->capacity = capacity;
    }
    int error = batch->store->write(batch->store, id, data, len, type);
    if (error == 0)
        git_oid_cpy(&batch->ids[batch->count++], id);
    return error;
}

static void batch_free(git_odb_backend *backend) {
    git_realm_object_batch *batch = (git_realm_object_batch *)backend;
    free(batch->ids);
    free(batch);
}

int git_realm_object_batch_new(git_realm_object_batch **out, git_odb *odb) {
    git_odb_backend *store = NULL;
    int error = git_mempack_new(&store);
    if (error < 0)
        return error;
    /* Reads are served by the mempack (999), writes taken by the batch (1000). */
    if ((error = git_odb_add_backend(odb, store, 999)) < 0) {
        store->free(store);
        return error;
    }
    git_realm_object_batch *batch = calloc(1, sizeof(*batch));
    if (!batch) {
        git_error_set_oom();
        return -1;
    }
    batch->parent.version = GIT_ODB_BACKEND_VERSION;
    batch->parent.write = batch_write;
    batch->parent.free = batch_free;
    batch->store = store;
    if ((error = git_odb_add_backend(odb, &batch->parent, 1000)) < 0) {
        batch_free(&batch->parent);
        return error;
    }
    *out = batch;
    return 0;
}

int git_realm_object_batch_write(git_realm_object_batch *batch, git_repository *repo, git_odb *odb) {
    git_packbuilder *builder = NULL;
    git_buf pack = GIT_BUF_INIT;
    git_odb_writepack *writepack = NULL;
    git_indexer_progress stats = {0};
    int error;

    if (batch->count == 0)
        return 0;
    if ((error = git_packbuilder_new(&builder, repo)) < 0)
        return error;
    git_packbuilder_set_threads(builder, 1);
    for (size_t i = 0; i < batch->count && error == 0; i++)
        error = git_packbuilder_insert(builder, &batch->ids[i], NULL);
    if (error == 0)
        error = git_packbuilder_write_buf(&pack, builder);
    if (error == 0)
        error = git_odb_write_pack(&writepack, odb, NULL, NULL);
    if (error == 0) {
        error = writepack->append(writepack, pack.ptr, pack.size, &stats);
        if (error == 0)
            error = writepack->commit(writepack, &stats);
        writepack->free(writepack);
    }
    git_buf_dispose(&pack);
    git_packbuilder_free(builder);
    return error;
}
