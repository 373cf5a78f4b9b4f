#!/usr/bin/env bash
# Installs what the tests need (as root, on Debian) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libgit2-dev libyaml-dev pkg-config git git-lfs man-db openssh-server openssh-client lighttpd gnupg; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then echo "test.sh: please install: ${need[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The JSON Schema Test Suite is a submodule pinned to an upstream commit; where it cannot be
# fetched (no network) the tests use ../shared/conformance, or report themselves skipped.
suite=Tests/Conformance/JSON-Schema-Test-Suite
if [ -d .git ] || [ -f .git ]; then
    if [ ! -d "$suite/tests" ] && ! GIT_TERMINAL_PROMPT=0 timeout 30 git submodule update --init --depth 1 -- "$suite" >/dev/null 2>&1; then
        echo "test.sh: could not fetch the $suite submodule; conformance tests use ../shared/conformance where it exists" >&2
    fi
fi
swift build --build-tests
swift test --skip-build
