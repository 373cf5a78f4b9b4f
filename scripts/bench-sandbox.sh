# Sourced by the benchmark scripts: builds git-realm ($config: release or debug) and makes a
# private sandbox in $work (removed on exit unless KEEP is set) with its own HOME and global git
# config, git-realm first on PATH, and a committer identity.
#
#   bench_sandbox NAME
bench_sandbox() {
    if [ "$config" = release ]; then
        swift build -c release --static-swift-stdlib --product git-realm >/dev/null
        bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
    else
        swift build --product git-realm >/dev/null
        bin="$(swift build --show-bin-path)"
    fi
    work="$(mktemp -d "/tmp/git-realm-bench-$1.XXXXXX")"
    trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
    mkdir -p "$work/bin" "$work/home"
    ln -sf "$bin/git-realm" "$work/bin/git-realm"
    export HOME="$work/home" GIT_CONFIG_GLOBAL="$work/home/.gitconfig" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_REALM_COLOR=never
    export PATH="$work/bin:$PATH" LC_ALL=C
    git config --global user.name Bench
    git config --global user.email bench@example.com
    git config --global init.defaultBranch main
}
