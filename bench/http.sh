#!/usr/bin/env bash
# Benchmark (not a test): annexhost serve and git annex p2phttp side by side on this machine:
# PUT and GET of one object (default 1 GiB) with curl, checkpresent requests/s from 16 keep-alive
# connections (wrk), and annexhost's peak RSS. Usage: bench/http.sh [SIZE_MIB] [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
mib="${1:-1024}"; secs="${2:-10}"
bash "$here/scripts/install-deps.sh"
command -v wrk >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq wrk >/dev/null; }
command -v curl >/dev/null || { apt-get update -qq >/dev/null; apt-get install -y -qq curl >/dev/null; }
work=$(mktemp -d /tmp/annexhost-httpbench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@l GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@l

head -c $((mib * 1048576)) /dev/urandom > "$work/object"
git init -q "$work/k" && key=$(cd "$work/k" && git annex calckey "$work/object")
"$here/annexhost" init "$work/ah.git" >/dev/null
git init -q --bare "$work/ga.git" && (cd "$work/ga.git" && git annex init ga >/dev/null 2>&1)
"$here/annexhost" serve --repo "$work/ah.git" --port 19417 --jobs 32 > "$work/ah.log" 2>&1 & pids+=($!)
(cd "$work/ga.git" && exec git annex p2phttp --port 19418 --jobs 32 --wideopen > "$work/ga.log" 2>&1) & pids+=($!)
sleep 5
ah_uuid=$(git -C "$work/ah.git" config annex.uuid); ga_uuid=$(git -C "$work/ga.git" config annex.uuid)
ah_pid=$(pgrep -f "annexhost.jar serve --repo $work/ah.git" | head -1)

# Each PUT starts with no dirty pages waiting for the disk, so neither server pays for the other's writes.
put() { sync; sleep 1; curl -s -o /dev/null -w '%{time_total}' -X POST -H "X-git-annex-data-length: $((mib * 1048576))" \
  -H "Content-Type: application/octet-stream" --upload-file "$work/object" "http://127.0.0.1:$1/git-annex/$2/v4/put?key=$key&clientuuid=0000-bench"; }
get() { curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$1/git-annex/$2/v4/key/$key?clientuuid=0000-bench"; }
drop() { curl -s -o /dev/null -X POST "http://127.0.0.1:$1/git-annex/$2/v4/remove?key=$key&clientuuid=0000-bench"; }
# Best of three for each server alike: single runs here swing with the disk's writeback.
best() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
put3() { local a b c; a=$(put "$1" "$2"); drop "$1" "$2"; b=$(put "$1" "$2"); drop "$1" "$2"; c=$(put "$1" "$2"); best "$a" "$b" "$c"; }
get3() { best "$(get "$1" "$2")" "$(get "$1" "$2")" "$(get "$1" "$2")"; }
mbps() { python3 -c "import sys; print('%7.1f MB/s (%.2f s)' % ($mib*1.048576/float(sys.argv[1]), float(sys.argv[1])))" "$1"; }
cat > "$work/post.lua" <<'LUA'
wrk.method = "POST"
LUA
rps() { wrk -t2 -c16 -d"${secs}s" -s "$work/post.lua" "http://127.0.0.1:$1/git-annex/$2/v4/checkpresent?key=$key&clientuuid=0000-bench" \
  | awk '/Requests\/sec/ {print $2}'; }

# Warm both servers up (annexhost's JIT compiles its hot loops in the first seconds).
head -c $((64 * 1048576)) /dev/urandom > "$work/warm"
warmkey=$(cd "$work/k" && git annex calckey "$work/warm")
for port_uuid in "19417 $ah_uuid" "19418 $ga_uuid"; do
  set -- $port_uuid
  curl -s -o /dev/null -X POST -H "X-git-annex-data-length: $((64 * 1048576))" -H "Content-Type: application/octet-stream" \
    --upload-file "$work/warm" "http://127.0.0.1:$1/git-annex/$2/v4/put?key=$warmkey&clientuuid=0000-bench"
  curl -s -o /dev/null "http://127.0.0.1:$1/git-annex/$2/v4/key/$warmkey?clientuuid=0000-bench"
done
echo "object: $mib MiB (after a 64 MiB warm-up on each); checkpresent: 16 keep-alive connections for ${secs}s, after one unmeasured run on each"
echo "PUT  git annex p2phttp: $(mbps "$(put3 19418 "$ga_uuid")")   (best of 3)"
echo "PUT  annexhost serve:   $(mbps "$(put3 19417 "$ah_uuid")")   (best of 3)"
echo "GET  git annex p2phttp: $(mbps "$(get3 19418 "$ga_uuid")")   (best of 3)"
echo "GET  annexhost serve:   $(mbps "$(get3 19417 "$ah_uuid")")   (best of 3)"
# checkpresent is measured warm, as a long-running server is: one unmeasured run on each first.
rps 19418 "$ga_uuid" >/dev/null; rps 19417 "$ah_uuid" >/dev/null
echo "checkpresent git annex p2phttp: $(rps 19418 "$ga_uuid") requests/s"
echo "checkpresent annexhost serve:   $(rps 19417 "$ah_uuid") requests/s"
echo "annexhost peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/"$ah_pid"/status)"
