#!/usr/bin/env bash
# Benchmark: an importer's everyday commands must not cost more as a contract's history grows
# (issue 13: "cost independent of history"). Builds two realms in which app exports contract c to
# other: one where c has 1 published version, one where it has N (default 1,000), and times the
# importer's `git realm status` and `git realm sync --dry-run` in both (median of 15 runs, taken
# in turn in the two realms), the importer having acknowledged the newest version in both.
#
#   scripts/benchmark-history.sh [--versions N] [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
versions=1000
config=release
while [ $# -gt 0 ]; do
    case "$1" in
        --versions) versions="$2"; shift 2 ;;
        --debug) config=debug; shift ;;
        *) echo "usage: $0 [--versions N] [--debug]" >&2; exit 2 ;;
    esac
done
. scripts/bench-sandbox.sh
bench_sandbox history

# realm NAME COUNT: a realm where c has COUNT published versions; prints the importer's path.
realm() {
    local name="$1" count="$2" dir="$work/$1"
    mkdir -p "$dir"; cd "$dir"
    git init -q --bare realm.git
    git realm admin init realm.git --name "$name" --no-require-approval --grace-period-days 0 >/dev/null
    git init -q app && (cd app && git commit -q --allow-empty -m init && git realm admin join ../realm.git >/dev/null)
    git init -q other && (cd other && git commit -q --allow-empty -m init && git realm admin join ../realm.git >/dev/null)
    (cd app && git realm admin domain create d --repos app,other --contract c >/dev/null)
    git clone -q realm.git clone
    local contract=clone/domains/d/contracts/c.yaml evolution="" i
    for i in $(seq 2 "$count"); do
        evolution="$evolution  - version: \"1.$i.0\"\n    changes: [\"+ p$i\"]\n    compatible: true\n"
        printf "name: c\nversion: \"1.$i.0\"\nowner: app\ncompatibility:\n  backwards: true\n  forwards: false\nschema:\n  type: object\nvalue:\n  read: [a, p$i]\nevolution:\n  - version: \"1.0.0\"\n    changes: [Initial contract]\n    compatible: true\n$evolution" > "$contract"
        git -C clone commit -q -am "c 1.$i.0"
    done
    git -C clone push -q origin HEAD:main
    # Untimed: the importer fetches (and verifies) the history and acknowledges the newest
    # version, as after any everyday sync: both realms are measured in the same steady state.
    (cd other && git realm status --fetch >/dev/null && git realm sync >/dev/null)
    cd "$work"
    echo "$dir/other"
}
us() { echo $(( ${1%.*} * 1000000 + 10#${1#*.} )); }
runs=15
# timed DIR CMD...: the wall time of one run of CMD in DIR, in microseconds.
timed() {
    local dir="$1" s e; shift
    s=$EPOCHREALTIME
    (cd "$dir" && "$@" >/dev/null) || { echo "benchmark-history: '$*' failed" >&2; exit 1; }
    e=$EPOCHREALTIME
    echo $(( $(us "$e") - $(us "$s") ))
}
median() { sort -n | sed -n "$(( ($runs + 1) / 2 ))p" | awk '{ printf "%.1f", $1 / 1000 }'; }
# paired A B CMD...: the median of CMD in A and in B (ms), the runs taken in turn (A, B, A, B...)
# so that a load on a shared machine falls on both alike.
paired() {
    local a="$1" b="$2" i; shift 2
    local ta=() tb=()
    for i in $(seq "$runs"); do
        ta+=($(timed "$a" "$@"))
        tb+=($(timed "$b" "$@"))
    done
    echo "$(printf '%s\n' "${ta[@]}" | median) $(printf '%s\n' "${tb[@]}" | median)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "PASS" : "FAIL" }'; }

one=$(realm one 1)
many=$(realm many "$versions")
read -r sn s1 < <(paired "$many" "$one" git realm status)
read -r dn d1 < <(paired "$many" "$one" git realm sync --dry-run)
lines=$(cd "$many" && git realm status | wc -l)
echo "an importer's commands with $versions published versions of its contract, against 1 ($config, median of $runs paired runs, ms)"
echo "status:         $sn vs $s1 = $(ratio "$sn" "$s1")x  (target <= 1.2x: $(verdict "$(ratio "$sn" "$s1")" 1.2)); $lines lines printed"
echo "sync --dry-run: $dn vs $d1 = $(ratio "$dn" "$d1")x  (target <= 1.2x: $(verdict "$(ratio "$dn" "$d1")" 1.2))"
