#ifndef GIT_REALM_CGIT2_PACK_H
#define GIT_REALM_CGIT2_PACK_H

#include <stddef.h>
#include <git2.h>

/* An object batch: the objects a command writes through one repository handle are held in
   memory and then stored as a single pack, instead of one loose file each (object_batch.c). */
typedef struct git_realm_object_batch git_realm_object_batch;

/* Puts a batch in front of `odb`: every later write through it is held in memory (and
   readable). The odb owns the batch and frees it. */
int git_realm_object_batch_new(git_realm_object_batch **out, git_odb *odb);

/* Stores every object written since the batch was made as one pack in `odb` (which `repo`
   uses); with none, writes nothing. Call once. */
int git_realm_object_batch_write(git_realm_object_batch *batch, git_repository *repo, git_odb *odb);

#endif
