/**
 * The fuzzing and fault harness: {@link org.annexhost.fuzz.P2pFuzzer} (p2pstdio),
 * {@link org.annexhost.fuzz.HttpFuzzer} (the HTTP server) and {@link org.annexhost.fuzz.FaultMatrix}
 * (kills, hang-ups, full disks), all against real annexhost processes, each ending with the same
 * invariants. {@code bench/fuzz.sh} runs the long form through {@link org.annexhost.fuzz.FuzzMain};
 * {@code FuzzIT} runs a bounded form in the test suite.
 */
package org.annexhost.fuzz;
