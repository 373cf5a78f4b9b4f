#!/usr/bin/env bash
# Installs git-realm: the libraries it needs, a release build, the git-realm binary and its
# git-realm-<sub> links, man pages and shell completions.
#
#   ./install.sh [--prefix DIR] [--uninstall]      (or PREFIX=DIR ./install.sh)
#
# Default prefix: /usr/local as root, ~/.local otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$(id -u)" = 0 ]; then prefix="${PREFIX:-/usr/local}"; else prefix="${PREFIX:-$HOME/.local}"; fi
uninstall=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --uninstall) uninstall=1; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

bin="$prefix/bin"
man1="$prefix/share/man/man1"
bashc="$prefix/share/bash-completion/completions"
zshc="$prefix/share/zsh/site-functions"
fishc="$prefix/share/fish/vendor_completions.d"
subcommands="status graph admin hooks hook demo check schema semver sync export import proposals approve worktree commit push pr session watch"

if [ "$uninstall" = 1 ]; then
    rm -f "$bin/git-realm"
    for sub in $subcommands; do rm -f "$bin/git-realm-$sub"; done
    rm -f "$man1"/git-realm*.1 "$bashc/git-realm" "$zshc/_git-realm" "$fishc/git-realm.fish"
    echo "git-realm uninstalled from $prefix"
    exit 0
fi

need=()
dpkg -s libgit2-dev >/dev/null 2>&1 || need+=(libgit2-dev)
dpkg -s libyaml-dev >/dev/null 2>&1 || need+=(libyaml-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
command -v git >/dev/null 2>&1 || need+=(git)
# git realm pr talks to Forgejo/Gitea and GitHub through the curl program (docs/forges.md).
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "install.sh: missing ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
        exit 1
    fi
    echo "Installing ${need[*]}..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The Swift runtime linked in statically: the hooks start ~3 ms sooner (no symbol binding
# against the toolchain's shared libraries) and the installed binary does not depend on where
# the toolchain lives. docs/benchmarks.md has the figures.
echo "Building git-realm (release)..."
(cd "$here" && swift build -c release --static-swift-stdlib --product git-realm 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3)
built="$(cd "$here" && swift build -c release --static-swift-stdlib --show-bin-path)/git-realm"
[ -x "$built" ] || { echo "install.sh: build failed" >&2; exit 1; }

mkdir -p "$bin" "$man1" "$bashc" "$zshc" "$fishc"
install -m 0755 "$built" "$bin/git-realm"
for sub in $subcommands; do ln -sf git-realm "$bin/git-realm-$sub"; done
install -m 0644 "$here"/man/*.1 "$man1/"
"$bin/git-realm" --generate-completion-script bash > "$bashc/git-realm"
"$bin/git-realm" --generate-completion-script zsh > "$zshc/_git-realm"
"$bin/git-realm" --generate-completion-script fish > "$fishc/git-realm.fish"

echo "Installed git-realm $("$bin/git-realm" --version) into $bin"
case ":$PATH:" in
    *":$bin:"*) ;;
    *) echo "Note: $bin is not on your PATH; add it:  export PATH=\"$bin:\$PATH\"" ;;
esac
