#!/usr/bin/env bash
# The test command: installs what the tests need (git-annex from bookworm-backports), then runs
# every unit, transcript, contract and interop test with Maven.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$here"
bash scripts/install-deps.sh
# Key names become file names: the tests' JVMs must name files in UTF-8, as the launcher ensures.
export LC_ALL=C.UTF-8
git config --global user.email >/dev/null 2>&1 || git config --global user.email "annexhost-tests@localhost"
git config --global user.name >/dev/null 2>&1 || git config --global user.name "annexhost tests"
exec mvn -B -ntp verify "$@"
