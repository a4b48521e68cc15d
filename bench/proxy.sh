#!/usr/bin/env bash
# Benchmark (not a test): proxy overhead. MB/s of one PUT (copy --to) and one GET (get --from) of
# SIZE MiB (default 1024) by a git-annex client to a directory remote: directly (git-annex's own
# directory special remote), through one annexhost gateway (ssh drop-in, directory plugin), and
# through two (the client's gateway reaches a second annexhost over HTTP, which has the directory);
# and to another git-annex repository: directly by path (git-annex copies the file itself), and through the gateway
# (which reaches it through git-annex-shell, as git-annex's own proxy does).
# Usage: bench/proxy.sh [SIZE_MIB]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
mib="${1:-1024}"
bash "$here/scripts/install-deps.sh"
work=$(mktemp -d /tmp/annexhost-bench.XXXXXX)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin"
cp "$here/host/src/test/resources/interop/ssh" "$work/bin/ssh"; chmod +x "$work/bin/ssh"
export PATH="$work/bin:$PATH" GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@l GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@l
export ANNEXHOST_SHELL="$here/annexhost shell"
"$here/annexhost" --version >/dev/null
export ANNEXHOST_NO_BUILD=1
now() { date +%s.%N; }
rate() { python3 -c "import sys; print('%.0f' % ($mib * 1.048576 / (float(sys.argv[2]) - float(sys.argv[1]))))" "$1" "$2"; }

# The second annexhost, served over HTTP, with the directory remote the two-gateway path ends in.
"$here/annexhost" init "$work/second.git" >/dev/null
mkdir -p "$work/d2"
"$here/annexhost" initremote --repo "$work/second.git" d2 type=directory directory="$work/d2" encryption=none >/dev/null
"$here/annexhost" serve --repo "$work/second.git" --port 0 > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 1 120); do grep -q '^serving ' "$work/serve.out" 2>/dev/null && break; sleep 0.5; done
url=$(sed -n 's/^serving \([^ ]*\).*/\1/p' "$work/serve.out" | head -1)
[ -n "$url" ] || { echo "second annexhost did not start: $(cat "$work/serve.err")" >&2; exit 1; }

# The client's gateway: a directory remote of its own (one hop) and the second annexhost (two hops).
"$here/annexhost" init "$work/gateway.git" >/dev/null
mkdir -p "$work/d1"
"$here/annexhost" initremote --repo "$work/gateway.git" d1 type=directory directory="$work/d1" encryption=none >/dev/null
"$here/annexhost" initremote --repo "$work/gateway.git" second type=git url="$url" >/dev/null

# A git-annex repository, reached directly and through the gateway.
git init -q --bare "$work/plain.git"
(cd "$work/plain.git" && git annex init plain >/dev/null 2>&1)
"$here/annexhost" initremote --repo "$work/gateway.git" plain type=git url="$work/plain.git" >/dev/null

git clone -q "localhost:$work/gateway.git" "$work/client" 2>/dev/null
cd "$work/client"
git config annex.sshcaching false
git config annex.security.allowed-ip-addresses all
git annex init client >/dev/null 2>&1
mkdir -p "$work/d0"
git annex initremote direct type=directory directory="$work/d0" encryption=none >/dev/null 2>&1
git remote add plain "$work/plain.git"
head -c "$((mib << 20))" /dev/urandom > big
git annex add big >/dev/null 2>&1 && git commit -qm big

measure() {  # measure REMOTE: PUT MB/s, then GET MB/s (the local copy dropped in between)
  local t0 t1 t2 t3 put get
  sync; t0=$(now); git annex copy --to "$1" big >/dev/null 2>&1 || { echo "copy to $1 FAILED" >&2; return 1; }; t1=$(now)
  git annex drop big >/dev/null 2>&1
  sync; t2=$(now); git annex get --from "$1" big >/dev/null 2>&1 || { echo "get from $1 FAILED" >&2; return 1; }; t3=$(now)
  git annex drop --from "$1" big >/dev/null 2>&1 || true
  printf '%-34s %8s %8s\n' "$2" "$(rate "$t0" "$t1")" "$(rate "$t2" "$t3")"
}
echo "one ${mib} MiB file to a directory remote, MB/s (higher is better)"
printf '%-34s %8s %8s\n' path PUT GET
measure direct "direct (git-annex directory)"
measure origin-d1 "one gateway (ssh, annexhost)"
measure origin-second-d2 "two gateways (ssh, then http)"
measure plain "git-annex repository (by path)"
measure origin-plain "git-annex repository (gateway)"
