#!/usr/bin/env bash
# What the cache (docs/cache.md) saves: each command run with the cache cold (cleared before
# each run, untimed), warm, and with --no-cache, on exports computed each way git-realm knows.
# Not a test: it prints figures (median of several runs, milliseconds).
#
#   scripts/benchmark-cache.sh [--runs N] [--mb N] [--keep DIR]
#
# Exporters (each a repo of its own, the realm's contract equal to its value unless said):
#   file:    a value of N MB (default 3) read from values.yaml; the realm's contract is as large
#   tiny:    a one-line value read from values.yaml (the everyday case)
#   command: a Python script printing a value of 200 paths (`command = python3 print.py`)
#   detect:  the s3-paths detector over 300 source files (its value differs from the realm's)
# and the importer of the large contract. Needs: a release build (made here), git, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=9
mb=3
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --mb) mb="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "usage: $0 [--runs N] [--mb N] [--keep DIR]" >&2; exit 2 ;;
    esac
done
py="$(python3 -c 'import sys; print(sys.executable)')"

swift build -c release --static-swift-stdlib --product git-realm >/dev/null
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
work="${keep:-$(mktemp -d /tmp/git-realm-cache.XXXXXX)}"
mkdir -p "$work/bin" "$work/home"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
ln -sf "$bin/git-realm" "$work/bin/git-realm"
ln -sf "$py" "$work/bin/python3"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_REALM_COLOR=never LC_ALL=C
export PATH="$work/bin:$PATH"
git config --global user.name Bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main

us() { echo $(( ${1%.*} * 1000000 + 10#${1#*.} )); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f", m/1000}'; }
# timed DIR PREP CMD...: CMD's wall time in microseconds, after PREP (untimed; "" for none).
timed() {
    local dir="$1" prep="$2" start end; shift 2
    [ -z "$prep" ] || (cd "$dir" && $prep) >/dev/null 2>&1
    start=$EPOCHREALTIME
    if ! (cd "$dir" && "$@") >/dev/null 2>"$work/stderr"; then
        echo "benchmark-cache: failed in $dir: $*" >&2; cat "$work/stderr" >&2; exit 1
    fi
    end=$EPOCHREALTIME
    echo $(( $(us "$end") - $(us "$start") ))
}
# Cold: the cache emptied (the contract-history index, which `admin cache clear` also removes,
# is kept: it is not what is measured here).
clear_cache() { rm -rf "$(git rev-parse --git-common-dir)/git-realm/cache"; }
# row LABEL DIR FUNC: cold, warm and cache off measured in turns (the machine's speed drifts).
# FUNC runs one command; its arguments are git's options: none, or `-c realm.cache=false`
# (what --no-cache does, for the hook too: the code paths git-realm had before the cache).
row() {
    local label="$1" dir="$2" fn="$3" cold=() warm=() none=() i
    (cd "$dir" && $fn) >/dev/null 2>&1 || true
    # The order turns too (cold always before warm, which needs the entries it wrote): a run
    # right after another is not always the same one.
    for ((i = 0; i < runs; i++)); do
        [ $((i % 3)) != 1 ] || none+=($(timed "$dir" "" $fn -c realm.cache=false))
        cold+=($(timed "$dir" clear_cache $fn))
        [ $((i % 3)) != 2 ] || none+=($(timed "$dir" "" $fn -c realm.cache=false))
        warm+=($(timed "$dir" "" $fn))
        [ $((i % 3)) != 0 ] || none+=($(timed "$dir" "" $fn -c realm.cache=false))
    done
    # Untimed: the warm runs really extracted nothing.
    if (cd "$dir" && GIT_REALM_TRACE=1 $fn 2>&1 >/dev/null) | grep -q "trace: extract:"; then
        echo "benchmark-cache: a warm run of $fn in $dir extracted" >&2; exit 1
    fi
    printf '%-46s %8s %8s %10s\n' "$label" "$(median "${cold[@]}")" "$(median "${warm[@]}")" "$(median "${none[@]}")"
}
status() { git "$@" realm status; }
check() { git "$@" realm check --mode=exporter; }
dry_sync() { git "$@" realm sync --dry-run; }
# The pre-push hook on a push of a commit that changes the exported value (it warns).
prepush() { echo "$line" | git -c realm.prePush=warn "$@" realm hook pre-push origin "$work/origin.git"; }

# The value of the large export: a list of small objects, about 150 bytes of YAML each.
value_yaml() {
    awk -v n="$1" 'BEGIN {
        print "entries:"
        for (i = 1; i <= n; i++) {
            printf "  - name: item-%06d\n    path: s3://bucket-%d/data/%06d/part.parquet\n    size: %d\n    enabled: %s\n    tags: [a, b, c]\n",
                   i, i % 17, i, (i * 7919) % 1000000, (i % 3 ? "true" : "false")
        }
    }'
}
printer='import json
print(json.dumps({"read": ["data/p%03d/*" % i for i in range(200)], "write": []}))'

src="$work/realm.src"
mkdir -p "$src/repos"
printf 'name: bench\nversion: "1.0.0"\ncreated_at: 2026-01-01T00:00:00Z\ngovernance:\n  admission: open\n' > "$src/realm.yaml"
value_yaml $(( mb * 1024 * 1024 / 150 )) > "$work/large.yaml"
printf 'read: [a]\n' > "$work/tiny.yaml"
printf '%s\n' "$printer" > "$work/print.py"
python3 "$work/print.py" > "$work/command.json"
printf 'read: []\nwrite: []\n' > "$work/detect.json"
repo() { printf 'name: %s\npath: /nowhere\nmaintainers: []\njoined_at: 2026-01-01T00:00:00Z\n' "$1" > "$src/repos/$1.yaml"; }
contract() { # DOMAIN NAME OWNER VALUE-FILE: the contract, its owner's binding, the owner
    mkdir -p "$src/domains/$1/contracts" "$src/domains/$1/bindings"
    { printf 'name: %s\nversion: "1.0.0"\nowner: %s\nschema:\n  type: object\nvalue:\n' "$2" "$3"
      sed 's/^/  /' "$4"
      printf 'evolution:\n  - version: "1.0.0"\n    changes: [init]\n    compatible: true\n'; } > "$src/domains/$1/contracts/$2.yaml"
    printf 'repo: %s\nrole: provider\nexports:\n  - contract: %s\n    source_files: [x]\n' "$3" "$2" > "$src/domains/$1/bindings/$3.yaml"
    repo "$3"
}
domain() { printf 'name: %s\ndescription: bench\ncreated_at: 2026-01-01T00:00:00Z\nmembers: [%s]\n' "$1" "$2" > "$src/domains/$1/domain.yaml"; }
# big: the large contract, its exporter and an importer; small: one exporter of each other kind.
contract big large owner-file "$work/large.yaml"
repo consumer
printf 'repo: consumer\nrole: consumer\nimports:\n  - contract: large\n    from: owner-file\n    version: "^1.0.0"\n    status: current\n    resolved_version: "1.0.0"\n' > "$src/domains/big/bindings/consumer.yaml"
domain big "owner-file, consumer"
contract small tiny owner-tiny "$work/tiny.yaml"
contract small printed owner-command "$work/command.json"
contract small detected owner-detect "$work/detect.json"
domain small "owner-tiny, owner-command, owner-detect"
git init -q --bare "$work/realm.git"
git -C "$src" init -q; git -C "$src" add -A; git -C "$src" commit -qm realm; git -C "$src" push -q "$work/realm.git" HEAD:main
rm -rf "$src"

participant() { # DIR NAME [EXPORT-LINES]
    local dir="$work/$1"
    mkdir -p "$dir"; git -C "$dir" init -q
    printf '[realm]\n\tname = bench\n\turl = %s\n\trepo = %s\n' "$work/realm.git" "$2" > "$dir/.gitrealm"
    [ -z "${3:-}" ] || printf '%b' "$3" >> "$dir/.gitrealm"
}
participant file owner-file '[export "large"]\n\tsource = values.yaml\n\tfile = values.yaml\n'
cp "$work/large.yaml" "$work/file/values.yaml"
participant tiny owner-tiny '[export "tiny"]\n\tsource = values.yaml\n\tfile = values.yaml\n'
cp "$work/tiny.yaml" "$work/tiny/values.yaml"
participant command owner-command '[export "printed"]\n\tsource = print.py\n\tcommand = python3 print.py\n'
cp "$work/print.py" "$work/command/print.py"
participant detect owner-detect '[export "detected"]\n\tsource = src/**/*.py\n\tdetect = s3-paths\n'
for ((i = 0; i < 300; i++)); do
    mkdir -p "$work/detect/src/m$((i % 10))"
    { for ((j = 0; j < 20; j++)); do printf 'def f%d():\n    return "s3://bucket-%d/team/%d/data/*"\n' "$j" "$i" "$j"; done
      printf 'def save():\n    upload("s3://out-%d/results/*")\n' "$i"; } > "$work/detect/src/m$((i % 10))/f$i.py"
done
participant consumer consumer
for r in file tiny command detect consumer; do
    git -C "$work/$r" add -A; git -C "$work/$r" commit -qm init
    (cd "$work/$r" && git realm status --fetch >/dev/null)
done

# The tiny exporter's push: a commit that changes its value, pushed to a real origin.
git init -q --bare "$work/origin.git"
git -C "$work/tiny" push -q "$work/origin.git" HEAD:refs/heads/main
printf 'read: [a, b]\n' > "$work/tiny/values.yaml"; git -C "$work/tiny" commit -qam values
line="refs/heads/main $(git -C "$work/tiny" rev-parse HEAD) refs/heads/main $(git -C "$work/tiny" rev-parse HEAD~1)"
git -C "$work/tiny" checkout -q HEAD~1 -- values.yaml   # the working tree as the realm has it

echo "git-realm cache ($(git --version), $(nproc) cores, median of $runs runs, ms; cold: cache cleared before each run)"
echo "large value: $(wc -c < "$work/large.yaml") bytes of YAML"
echo
printf '%-46s %8s %8s %10s\n' "command" "cold" "warm" "cache off"
row "status, exporter, ${mb} MB value from a file" "$work/file" status
row "check --mode=exporter, the same" "$work/file" check
row "sync --dry-run, the same" "$work/file" dry_sync
row "status, exporter, one-line value (everyday)" "$work/tiny" status
row "pre-push, the same, export source touched" "$work/tiny" prepush
row "status, exporter, python3 command" "$work/command" status
row "status, exporter, detect over 300 files" "$work/detect" status
row "status, importer of the ${mb} MB contract" "$work/consumer" status
