#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian bookworm machine:
# git-annex 10.20250416 from bookworm-backports (p2phttp, proxies, clusters), the external
# remotes the tests drive, and Debian's chromium for the status page's browser test.
# Idempotent: does nothing when everything is already there.
set -euo pipefail

need=()
annex_ok() {
  command -v git-annex >/dev/null 2>&1 || return 1
  local v
  v=$(git-annex version --raw 2>/dev/null || true)
  # p2phttp and clusters arrived in 10.20240701; bookworm's own 10.20230126 is too old.
  [[ "$v" > "10.20240700" ]]
}
annex_ok || need+=(git-annex)
command -v git >/dev/null 2>&1 || need+=(git)
# External special remotes the tests drive: rclone's, and one built on python3-annexremote.
command -v rclone >/dev/null 2>&1 || need+=(rclone)
command -v git-annex-remote-rclone >/dev/null 2>&1 || need+=(git-annex-remote-rclone)
/usr/bin/python3 -c "import annexremote" >/dev/null 2>&1 || need+=(python3-annexremote)
# The status page is tested in a real headless browser.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Trusted-proxy mode is tested through a unix socket, as a forge in front reaches it.
command -v curl >/dev/null 2>&1 || need+=(curl)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq -o Acquire::Retries=3 >/dev/null || $SUDO apt-get update -qq -o Acquire::Retries=3 || true
$SUDO apt-get install -y -qq -o Acquire::Retries=3 -t bookworm-backports git-annex >/dev/null
others=()
for p in "${need[@]}"; do [ "$p" = git-annex ] || others+=("$p"); done
if [ ${#others[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq -o Acquire::Retries=3 "${others[@]}" >/dev/null
fi
annex_ok || { echo "git-annex from bookworm-backports could not be installed: $(git-annex version --raw 2>&1)" >&2; exit 1; }
