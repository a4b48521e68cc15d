#!/usr/bin/env bash
# Benchmark (not a test): many small files, annexhost against git-annex's own servers on the same
# path, in the same run, rounds alternating. Four server columns: git-annex-shell and annexhost's
# shell over an ssh stand-in, `git annex p2phttp` and `annexhost serve`; for each the client's
# copy --to origin, drop (local; locks on origin), get, drop --from origin. Then through a gateway
# to a directory special remote (copy --to origin-nas), to an external one (the tests'
# python3-annexremote directory remote, copy --to origin-ext) and to another git-annex repository
# (copy --to origin-repo, reached by path through git-annex-shell): git-annex's own proxy against
# annexhost's. SMALLFILES_ONLY=gateway measures only the gateways.
# Seconds are medians over ROUNDS; the ratios (git-annex's time / annexhost's, above 1 means
# annexhost is faster) come last. The ssh repositories are also served by a running
# `annexhost serve`, so annexhost's shells hand their conversations to it, as deployed; set
# SMALLFILES_COLD=1 to measure shells that serve themselves.
# Usage: bench/smallfiles.sh [N] [SIZE] [JOBS] [ROUNDS]   (defaults 1000 8192 4 3)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
n="${1:-1000}"; size="${2:-8192}"; jobs="${3:-4}"; rounds="${4:-3}"
bash "$here/scripts/install-deps.sh"
"$here/annexhost" --version >/dev/null
work=$(mktemp -d /tmp/annexhost-smallfiles.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/bin"
cp "$here/host/src/test/resources/interop/ssh" "$work/bin/ssh"; chmod +x "$work/bin/ssh"
export PATH="$work/bin:$PATH" GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@l GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@l
export ANNEXHOST_NO_BUILD=1
ah="$here/annexhost"
now() { date +%s.%N; }
q() { git annex "$@" >/dev/null 2>"$work/last.err" || { echo "git annex $* FAILED in $(pwd): $(tail -3 "$work/last.err")" >&2; exit 1; }; }

# The same N files, made once, for every client.
mkdir -p "$work/files"
python3 - "$work/files" "$n" "$size" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    sub = os.path.join(d, "d%02d" % (i % 50))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
PY
client() {  # client NAME URL [annexurl]: a clone with the files added, content here
  local c="$work/$1"
  git clone -q "$2" "$c" 2>/dev/null
  (cd "$c" && git config annex.security.allowed-ip-addresses all && git config annex.sshcaching true &&
   { [ -z "${3:-}" ] || git config remote.origin.annexurl "$3"; } && git annex init "$1" >/dev/null 2>&1 &&
   cp -r "$work/files/." . && git annex add . >/dev/null 2>&1 && git commit -qm files && git annex sync -q --no-content >/dev/null 2>&1 || true)
}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Servers. ssh: bare repositories reached as localhost:/path; the stand-in runs git-annex-shell,
# or annexhost's shell when ANNEXHOST_SHELL is set.
git init -q --bare "$work/ga-ssh.git" && (cd "$work/ga-ssh.git" && git annex init -q ga-ssh >/dev/null 2>&1)
"$ah" init "$work/ah-ssh.git" >/dev/null
only="${SMALLFILES_ONLY:-}"
if [ -z "$only" ]; then
client c-ga-ssh "localhost:$work/ga-ssh.git"
ANNEXHOST_SHELL="$ah shell" client c-ah-ssh "localhost:$work/ah-ssh.git"
fi
# HTTP: git annex p2phttp and annexhost serve, each reached by its annex url.
git init -q --bare "$work/ga-http.git" && (cd "$work/ga-http.git" && git annex init -q ga-http >/dev/null 2>&1)
"$ah" init "$work/ah-http.git" >/dev/null
gp=$(port); (cd "$work/ga-http.git" && exec git annex p2phttp --port "$gp" --jobs 16 --wideopen >"$work/ga-http.log" 2>&1) & pids+=($!); gapid=$!
hp=$(port); "$ah" serve --repo "$work/ah-http.git" --port "$hp" --jobs 16 >"$work/ah-http.log" 2>&1 & pids+=($!); ahpid=$!
sleep 5
if [ -z "$only" ]; then
client c-ga-http "$work/ga-http.git" "annex+http://127.0.0.1:$gp/git-annex/"
client c-ah-http "$work/ah-http.git" "annex+http://127.0.0.1:$hp/git-annex/"
fi
# The external remote: one program for both gateways, found on PATH as git-annex finds it.
cp "$here/host/src/test/resources/interop/git-annex-remote-pydir" "$work/bin/"; chmod +x "$work/bin/git-annex-remote-pydir"
# Gateways to a directory special remote: git-annex's proxy, and annexhost's.
git init -q --bare "$work/ga-gw.git"
(cd "$work/ga-gw.git" && git annex init -q ga-gw >/dev/null 2>&1 && mkdir -p "$work/ga-nas" &&
 git annex initremote -q nas type=directory directory="$work/ga-nas" encryption=none >/dev/null 2>&1 &&
 git config remote.nas.annex-proxy true && mkdir -p "$work/ga-ext" &&
 git annex initremote -q ext type=external externaltype=pydir directory="$work/ga-ext" encryption=none >/dev/null 2>&1 &&
 git config remote.ext.annex-proxy true &&
 git init -q --bare "$work/ga-repo.git" && (cd "$work/ga-repo.git" && git annex init -q ga-repo >/dev/null 2>&1) &&
 git remote add repo "$work/ga-repo.git" && git config remote.repo.annex-uuid "$(git -C "$work/ga-repo.git" config annex.uuid)" &&
 git config remote.repo.annex-proxy true && git annex updateproxy >/dev/null 2>&1)
"$ah" init "$work/ah-gw.git" >/dev/null
mkdir -p "$work/ah-nas"
"$ah" initremote --repo "$work/ah-gw.git" nas type=directory directory="$work/ah-nas" encryption=none >/dev/null
mkdir -p "$work/ah-ext"
"$ah" initremote --repo "$work/ah-gw.git" ext type=external externaltype=pydir directory="$work/ah-ext" encryption=none >/dev/null
git init -q --bare "$work/ah-repo.git" && (cd "$work/ah-repo.git" && git annex init -q ah-repo >/dev/null 2>&1)
"$ah" initremote --repo "$work/ah-gw.git" repo type=git url="$work/ah-repo.git" >/dev/null
client c-ga-gw "localhost:$work/ga-gw.git"
ANNEXHOST_SHELL="$ah shell" client c-ah-gw "localhost:$work/ah-gw.git"
if [ -z "${SMALLFILES_COLD:-}" ]; then
  wp=$(port); "$ah" serve --repo "$work/ah-ssh.git" --repo "$work/ah-gw.git" --port "$wp" >"$work/ah-warm.log" 2>&1 & pids+=($!); warmpid=$!
  sleep 5
  mode="annexhost serve running: shells hand over"
else
  mode="no annexhost host running: each shell serves itself"
fi

# CPU seconds used so far by a process and its descendants (those reaped included).
treecpu() {
  python3 - "$1" <<'PY'
import os, sys
hz = os.sysconf("SC_CLK_TCK"); kids = {}; cpu = {}
for d in os.listdir("/proc"):
    if not d.isdigit(): continue
    try: f = open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()
    except OSError: continue
    kids.setdefault(int(f[1]), []).append(int(d)); cpu[int(d)] = sum(int(x) for x in f[11:15])
todo, total = [int(sys.argv[1])], 0
while todo:
    p = todo.pop(); total += cpu.get(p, 0); todo += kids.get(p, [])
print("%.2f" % (total / hz))
PY
}
serverpid() { case "$1" in c-ga-http) echo "${gapid:-}";; c-ah-http) echo "${ahpid:-}";; c-ah-ssh|c-ah-gw) echo "${warmpid:-}";; esac; }
envfor() { case "$1" in c-ah-ssh|c-ah-gw) echo "ANNEXHOST_SHELL=$ah shell";; *) echo "ANNEXHOST_SHELL=";; esac; }
limit="${SMALLFILES_LIMIT:-900}"
timed() {  # timed CLIENT LABEL git-annex-args...: appends "LABEL CLIENT SECONDS"
  local c="$1" label="$2"; shift 2
  local t0 t1 rc=0 sp s0=0 s1=0
  sp=$(serverpid "$c"); [ -z "$sp" ] || s0=$(treecpu "$sp")
  t0=$(now)
  # A server that hangs (git annex p2phttp has, here) is cut off at $limit s and counted as that.
  (cd "$work/$c" && exec env "$(envfor "$c")" /usr/bin/time -f "%U %S" -o "$work/cpu" timeout -k 10 "$limit" git annex "$@" >/dev/null 2>"$work/last.err") || rc=$?
  t1=$(now)
  [ -z "$sp" ] || s1=$(treecpu "$sp")
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "$c: git annex $* HUNG: cut off after ${limit}s" >&2
    echo "hung $c 1" >> "$work/times"
    # What it left half done is finished by hand, so the next operation starts where it should.
    (cd "$work/$c" && env "$(envfor "$c")" git annex "$@" >/dev/null 2>&1) || true
  elif [ "$rc" -ne 0 ]; then
    echo "$c: git annex $* FAILED: $(tail -3 "$work/last.err")" >&2; exit 1
  fi
  echo "$label $c $(python3 -c "print('%.3f' % ($t1 - $t0))")" >> "$work/times"
  echo "cpu-$label $c $(awk '{printf "%.2f", $1 + $2}' "$work/cpu")" >> "$work/times"
  echo "srv-$label $c $(python3 -c "print('%.2f' % ($s1 - $s0))")" >> "$work/times"
  cp "$work/times" "${SMALLFILES_TIMES:-/tmp/smallfiles-times.txt}"
}
round() {  # the four operations on one client, ending where they started (content here only)
  timed "$1" copy copy -J"$jobs" --to origin .
  timed "$1" drop drop -J"$jobs" .
  timed "$1" get get -J"$jobs" .
  timed "$1" dropfrom drop -J"$jobs" --from origin .
}
gateway() {
  timed "$1" gwcopy copy -J"$jobs" --to origin-nas .
  (cd "$work/$1" && env "$(envfor "$1")" git annex drop -J"$jobs" --from origin-nas . >/dev/null 2>&1) || true
  timed "$1" gwext copy -J"$jobs" --to origin-ext .
  (cd "$work/$1" && env "$(envfor "$1")" git annex drop -J"$jobs" --from origin-ext . >/dev/null 2>&1) || true
  timed "$1" gwrepo copy -J"$jobs" --to origin-repo .
  (cd "$work/$1" && env "$(envfor "$1")" git annex drop -J"$jobs" --from origin-repo . >/dev/null 2>&1) || true
}
(cd "$work/c-ga-gw" && git annex sync -q --no-content >/dev/null 2>&1 || true)
(cd "$work/c-ah-gw" && env ANNEXHOST_SHELL="$ah shell" git annex sync -q --no-content >/dev/null 2>&1 || true)
: > "$work/times"
for r in $(seq 1 "$rounds"); do
  # Alternate which server goes first, so neither always meets a warmer (or busier) machine.
  if [ $((r % 2)) -eq 1 ]; then order="ga ah"; else order="ah ga"; fi
  if [ -z "$only" ]; then
    for s in $order; do round "c-$s-ssh"; done
    for s in $order; do round "c-$s-http"; done
  fi
  for s in $order; do gateway "c-$s-gw"; done
  echo "round $r of $rounds done" >&2
done

python3 - "$work/times" "$n" "$size" "$jobs" "$rounds" "$mode" <<'PY'
import sys, statistics
path, n, size, jobs, rounds = sys.argv[1:6]
t = {}
for line in open(path):
    label, client, secs = line.split()
    t.setdefault((label, client), []).append(float(secs))
def med(label, client):
    v = t.get((label, client), [])
    return statistics.median(v) if v else float("nan")
def spread(label, client):
    v = t.get((label, client), [])
    return "%.1f-%.1f" % (min(v), max(v)) if v else "-"
print(f"{n} files of {size} bytes, client -J{jobs}, seconds (median of {rounds}; min-max); ssh: " + sys.argv[6])
ops = [("copy", "copy --to origin"), ("drop", "drop (locks on origin)"), ("get", "get"), ("dropfrom", "drop --from origin")]
print("%-24s %16s %16s %16s %16s" % ("operation", "git-annex-shell", "annexhost shell", "annex p2phttp", "annexhost serve"))
for k, name in ops:
    print("%-24s %16s %16s %16s %16s" % (name, *["%.2f (%s)" % (med(k, c), spread(k, c)) for c in ("c-ga-ssh", "c-ah-ssh", "c-ga-http", "c-ah-http")]))
print("%-24s %16s %16s   (git-annex's proxy, annexhost's gateway)" % ("copy --to origin-nas", "%.2f (%s)" % (med("gwcopy", "c-ga-gw"), spread("gwcopy", "c-ga-gw")),
                                                   "%.2f (%s)" % (med("gwcopy", "c-ah-gw"), spread("gwcopy", "c-ah-gw"))))
print("%-24s %16s %16s" % ("copy --to origin-ext", "%.2f (%s)" % (med("gwext", "c-ga-gw"), spread("gwext", "c-ga-gw")),
                                                   "%.2f (%s)" % (med("gwext", "c-ah-gw"), spread("gwext", "c-ah-gw"))))
print("%-24s %16s %16s" % ("copy --to origin-repo", "%.2f (%s)" % (med("gwrepo", "c-ga-gw"), spread("gwrepo", "c-ga-gw")),
                                                   "%.2f (%s)" % (med("gwrepo", "c-ah-gw"), spread("gwrepo", "c-ah-gw"))))
print()
print("ratios, git-annex / annexhost (above 1: annexhost faster)")
hung = {}
for (label, client), v in t.items():
    if label == "hung":
        hung[client] = len(v)
if hung:
    print("operations cut off as hung (counted at the limit):", ", ".join("%s %d" % kv for kv in sorted(hung.items())))
print("%-24s %10s %10s" % ("operation", "ssh", "http"))
for k, name in ops:
    print("%-24s %10.2f %10.2f" % (name, med(k, "c-ga-ssh") / med(k, "c-ah-ssh"), med(k, "c-ga-http") / med(k, "c-ah-http")))
print("%-24s %10.2f" % ("gateway to a directory", med("gwcopy", "c-ga-gw") / med("gwcopy", "c-ah-gw")))
print("%-24s %10.2f" % ("gateway to an external", med("gwext", "c-ga-gw") / med("gwext", "c-ah-gw")))
print("%-24s %10.2f" % ("gateway to a repository", med("gwrepo", "c-ga-gw") / med("gwrepo", "c-ah-gw")))
print()
print("CPU seconds (medians): the client's process tree (over ssh it holds the ssh side, so git-annex-shell")
print("is counted there) + the server's process tree (annexhost serve; git annex p2phttp and its children)")
cols = ("c-ga-ssh", "c-ah-ssh", "c-ga-http", "c-ah-http")
print("%-24s %16s %16s %16s %16s" % ("operation", *cols))
for k, name in ops + [("gwcopy", "copy --to origin-nas"), ("gwext", "copy --to origin-ext"), ("gwrepo", "copy --to origin-repo")]:
    cs = ("c-ga-ssh", "c-ah-ssh", "c-ga-http", "c-ah-http") if not k.startswith("gw") else ("c-ga-gw", "c-ah-gw")
    print("%-24s %16s %16s %16s %16s" % (name, *["%.2f + %.2f" % (med("cpu-" + k, c), med("srv-" + k, c)) for c in cs], *([""] * (4 - len(cs)))))
PY
