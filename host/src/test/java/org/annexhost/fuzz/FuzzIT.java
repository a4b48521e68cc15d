package org.annexhost.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded form of {@code bench/fuzz.sh}: a fixed number of p2pstdio and HTTP fuzzing episodes and
 * the whole fault matrix, against real annexhost processes, with the same invariants. A seed is
 * printed, so a failing run can be repeated ({@code -Dfuzz.seed=N}).
 */
class FuzzIT {
    static final String LAUNCHER = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().toString();
    static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    // A fixed amount of work rather than a time, so that a seed repeats the same run and a slow
    // machine runs it slower instead of less of it (about 6 s each here when the machine is quiet).
    static final int P2P_EPISODES = 3_000;
    static final int HTTP_EPISODES = 500;
    static final Map<String, String> ENV = Map.of("ANNEXHOST_LOCK_RETENTION", Long.toString(HttpFuzzer.LOCK_RETENTION_SECONDS));

    @TempDir
    Path tmp;

    private static void assertClean(FuzzFindings f, String what) {
        System.out.println(what + ", seed " + SEED);
        f.print(System.out);
        assertThat(f.violations()).as("%s broke an invariant (seed %d)", what, SEED).isEmpty();
    }

    @Test
    @Timeout(90)
    void p2pstdio() throws Exception {
        FuzzFindings f = new FuzzFindings();
        Path repo = FuzzMain.init(LAUNCHER, tmp, "p2p.git");
        new P2pFuzzer(LAUNCHER, repo, tmp, ENV, SEED, f).runEpisodes(P2P_EPISODES);
        assertClean(f, "p2pstdio fuzzing");
        assertThat(f.get("p2p episodes")).as("episodes run").isEqualTo(P2P_EPISODES);
        assertThat(f.get("p2p lines")).as("lines sent (every episode sends one at least)").isGreaterThanOrEqualTo(P2P_EPISODES);
    }

    @Test
    @Timeout(90)
    void http() throws Exception {
        FuzzFindings f = new FuzzFindings();
        Path repo = FuzzMain.init(LAUNCHER, tmp, "http.git");
        new HttpFuzzer(LAUNCHER, repo, tmp, ENV, SEED, f).runEpisodes(HTTP_EPISODES);
        assertClean(f, "HTTP fuzzing");
        assertThat(f.get("http episodes")).as("episodes run").isEqualTo(HTTP_EPISODES);
        // Only the idle-connection episodes (3 in 100) send no request.
        assertThat(f.get("http requests")).as("requests sent").isGreaterThan(HTTP_EPISODES * 3 / 4);
    }

    @Test
    @Timeout(120)
    void faultMatrix() throws Exception {
        FuzzFindings f = new FuzzFindings();
        Map<String, String> rows = new FaultMatrix(LAUNCHER, tmp, f).run();
        assertClean(f, "the fault matrix");
        assertThat(rows).as("every row ran (none may skip here)").allSatisfy((row, outcome) -> assertThat(outcome).isEqualTo("ran"));
    }
}
