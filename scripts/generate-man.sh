#!/usr/bin/env bash
# Regenerates man/*.1 from the command tree, and docs/exit-codes.md from ExitStatus (the one
# source of the exit-code table). Run after changing any command, flag or exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product git-realm >/dev/null
rm -f man/git-realm*.1
"$(swift build --show-bin-path)/git-realm" __generate-man --output man --exit-codes docs/exit-codes.md >/dev/null
ls man | wc -l | xargs echo "man pages:"
