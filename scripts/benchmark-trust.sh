#!/usr/bin/env bash
# Benchmark: verifying realm history (docs/trust.md). Builds a realm whose history has N signed
# commits by one registered maintainer (each changes that repo's binding), then times
# `git realm check --mode=realm` over all of them, beside `git log --show-signature`-free
# `git rev-list` of the same range (the walk alone) and one `ssh-keygen -Y verify`.
#
#   scripts/benchmark-trust.sh [--commits N] [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
commits=1000
config=release
while [ $# -gt 0 ]; do
    case "$1" in
        --commits) commits="$2"; shift 2 ;;
        --debug) config=debug; shift ;;
        *) echo "usage: $0 [--commits N] [--debug]" >&2; exit 2 ;;
    esac
done
. scripts/bench-sandbox.sh
bench_sandbox trust
ssh-keygen -q -t ed25519 -N "" -C bench -f "$work/key"
git config --global gpg.format ssh
git config --global user.signingkey "$work/key"
cd "$work"
git init -q --bare realm.git
# Gates evaluated on every contract change, none closed: the publishing series lands directly.
git realm admin init realm.git --name bench --require-signed-commits --no-require-approval --grace-period-days 0 >/dev/null
git init -q app && (cd app && git commit -q --allow-empty -m init && git realm admin join ../realm.git >/dev/null)
git init -q other && (cd other && git commit -q --allow-empty -m init && git realm admin join ../realm.git >/dev/null)
(cd app && git realm admin domain create d --repos app,other --contract c >/dev/null)
git clone -q realm.git clone
base=$(git -C clone rev-parse HEAD)
binding=clone/domains/d/bindings/app.yaml
for i in $(seq "$commits"); do
    echo "# $i" >> "$binding"
    git -C clone commit -q -S -am "change $i"
done
# A second series: each commit publishes a new version of the contract (its value changes), so
# that every commit runs the governance gates (compatibility analysis and value diff).
contract=clone/domains/d/contracts/c.yaml
mid=$(git -C clone rev-parse HEAD)
for i in $(seq "$commits"); do
    printf 'name: c\nversion: "1.0.%d"\nowner: app\ncompatibility:\n  backwards: true\n  forwards: false\nschema:\n  type: object\nvalue:\n  paths: [a/%d, b/%d]\nevolution:\n  - version: "1.0.%d"\n    changes: [updated]\n    compatible: true\n' "$i" "$i" "$i" "$i" > "$contract"
    git -C clone commit -q -S -am "publish 1.0.$i"
done
git -C clone push -q origin HEAD:main
us() { echo $(( ${1%.*} * 1000000 + 10#${1#*.} )); }
time_ms() {
    local s e; s=$EPOCHREALTIME
    "$@" >/dev/null || { echo "benchmark-trust: '$*' failed" >&2; exit 1; }
    e=$EPOCHREALTIME; echo $(( ($(us "$e") - $(us "$s")) / 1000 ))
}
git -C clone checkout -q --detach "$mid"
verify_ms=$(cd clone && time_ms git realm check --mode=realm --base "$base")
git -C clone checkout -q main
publish_ms=$(cd clone && time_ms git realm check --mode=realm --base "$mid")
walk_ms=$(time_ms git -C clone rev-list "$base..$mid")
log_ms=$(time_ms git -C clone -c gpg.ssh.allowedSignersFile=/dev/null log --format=%G? "$base..$mid")
echo "verify $commits signed realm commits ($config): ${verify_ms} ms (target: under 2000 ms)"
echo "  git rev-list of the same range: ${walk_ms} ms; git log --format=%G? (git checks each signature): ${log_ms} ms"
echo "  per commit: $(( verify_ms * 1000 / commits )) us"
echo "verify $commits signed commits that each publish a contract version (governance gates judged): ${publish_ms} ms ($(( publish_ms * 1000 / commits )) us a commit)"
