#!/usr/bin/env bash
# Benchmark (not a test): store and retrieve 200 x 64 KiB files through git-annex-remote-rclone
# (rclone's local backend), driven by git-annex itself and by annexhost through its gateway,
# side by side. Prints files/s and MB/s. Usage: bench/external-rclone.sh [FILES] [JOBS]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
n="${1:-200}"; jobs="${2:-4}"
bash "$here/scripts/install-deps.sh"
work=$(mktemp -d /tmp/annexhost-bench.XXXXXX)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
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

# git-annex driving the remote
git init -q "$work/ga" && (cd "$work/ga" && git annex init ga >/dev/null 2>&1 && git annex initremote rc type=external externaltype=rclone target=bench prefix="$work/ga-store" encryption=none >/dev/null)
mkfiles "$work/ga"
t0=$(now); (cd "$work/ga" && git annex copy -J"$jobs" --to rc . >/dev/null 2>&1); t1=$(now)
(cd "$work/ga" && git annex drop -J"$jobs" . >/dev/null 2>&1)
t2=$(now); (cd "$work/ga" && git annex get -J"$jobs" --from rc . >/dev/null 2>&1); t3=$(now)
ga_store=$(python3 -c "print($t1-$t0)"); ga_get=$(python3 -c "print($t3-$t2)")

# annexhost driving it for a client through its gateway (ssh drop-in)
"$here/annexhost" init "$work/gw.git" >/dev/null
"$here/annexhost" initremote --repo "$work/gw.git" rc type=external externaltype=rclone \
  annexhost-program="$work/bin/git-annex-remote-rclone" target=bench prefix="$work/ah-store" encryption=none >/dev/null
git clone -q "localhost:$work/gw.git" "$work/client" 2>/dev/null
(cd "$work/client" && git config annex.sshcaching false && git annex init client >/dev/null 2>&1)
mkfiles "$work/client"
t0=$(now); (cd "$work/client" && git annex copy -J"$jobs" --to origin-rc . >/dev/null 2>&1); t1=$(now)
(cd "$work/client" && git annex drop -J"$jobs" . >/dev/null 2>&1)
t2=$(now); (cd "$work/client" && git annex get -J"$jobs" --from origin-rc . >/dev/null 2>&1); t3=$(now)
ah_store=$(python3 -c "print($t1-$t0)"); ah_get=$(python3 -c "print($t3-$t2)")
stored=$(cd "$work/client" && git annex find --in origin-rc | wc -l)

echo "$n x 64 KiB through git-annex-remote-rclone (rclone local backend), -J$jobs"
echo "store     git-annex: $(rate "$ga_store" "$n")"
echo "store     annexhost: $(rate "$ah_store" "$n")   ($stored files on the remote)"
echo "retrieve  git-annex: $(rate "$ga_get" "$n")"
echo "retrieve  annexhost: $(rate "$ah_get" "$n")"
