#ifndef GIT_REALM_CGIT2_SETUP_H
#define GIT_REALM_CGIT2_SETUP_H

/* Whether this process skipped the CA bundle that libgit2 built with mbedTLS parses in
   git_libgit2_init() (see ca_bundle.c). 1 when libgit2 called the replacement, 0 otherwise. */
int git_realm_ca_bundle_skipped(void);

#endif
