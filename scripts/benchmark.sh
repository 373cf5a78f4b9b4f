#!/usr/bin/env bash
# Benchmarks for git-realm's everyday paths, each printed beside the baseline it must beat.
# Not a test: it prints figures (median of several runs, milliseconds) and ratios.
#
#   scripts/benchmark.sh [--runs N] [--keep DIR] [--no-cache]
#
# --no-cache: with git config realm.cache=false, as git-realm ran before it had a cache
# (docs/cache.md): the "before" of the cache's figures.
#
# Needs: a release build (made here), git, git-lfs (for the pre-push baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=15
keep=""
nocache=""
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        --no-cache) nocache=1; shift ;;
        *) echo "usage: $0 [--runs N] [--keep DIR] [--no-cache]" >&2; exit 2 ;;
    esac
done

swift build -c release --static-swift-stdlib --product git-realm >/dev/null
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
work="${keep:-$(mktemp -d /tmp/git-realm-bench.XXXXXX)}"
mkdir -p "$work/bin" "$work/home"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
ln -sf "$bin/git-realm" "$work/bin/git-realm"
export HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_REALM_COLOR=never
export PATH="$work/bin:$PATH"
git config --global user.name Bench
git config --global user.email bench@example.com
git config --global init.defaultBranch main
[ -z "$nocache" ] || git config --global realm.cache false

# Times come from bash 5's EPOCHREALTIME (no process started to read the clock); us turns
# one into microseconds. LC_ALL=C keeps its decimal point a '.'.
export LC_ALL=C
us() { echo $(( ${1%.*} * 1000000 + 10#${1#*.} )); }
# sample PREP CMD...: runs PREP (untimed; "" for none), then CMD, and prints CMD's wall time
# in microseconds. A run that fails stops the benchmark: a figure for a failing command would
# be meaningless.
sample() {
    local prep="$1" start end; shift
    [ -z "$prep" ] || $prep >/dev/null 2>&1
    start=$EPOCHREALTIME
    if ! "$@" >/dev/null 2>"$work/stderr"; then
        echo "benchmark: failed: $*" >&2; cat "$work/stderr" >&2; exit 1
    fi
    end=$EPOCHREALTIME
    echo $(( $(us "$end") - $(us "$start") ))
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.1f", m/1000}'; }
# median_ms CMD... : runs CMD $runs times, prints the median wall time in ms (1 decimal).
# With PREPARE set to a command, that runs before each run, untimed (like hyperfine --prepare).
PREPARE=""
median_ms() {
    local samples=() i
    for ((i = 0; i < runs; i++)); do samples+=($(sample "$PREPARE" "$@")); done
    median "${samples[@]}"
}
# paired_ms PREP_A CMD_A PREP_B CMD_B: a figure and its baseline measured in turns (A, B, A,
# B, ...), so that both see the machine in the same state; prints "median_A median_B". On a
# shared VM whose speed drifts by a factor of two over minutes, two series measured one after
# the other compare the moments, not the commands.
paired_ms() {
    local a=() b=() i
    for ((i = 0; i < runs; i++)); do
        a+=($(sample "$1" $2))
        b+=($(sample "$3" $4))
    done
    echo "$(median "${a[@]}") $(median "${b[@]}")"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "PASS" : "FAIL") }'; }

# make_realm DIR REPOS CONTRACTS_PER_REPO: a realm where repo-i exports c-i in domain d-i to
# repo-(i+1) (a chain: no cycles), written straight into a repository.
make_realm() {
    local dir="$1" repos="$2"
    rm -rf "$dir.src" "$dir"
    mkdir -p "$dir.src/repos" "$dir.src/domains"
    cat > "$dir.src/realm.yaml" <<YAML
name: bench
version: "1.0.0"
created_at: 2026-01-01T00:00:00Z
governance:
  admission: open
  approvers: []
  breaking_changes:
    require_approval: true
    grace_period_days: 14
YAML
    local i next
    for ((i = 1; i <= repos; i++)); do
        printf 'name: repo-%04d\npath: /nowhere/repo-%04d\nmaintainers: [bench@example.com]\njoined_at: 2026-01-01T00:00:00Z\n' "$i" "$i" > "$dir.src/repos/repo-$(printf %04d $i).yaml"
        next=$(( i % repos + 1 )); [ "$i" = "$repos" ] && continue
        local d="$dir.src/domains/d-$(printf %04d $i)"
        mkdir -p "$d/contracts" "$d/bindings"
        printf 'name: d-%04d\ndescription: bench\ncreated_at: 2026-01-01T00:00:00Z\nmembers: [repo-%04d, repo-%04d]\n' "$i" "$i" "$next" > "$d/domain.yaml"
        printf 'name: c-%04d\nversion: "1.0.0"\nowner: repo-%04d\nschema:\n  type: object\nvalue:\n  read: [a]\nevolution:\n  - version: "1.0.0"\n    changes: [init]\n    compatible: true\n' "$i" "$i" > "$d/contracts/c-$(printf %04d $i).yaml"
        printf 'repo: repo-%04d\nrole: provider\nexports:\n  - contract: c-%04d\n    source_files: [values.yaml]\n    from_file: values.yaml\n' "$i" "$i" > "$d/bindings/repo-$(printf %04d $i).yaml"
        printf 'repo: repo-%04d\nrole: consumer\nimports:\n  - contract: c-%04d\n    from: repo-%04d\n    version: "^1.0.0"\n    status: current\n    resolved_version: "1.0.0"\n' "$next" "$i" "$i" > "$d/bindings/repo-$(printf %04d $next).yaml"
    done
    git init -q --bare "$dir"
    git -C "$dir.src" init -q
    git -C "$dir.src" add -A
    # No background auto-gc in a directory removed right after (it raced with rm -rf).
    git -C "$dir.src" -c gc.auto=0 commit -qm "bench realm"
    git -C "$dir.src" push -q "$dir" HEAD:main
    rm -rf "$dir.src"
}

# participant DIR REALM NAME [CONTRACT]: a repo that is NAME in REALM, with the realm fetched,
# declaring in its .gitrealm that it exports CONTRACT from values.yaml.
participant() {
    local dir="$1" realm="$2" name="$3" contract="${4:-}"
    rm -rf "$dir"; mkdir -p "$dir"
    git -C "$dir" init -q
    printf 'read: [a]\n' > "$dir/values.yaml"
    printf '[realm]\n\tname = bench\n\turl = %s\n\trepo = %s\n' "$realm" "$name" > "$dir/.gitrealm"
    # How this repo computes its export (docs/sync.md): its own .gitrealm, not the realm.
    [ -z "$contract" ] || printf '[export "%s"]\n\tsource = values.yaml\n\tfile = values.yaml\n' "$contract" >> "$dir/.gitrealm"
    git -C "$dir" add -A; git -C "$dir" commit -qm init
    (cd "$dir" && git realm status --fetch >/dev/null)
}

echo "git-realm benchmarks ($(git --version), $(nproc) cores, median of $runs runs, ms${nocache:+, cache off})"
echo

# --- status on a large realm --------------------------------------------------------------
make_realm "$work/big.git" 1000
make_realm "$work/small.git" 10
participant "$work/me-big" "$work/big.git" repo-0500 c-0500
participant "$work/me-small" "$work/small.git" repo-0005 c-0005
status_big() { (cd "$work/me-big" && git realm status); }
status_small() { (cd "$work/me-small" && git realm status); }
read -r big small <<< "$(paired_ms "" status_big "" status_small)"
# The first status after the realm's domains change reads every domain once and rebuilds this
# repo's binding index (refs/realm/<realm>/index); later ones read only this repo's domains.
drop_index() { git -C "$work/me-big" update-ref -d refs/realm/bench/index; }
bigcold=$(cd "$work/me-big" && PREPARE=drop_index median_ms git realm status)
gitstatus=$(cd "$work/me-big" && median_ms git status)
echo "status, 1,000 repos / 999 contracts:   ${big} ms  (target <= 50 ms: $(verdict "$big" 50))"
echo "status, 10 repos:                      ${small} ms"
echo "  ratio 1,000 / 10 repos:              $(ratio "$big" "$small")x  (target <= 1.5x: $(verdict "$(ratio "$big" "$small")" 1.5))"
echo "  first status after a domains change:  ${bigcold} ms (binding index rebuilt)"
echo "  for scale, git status in that repo:  ${gitstatus} ms"

# Sessions (docs/awareness.md): this repo's and both neighbours' (the repos sharing a domain
# with it), fetched with the realm; status reads and verifies them from local refs.
participant "$work/n-0499" "$work/big.git" repo-0499
participant "$work/n-0501" "$work/big.git" repo-0501
for d in me-big n-0499 n-0501; do (cd "$work/$d" && git realm session start --rfc bench-change >/dev/null); done
(cd "$work/me-big" && git realm status --fetch | grep -q "repo-0501 - working on bench-change") \
    || { echo "benchmark: the sessions are not shown" >&2; exit 1; }
sessions=$(cd "$work/me-big" && median_ms git realm status)
echo "status, 1,000 repos, 3 active sessions: ${sessions} ms  (target <= 50 ms: $(verdict "$sessions" 50); ratio to none: $(ratio "$sessions" "$big")x)"
echo

# --- sync of one change with 100 consumers -------------------------------------------------
hub="$work/hub.git"
rm -rf "$hub.src"; mkdir -p "$hub.src/repos" "$hub.src/domains/fan/contracts" "$hub.src/domains/fan/bindings"
printf 'name: bench\nversion: "1.0.0"\ncreated_at: 2026-01-01T00:00:00Z\ngovernance:\n  admission: open\n' > "$hub.src/realm.yaml"
members="owner"
printf 'name: owner\nmaintainers: [bench@example.com]\njoined_at: 2026-01-01T00:00:00Z\n' > "$hub.src/repos/owner.yaml"
for ((i = 1; i <= 100; i++)); do
    c=$(printf consumer-%03d $i); members="$members, $c"
    printf 'name: %s\npath: /nowhere\njoined_at: 2026-01-01T00:00:00Z\n' "$c" > "$hub.src/repos/$c.yaml"
    printf 'repo: %s\nrole: consumer\nimports:\n  - contract: fanout\n    from: owner\n    version: "^1.0.0"\n    status: current\n    resolved_version: "1.0.0"\n' "$c" > "$hub.src/domains/fan/bindings/$c.yaml"
done
printf 'name: fan\ndescription: bench\ncreated_at: 2026-01-01T00:00:00Z\nmembers: [%s]\n' "$members" > "$hub.src/domains/fan/domain.yaml"
printf 'name: fanout\nversion: "1.0.0"\nowner: owner\nschema:\n  type: object\nvalue:\n  read: [a]\nevolution:\n  - version: "1.0.0"\n    changes: [init]\n    compatible: true\n' > "$hub.src/domains/fan/contracts/fanout.yaml"
printf 'repo: owner\nrole: provider\nexports:\n  - contract: fanout\n    source_files: [values.yaml]\n    from_file: values.yaml\n' > "$hub.src/domains/fan/bindings/owner.yaml"
git init -q --bare "$hub"; git -C "$hub.src" init -q; git -C "$hub.src" add -A; git -C "$hub.src" commit -qm hub; git -C "$hub.src" push -q "$hub" HEAD:main; rm -rf "$hub.src"
participant "$work/owner" "$hub" owner fanout
# Each new value adds a path: an everyday change that lands directly (one that removed or
# changed a path that importers acknowledge would wait as a proposal: docs/trust.md).
echo "a" > "$work/values-list"   # a file: the timing helpers run these functions in subshells
new_value() { # untimed: the exporter commits a new value, which the timed sync publishes
    local n; n=$(( $(date +%s%N) % 1000000 ))
    printf '%s, p%s\n' "$(cat "$work/values-list")" "$n" > "$work/values-list.new"
    mv "$work/values-list.new" "$work/values-list"
    printf 'read: [%s]\n' "$(cat "$work/values-list")" > "$work/owner/values.yaml"
    git -C "$work/owner" commit -qam "v$n"
}
sync_once() { (cd "$work/owner" && git realm sync); }
# Before each sync (untimed): the exporter's new commit, and the realm as the baseline's last
# push left it fetched, as after any sync: the sync measured is an everyday one, whose realm
# copy is current (a realm that moved costs sync a fetch, as it would cost git).
sync_prepare() {
    new_value
    git -C "$work/owner" fetch -q "$hub" +refs/heads/main:refs/realm/bench/main +refs/notes/realm:refs/realm/bench/notes/realm
}
# Baseline: git alone fetching the same refs and pushing the same change: a new contract file
# (one blob and the four trees above it) in a new realm commit on main, and a new note on it in
# a new notes commit on refs/notes/realm, atomically, as sync does. Its objects are made before
# the clock starts; sync makes its own inside its time.
base_prepare() {
    local o="$work/owner" n blob tree main note
    git -C "$o" fetch -q "$hub" +refs/heads/main:refs/bench/main +refs/notes/realm:refs/notes/bench-realm
    n=$(date +%s%N)
    blob=$( (git -C "$o" cat-file blob refs/bench/main:domains/fan/contracts/fanout.yaml; echo "# $n") | git -C "$o" hash-object -w --stdin)
    GIT_INDEX_FILE="$work/base-index" git -C "$o" read-tree refs/bench/main
    GIT_INDEX_FILE="$work/base-index" git -C "$o" update-index --cacheinfo "100644,$blob,domains/fan/contracts/fanout.yaml"
    tree=$(GIT_INDEX_FILE="$work/base-index" git -C "$o" write-tree)
    main=$(git -C "$o" commit-tree "$tree" -p refs/bench/main -m "bench $n")
    git -C "$o" notes --ref=bench-realm add -m "{\"v\":1,\"bench\":$n}" "$main"
    note=$(git -C "$o" rev-parse refs/notes/bench-realm)
    printf '%s %s\n' "$main" "$note" > "$work/base-objects"
}
base_once() {
    local m n; read -r m n < "$work/base-objects"
    git -C "$work/owner" fetch -q "$hub" +refs/heads/main:refs/bench/main +refs/notes/realm:refs/bench/notes/realm
    git -C "$work/owner" push -q --atomic "$hub" "$m:refs/heads/main" "$n:refs/notes/realm"
}
# Untimed: a sync that published nothing would be measured doing nothing.
new_value
(cd "$work/owner" && git realm sync) | grep -q "Published fanout" || { echo "benchmark: sync published nothing" >&2; exit 1; }
read -r syncms basems <<< "$(paired_ms sync_prepare sync_once base_prepare base_once)"
if [ -n "$(git --git-dir "$hub" ls-tree --name-only main proposals/)" ]; then
    echo "benchmark: the timed syncs made proposals instead of publishing" >&2; exit 1
fi
echo "sync, one contract change, 100 consumers: ${syncms} ms"
echo "  git fetch + git push of the same refs:  ${basems} ms"
echo "  ratio:                                   $(ratio "$syncms" "$basems")x  (target <= 1.5x: $(verdict "$(ratio "$syncms" "$basems")" 1.5))"
echo

# --- pre-push ------------------------------------------------------------------------------
if ! git realm hook pre-push --help >/dev/null 2>&1; then echo "pre-push: not available"; exit 0; fi
# Both hooks get a real remote: git lfs pre-push asks it for its refs, and git-realm takes the
# remote's old value of the ref as the base of the push.
pp="$work/me-big"
git init -q --bare "$work/origin.git"
git -C "$pp" remote add origin "$work/origin.git"
git -C "$pp" push -q origin HEAD:refs/heads/main
printf 'x\n' >> "$pp/README.md"; git -C "$pp" add README.md; git -C "$pp" commit -qm readme
head=$(git -C "$pp" rev-parse HEAD); parent=$(git -C "$pp" rev-parse refs/remotes/origin/main)
line="refs/heads/main $head refs/heads/main $parent"
prepush_realm() { (cd "$pp" && echo "$line" | git realm hook pre-push origin "$work/origin.git"); }
prepush_lfs() { (cd "$pp" && echo "$line" | git lfs pre-push origin "$work/origin.git"); }
if command -v git-lfs >/dev/null 2>&1; then
    read -r untouched lfs <<< "$(paired_ms "" prepush_realm "" prepush_lfs)"
    echo "pre-push, no export source touched:    ${untouched} ms"
    echo "  git lfs pre-push on the same push:   ${lfs} ms"
    echo "  ratio:                               $(ratio "$untouched" "$lfs")x  (target <= 1.0x: $(verdict "$(ratio "$untouched" "$lfs")" 1.0))"
else
    untouched=$(median_ms prepush_realm)
    echo "pre-push, no export source touched:    ${untouched} ms  (git-lfs not installed: no baseline)"
fi
printf 'read: [a, b]\n' > "$pp/values.yaml"; git -C "$pp" commit -qam values
head=$(git -C "$pp" rev-parse HEAD); parent=$(git -C "$pp" rev-parse refs/remotes/origin/main)
line="refs/heads/main $head refs/heads/main $parent"
prepush_touched() { (cd "$pp" && echo "$line" | git -c realm.prePush=warn realm hook pre-push origin "$work/origin.git"); }
# Untimed: the hook must really compute the export (it warns that the value differs).
said=$(prepush_touched 2>&1 || true)
grep -q "differs from contract" <<< "$said" || { echo "benchmark: pre-push did not check the export; it said:" >&2; echo "$said" >&2; exit 1; }
touched=$(median_ms prepush_touched)
echo "pre-push, export source touched (file): ${touched} ms  (target <= 30 ms: $(verdict "$touched" 30))"
