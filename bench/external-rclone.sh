#!/usr/bin/env bash
# Benchmark (not a test): store and retrieve 200 x 64 KiB files through git-annex-remote-rclone
# (rclone's local backend), driven by git-annex itself and by annexhost through its gateway,
# side by side, rounds alternating: annexhost as deployed (an `annexhost serve` running, so the
# clients' ssh shells hand their conversations to it and share its pool of remote processes),
# and with shells that each serve themselves. Prints the median time, files/s and MB/s, and the
# ratios. Usage: bench/external-rclone.sh [FILES] [JOBS] [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
n="${1:-200}"; jobs="${2:-4}"; rounds="${3:-3}"
bash "$here/scripts/install-deps.sh"
work=$(mktemp -d /tmp/annexhost-bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/ga-store" "$work/ah-store"
# Debian's git-annex-remote-rclone 0.6 misreads rclone 1.60's size output (see issue 4): fixed copy.
sed -e "s/grep -E 'Total objects: \[1-9\]\[0-9\]\* Total size'/grep -E 'Total objects: [1-9][0-9]*( \\\\([0-9]+\\\\))? Total size'/" \
    -e "s/! echo \$check_result|grep 'Total size: 0 (0 bytes)' >\&2/true/" \
    -e "2i export RCLONE_CONFIG_BENCH_TYPE=local" /usr/bin/git-annex-remote-rclone > "$work/bin/git-annex-remote-rclone"
chmod +x "$work/bin/git-annex-remote-rclone"
cp "$here/host/src/test/resources/interop/ssh" "$work/bin/ssh"; chmod +x "$work/bin/ssh"
export PATH="$work/bin:$PATH" ANNEXHOST_SHELL="$here/annexhost shell" GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@l GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@l
"$here/annexhost" --version >/dev/null
export ANNEXHOST_NO_BUILD=1

mkfiles() { for i in $(seq 1 "$n"); do head -c 65536 /dev/urandom > "$1/f$i"; done; (cd "$1" && git annex add . >/dev/null 2>&1 && git commit -qm files); }
now() { date +%s.%N; }
rate() { python3 -c "import sys; t=float(sys.argv[1]); n=int(sys.argv[2]); print('%6.2f s  %7.1f files/s  %6.2f MB/s' % (t, n/t, n*65536/t/1e6))" "$1" "$n"; }

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# git-annex driving the remote
git init -q "$work/ga" && (cd "$work/ga" && git annex init ga >/dev/null 2>&1 && git annex initremote rc type=external externaltype=rclone target=bench prefix="$work/ga-store" encryption=none >/dev/null)
mkfiles "$work/ga"
# annexhost driving it for a client through its gateway (ssh drop-in); one gateway repository
# per mode, the "host" one served by a running annexhost serve.
for m in host self; do
  "$here/annexhost" init "$work/gw-$m.git" >/dev/null
  mkdir -p "$work/ah-store-$m"
  "$here/annexhost" initremote --repo "$work/gw-$m.git" rc type=external externaltype=rclone \
    annexhost-program="$work/bin/git-annex-remote-rclone" target=bench prefix="$work/ah-store-$m" encryption=none ${RCLONE_AH_OPTS:-} >/dev/null
  git clone -q "localhost:$work/gw-$m.git" "$work/c-$m" 2>/dev/null
  (cd "$work/c-$m" && git config annex.sshcaching false && git annex init "c-$m" >/dev/null 2>&1)
  mkfiles "$work/c-$m"
done
"$here/annexhost" serve --repo "$work/gw-host.git" --port "$(port)" >"$work/serve.log" 2>&1 & pids+=($!)
sleep 5
: > "$work/times"
timed() {  # timed LABEL DIR REMOTE: store, drop here, retrieve; appends "LABEL store|get SECONDS"
  local t0 t1 t2 t3
  t0=$(now); (cd "$2" && git annex copy -J"$jobs" --to "$3" . >/dev/null 2>&1); t1=$(now)
  (cd "$2" && git annex drop -J"$jobs" . >/dev/null 2>&1)
  t2=$(now); (cd "$2" && git annex get -J"$jobs" --from "$3" . >/dev/null 2>&1); t3=$(now)
  [ "$(cd "$2" && git annex find --in "$3" | wc -l)" -eq "$n" ] || { echo "$1: not all $n files on the remote" >&2; exit 1; }
  (cd "$2" && git annex drop -J"$jobs" --from "$3" . >/dev/null 2>&1)
  python3 -c "import sys; print(sys.argv[1], 'store', $t1 - $t0); print(sys.argv[1], 'get', $t3 - $t2)" "$1" >> "$work/times"
}
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then order="ga host self"; else order="self host ga"; fi
  for s in $order; do
    case "$s" in ga) timed ga "$work/ga" rc;; *) timed "$s" "$work/c-$s" origin-rc;; esac
  done
  echo "round $r of $rounds done" >&2
done
python3 - "$work/times" "$n" "$jobs" "$rounds" <<'PY'
import sys, statistics
t = {}
for line in open(sys.argv[1]):
    who, op, secs = line.split(); t.setdefault((who, op), []).append(float(secs))
n = int(sys.argv[2])
print("%d x 64 KiB through git-annex-remote-rclone (rclone local backend), -J%s, median of %s rounds" % (n, sys.argv[3], sys.argv[4]))
names = {"ga": "git-annex itself", "host": "annexhost, running host", "self": "annexhost, shells serve themselves"}
for op in ("store", "get"):
    for who in ("ga", "host", "self"):
        v = t[(who, op)]; m = statistics.median(v)
        print("%-8s %-36s %6.2f s (%.1f-%.1f)  %6.1f files/s  %5.2f MB/s" % (op, names[who], m, min(v), max(v), n / m, n * 65536 / m / 1e6))
print("ratios, git-annex / annexhost (above 1: annexhost faster)")
for op in ("store", "get"):
    g = statistics.median(t[("ga", op)])
    print("%-8s running host %.2f   self-serving shells %.2f" % (op, g / statistics.median(t[("host", op)]), g / statistics.median(t[("self", op)])))
PY
