#!/usr/bin/env bash
# Peak memory of everyday commands on a realm with one large contract (issue 9: peak memory
# within a small multiple of the input's size). Not a test: it prints figures.
#
#   scripts/benchmark-memory.sh [--mb N] [--runs N] [--keep DIR]
#
# Generates a contract whose value is a list of N MB of small objects (strings, integers,
# booleans, short lists), a realm in which `owner` exports it (declared in its .gitrealm, the
# value read from values.yaml: the same value, so sync has nothing to publish) and `consumer`
# imports it, and runs each command under /usr/bin/time -v ("Maximum resident set size").
# The baseline is the same command on the same realm with a one-line value. Figures are the
# median of --runs runs (default 3). Needs: a release build (made here), git, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=3
runs=3
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --mb) mb="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "usage: $0 [--mb N] [--runs N] [--keep DIR]" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "benchmark-memory: needs /usr/bin/time (GNU time)" >&2; exit 2; }

swift build -c release --static-swift-stdlib --product git-realm >/dev/null
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
work="${keep:-$(mktemp -d /tmp/git-realm-mem.XXXXXX)}"
mkdir -p "$work/bin" "$work/home"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
ln -sf "$bin/git-realm" "$work/bin/git-realm"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_REALM_COLOR=never LC_ALL=C
export PATH="$work/bin:$PATH"
git config --global user.name Bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main

# value_yaml ENTRIES: the value, a mapping with one list of ENTRIES small objects (about 150
# bytes of YAML each).
value_yaml() {
    awk -v n="$1" 'BEGIN {
        print "entries:"
        split("alpha beta gamma delta epsilon zeta eta theta", words, " ")
        for (i = 1; i <= n; i++) {
            printf "  - name: item-%06d\n", i
            printf "    path: s3://bucket-%d/data/team-%d/%06d/part-%d.parquet\n", i % 17, i % 41, i, i % 7
            printf "    size: %d\n", (i * 7919) % 1000000
            printf "    enabled: %s\n", (i % 3 ? "true" : "false")
            printf "    tags: [%s, %s, %s]\n", words[i % 8 + 1], words[(i + 3) % 8 + 1], words[(i + 5) % 8 + 1]
        }
    }'
}

# make_realm DIR ENTRIES: a bare realm in DIR; owner exports `large` (value: ENTRIES entries)
# in domain `big`, consumer imports it.
make_realm() {
    local dir="$1" entries="$2" src="$1.src"
    rm -rf "$src" "$dir"
    mkdir -p "$src/repos" "$src/domains/big/contracts" "$src/domains/big/bindings"
    printf 'name: bench\nversion: "1.0.0"\ncreated_at: 2026-01-01T00:00:00Z\ngovernance:\n  admission: open\n' > "$src/realm.yaml"
    for r in owner consumer; do
        printf 'name: %s\npath: /nowhere/%s\nmaintainers: []\njoined_at: 2026-01-01T00:00:00Z\n' "$r" "$r" > "$src/repos/$r.yaml"
    done
    printf 'name: big\ndescription: bench\ncreated_at: 2026-01-01T00:00:00Z\nmembers: [owner, consumer]\n' > "$src/domains/big/domain.yaml"
    value_yaml "$entries" > "$dir.values.yaml"
    {
        printf 'name: large\nversion: "1.0.0"\nowner: owner\nschema:\n  type: object\n  properties:\n'
        printf '    entries:\n      type: array\n      items:\n        type: object\n        required: [name, path]\n'
        printf '        properties:\n          name: {type: string}\n          path: {type: string}\n'
        printf '          size: {type: integer, minimum: 0}\n          enabled: {type: boolean}\n'
        printf '          tags: {type: array, items: {type: string}}\n'
        printf 'value:\n'
        sed 's/^/  /' "$dir.values.yaml"
        printf 'evolution:\n  - version: "1.0.0"\n    changes: [init]\n    compatible: true\n'
    } > "$src/domains/big/contracts/large.yaml"
    printf 'repo: owner\nrole: provider\nexports:\n  - contract: large\n    source_files: [values.yaml]\n    from_file: values.yaml\n' > "$src/domains/big/bindings/owner.yaml"
    printf 'repo: consumer\nrole: consumer\nimports:\n  - contract: large\n    from: owner\n    version: "^1.0.0"\n    status: current\n    resolved_version: "1.0.0"\n' > "$src/domains/big/bindings/consumer.yaml"
    git init -q --bare "$dir"
    git -C "$src" init -q
    git -C "$src" add -A
    git -C "$src" commit -qm "bench realm"
    git -C "$src" push -q "$dir" HEAD:main
    cp "$src/domains/big/contracts/large.yaml" "$dir.contract.yaml"
    rm -rf "$src"
}

# participant DIR REALM NAME [VALUES]: a repo that is NAME in REALM with the realm fetched;
# with VALUES, it exports `large` from its values.yaml (a copy of VALUES), declared in .gitrealm.
participant() {
    local dir="$1" realm="$2" name="$3" values="${4:-}"
    rm -rf "$dir"; mkdir -p "$dir"
    git -C "$dir" init -q
    printf '[realm]\n\tname = bench\n\turl = %s\n\trepo = %s\n' "$realm" "$name" > "$dir/.gitrealm"
    if [ -n "$values" ]; then
        cp "$values" "$dir/values.yaml"
        printf '[export "large"]\n\tsource = values.yaml\n\tfile = values.yaml\n' >> "$dir/.gitrealm"
    else
        printf 'readme\n' > "$dir/README"
    fi
    git -C "$dir" add -A; git -C "$dir" commit -qm init
    (cd "$dir" && git realm status --fetch >/dev/null)
}

# measure DIR CMD...: runs CMD in DIR $runs times under /usr/bin/time; prints "median peak RSS
# in KiB" and "median wall time in ms". A failing run stops the benchmark.
measure() {
    local dir="$1" i kb=() ms=(); shift
    for ((i = 0; i < runs; i++)); do
        if ! (cd "$dir" && /usr/bin/time -f '%M %e' -o "$work/time" "$@" >"$work/out" 2>"$work/err"); then
            echo "benchmark-memory: failed in $dir: $*" >&2; cat "$work/out" "$work/err" >&2; exit 1
        fi
        read -r k s < "$work/time"
        kb+=("$k"); ms+=("$(awk -v s="$s" 'BEGIN { printf "%d", s * 1000 }')")
    done
    local mk mm
    mk=$(printf '%s\n' "${kb[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    mm=$(printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$mk $mm"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "%.1f", (a - b) * 1024 / s }'; }

entries=$(( mb * 1024 * 1024 / 150 ))
make_realm "$work/large.git" "$entries"
make_realm "$work/tiny.git" 1
size=$(wc -c < "$work/large.git.contract.yaml")
vsize=$(wc -c < "$work/large.git.values.yaml")
for r in large tiny; do
    participant "$work/$r-owner" "$work/$r.git" owner "$work/$r.git.values.yaml"
    participant "$work/$r-consumer" "$work/$r.git" consumer
done
# The exporter's sync must find nothing to publish (its value is the realm's).
(cd "$work/large-owner" && git realm sync) >"$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
if grep -q "Published" "$work/out"; then echo "benchmark-memory: sync published something" >&2; cat "$work/out" >&2; exit 1; fi

read -r version_kb _ <<< "$(measure "$work/tiny-owner" git realm --version)"
echo "git-realm peak memory ($(nproc) cores, median of $runs runs; /usr/bin/time -v 'Maximum resident set size')"
echo "contract file: $(mib $(( size / 1024 ))) MiB ($size bytes, $entries list entries); the exporter's values.yaml: $vsize bytes"
echo "git realm --version: $(mib "$version_kb") MiB"
echo
printf '%-34s %10s %10s %10s %9s %9s\n' "command" "baseline" "peak" "above" "x size" "time"
row() {
    local label="$1" who="$2"; shift 2
    local base peak bms pms
    read -r base bms <<< "$(measure "$work/tiny-$who" "$@")"
    read -r peak pms <<< "$(measure "$work/large-$who" "$@")"
    printf '%-34s %7s MiB %7s MiB %7s MiB %8sx %6s ms\n' "$label" "$(mib "$base")" "$(mib "$peak")" \
        "$(mib $(( peak - base )))" "$(ratio "$peak" "$base" "$size")" "$pms"
}
row "status (exporter)" owner git realm status
row "status (importer)" consumer git realm status
row "check --mode=contract" owner git realm check --mode=contract
row "sync (nothing to sync)" owner git realm sync
echo
echo "baseline: the same command on the same realm with a one-entry value; above = peak - baseline;"
echo "x size = above / contract file size (the exporter also reads values.yaml, about as large)."
