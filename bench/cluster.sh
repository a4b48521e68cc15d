#!/usr/bin/env bash
# Benchmark (not a test): time of one PUT of SIZE MiB (default 1024) from a git-annex client to a
# cluster of 1, 2 and 3 directory nodes, through annexhost's gateway and through git-annex's own
# gateway (git-annex-shell with a cluster), side by side. Both over the same ssh stand-in.
# Each PUT starts after a sync, so the previous run's dirty pages are not written back during it;
# each figure is the median of ROUNDS runs (default 3). For scale, the same bytes written to N
# files by tee(1): the kernel's share, which no gateway can go below.
# Usage: bench/cluster.sh [SIZE_MIB] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
mib="${1:-1024}"
rounds="${2:-3}"
bash "$here/scripts/install-deps.sh"
work=$(mktemp -d /tmp/annexhost-bench.XXXXXX)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin"
cp "$here/host/src/test/resources/interop/ssh" "$work/bin/ssh"; chmod +x "$work/bin/ssh"
export PATH="$work/bin:$PATH" GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@l GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@l
"$here/annexhost" --version >/dev/null
export ANNEXHOST_NO_BUILD=1
now() { date +%s.%N; }
secs() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

# annexhost gateway: clusters c1, c2, c3 of 1, 2 and 3 directory nodes (nodes not shared)
"$here/annexhost" init "$work/ah.git" >/dev/null
for c in 1 2 3; do
  nodes=""
  for i in $(seq 1 "$c"); do
    mkdir -p "$work/ah-store/c$c-n$i"
    "$here/annexhost" initremote --repo "$work/ah.git" "c$c-n$i" type=directory directory="$work/ah-store/c$c-n$i" encryption=none >/dev/null
    nodes="$nodes c$c-n$i"
  done
  "$here/annexhost" initcluster --repo "$work/ah.git" "c$c" $nodes >/dev/null
done

# git-annex gateway: the same, made with git-annex's own commands
git init -q --bare "$work/ga.git"
(cd "$work/ga.git" && git annex init ga >/dev/null 2>&1
 for c in 1 2 3; do
   git annex initcluster "c$c" >/dev/null
   for i in $(seq 1 "$c"); do
     mkdir -p "$work/ga-store/c$c-n$i"
     git annex initremote "c$c-n$i" type=directory directory="$work/ga-store/c$c-n$i" encryption=none >/dev/null
     git config "remote.c$c-n$i.annex-cluster-node" "c$c"
   done
 done
 git annex updatecluster >/dev/null; git annex updateproxy >/dev/null)

client() {  # client DIR URL SHELL: a clone with one SIZE MiB file
  git clone -q "$2" "$1" 2>/dev/null
  (cd "$1" && git config annex.sshcaching false && ANNEXHOST_SHELL="$3" git annex init client >/dev/null 2>&1 \
     && head -c "$((mib << 20))" /dev/urandom > big && git annex add big >/dev/null 2>&1 && git commit -qm big)
}
client "$work/c-ah" "localhost:$work/ah.git" "$here/annexhost shell"
client "$work/c-ga" "localhost:$work/ga.git" ""

put() {  # put DIR REMOTE SHELL: seconds for copy --to, then drop it there again
  local t0 t1
  sync
  t0=$(now); (cd "$1" && ANNEXHOST_SHELL="$3" git annex copy --to "$2" big >/dev/null 2>&1) || echo "copy to $2 FAILED" >&2; t1=$(now)
  (cd "$1" && ANNEXHOST_SHELL="$3" git annex drop --from "$2" big >/dev/null 2>&1) || true
  secs "$t0" "$t1"
}
teeput() {  # teeput DIR N: seconds for tee(1) to write the same file N times, the kernel's part alone
  local t0 t1 files=""
  for i in $(seq 1 "$2"); do files="$files $work/tee-$i"; done
  sync
  # shellcheck disable=SC2086
  t0=$(now); tee $files < "$1/big" > /dev/null; t1=$(now)
  # shellcheck disable=SC2086
  rm -f $files
  secs "$t0" "$t1"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A ah ga tf
for r in $(seq 1 "$rounds"); do
  for c in 1 2 3; do
    ah[$c]="${ah[$c]:-} $(put "$work/c-ah" "origin-c$c" "$here/annexhost shell")"
    ga[$c]="${ga[$c]:-} $(put "$work/c-ga" "origin-c$c" "")"
    tf[$c]="${tf[$c]:-} $(teeput "$work/c-ah" "$c")"
  done
done
echo "one ${mib} MiB PUT to a cluster of N directory nodes (seconds, median of $rounds; lower is better)"
echo "tee: the same file written to N files by tee(1), what the kernel's writes alone cost here"
bg=$(awk '$1 == "nr_dirty_background_threshold" {print int($2 * 4 / 1024)}' /proc/vmstat 2>/dev/null || true)
[ -n "$bg" ] && echo "the kernel starts writing dirty pages back past ${bg} MiB; writes past that cost more"
printf '%-6s %10s %10s %8s   %s\n' nodes annexhost git-annex tee "annexhost runs"
for c in 1 2 3; do
  # shellcheck disable=SC2086
  printf '%-6s %10s %10s %8s   %s\n' "$c" "$(median ${ah[$c]})" "$(median ${ga[$c]})" "$(median ${tf[$c]})" "${ah[$c]# }"
done
# shellcheck disable=SC2086
python3 -c "
import sys
a1, a3, t1, t3 = map(float, sys.argv[1:])
print('annexhost, 3 nodes / 1 node: %.2fx; the 2 extra copies took annexhost %.2f s, tee %.2f s' % (a3 / a1, a3 - a1, t3 - t1))
" "$(median ${ah[1]})" "$(median ${ah[3]})" "$(median ${tf[1]})" "$(median ${tf[3]})"
