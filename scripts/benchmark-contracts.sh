#!/usr/bin/env bash
# Benchmarks of the contract engine: schema diff of two generated schemas (5,000 properties
# nested four deep; target <= 200 ms) and JSON Schema validation throughput on a ~10 MB
# instance, each the median of several runs, with ratios to JSON parsing. Not a test: it
# prints figures (recorded in docs/benchmarks.md) and exits 1 when a target is missed.
#
#   scripts/benchmark-contracts.sh [--runs N] [--scratch-path DIR]
#
# Builds release binaries (git-realm and the realm-bench helper) under DIR (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=15
scratch=".build"
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --scratch-path) scratch="$2"; shift 2 ;;
        *) echo "usage: $0 [--runs N] [--scratch-path DIR]" >&2; exit 2 ;;
    esac
done

for product in realm-bench git-realm; do
    swift build -c release --scratch-path "$scratch" --product "$product" 2>&1 | grep -E "error|Build" | tail -1 >&2
done
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
work="$(mktemp -d /tmp/git-realm-bench-contracts.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "git-realm contract engine benchmarks ($(uname -m), $(nproc) cores, release build)"
echo
status=0
"$bin/realm-bench" diff --properties 5000 --depth 4 --runs "$runs" --target-ms 200 || status=1

# The same diff through the command line: process start, reading and parsing both files,
# validating and comparing them.
"$bin/realm-bench" schema --properties 5000 --depth 4 --variant 0 > "$work/old.json"
"$bin/realm-bench" schema --properties 5000 --depth 4 --variant 1 > "$work/new.json"
samples=()
for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    "$bin/git-realm" schema diff "$work/old.json" "$work/new.json" --json > /dev/null || true
    end=$(date +%s%N)
    samples+=($(( (end - start) / 1000 )))
done
cli=$(printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}')
verdict=$(awk -v v="$cli" 'BEGIN { print (v <= 200 ? "PASS" : "FAIL") }')
echo "  git realm schema diff (end to end): $cli ms  target <= 200 ms: $verdict"
[ "$verdict" = PASS ] || status=1
echo
"$bin/realm-bench" validate --megabytes 10 --runs "$(( runs < 7 ? runs : 7 ))"
exit "$status"
