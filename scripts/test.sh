#!/usr/bin/env bash
# Installs what the tests need (as root, on Debian) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libgit2-dev libyaml-dev pkg-config git git-lfs man-db openssh-server openssh-client lighttpd; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then echo "test.sh: please install: ${need[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
swift build --build-tests
swift test --skip-build
