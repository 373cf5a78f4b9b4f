/*
 * libgit2 1.5 built with mbedTLS (Debian's libgit2-1.5) parses the whole system CA bundle,
 * /etc/ssl/certs/ca-certificates.crt, inside git_libgit2_init(): 4-5 ms of base64 and X.509
 * decoding on every start, a third of a pre-push hook's budget.
 *
 * git-realm never uses libgit2's network transports: fetch and push run the git program, so
 * that users' credential helpers, SSH config, proxies and insteadOf rules apply
 * (docs/git-layer.md). The certificates are never used. This definition, exported from the
 * executable, takes the place of mbedTLS's for libgit2 (the dynamic linker binds the
 * executable's symbols first), and loads no certificates.
 *
 * It fails closed: were libgit2 ever asked for an HTTPS connection in this process, it would
 * have no trust anchors and refuse every certificate; nothing is accepted that would not be.
 * With libgit2 built against OpenSSL or another TLS library this function is simply unused.
 */
#include "CGit2Setup.h"

static int skipped = 0;

__attribute__((visibility("default"), used))
int mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    (void)chain;
    (void)path;
    skipped = 1;
    return 0;
}

int git_realm_ca_bundle_skipped(void) {
    return skipped;
}
