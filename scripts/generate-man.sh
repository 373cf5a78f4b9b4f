#!/usr/bin/env bash
# Regenerates man/*.1 from the command tree. Run after changing any command or flag.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product git-realm >/dev/null
rm -f man/git-realm*.1
"$(swift build --show-bin-path)/git-realm" __generate-man --output man >/dev/null
ls man | wc -l | xargs echo "man pages:"
