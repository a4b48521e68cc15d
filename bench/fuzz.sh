#!/usr/bin/env bash
# The long fuzz run (not a test; FuzzIT in the suite is its bounded form): p2pstdio and the HTTP
# server fuzzed against real annexhost processes, then the fault matrix (SIGKILL mid-PUT, after
# SUCCESS and with a lock held, a client gone while locked, full disks), each ending with the same
# invariants. Prints the counts (lines, requests, objects verified) and every broken invariant;
# exits 1 if one broke. Usage: bench/fuzz.sh [SECONDS] (default 600; FUZZ_SEED=N repeats a run)
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
secs="${1:-600}"
bash "$here/scripts/install-deps.sh"
cd "$here"
mvn -q -B -ntp -DskipTests install >&2
mvn -q -B -ntp -pl host test-compile >&2
cp=$(mktemp /tmp/annexhost-fuzz-cp.XXXXXX)
trap 'rm -f "$cp"' EXIT
mvn -q -B -ntp -pl host org.apache.maven.plugins:maven-dependency-plugin:3.6.1:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >&2
export ANNEXHOST_NO_BUILD=1
exec java ${FUZZ_SEED:+-Dfuzz.seed=$FUZZ_SEED} -cp "host/target/test-classes:host/target/classes:$(cat "$cp")" \
  org.annexhost.fuzz.FuzzMain "$secs" "$here/annexhost"
