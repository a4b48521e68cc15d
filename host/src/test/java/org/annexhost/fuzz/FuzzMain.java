package org.annexhost.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.annexhost.testing.Sh;

/**
 * {@code bench/fuzz.sh [SECONDS]}: the long fuzz run. Splits the time between p2pstdio, the HTTP
 * server and the fault matrix, each against real annexhost processes in a fresh sandbox, prints
 * the counts and every broken invariant, and exits 1 if one broke.
 */
public final class FuzzMain {
    private FuzzMain() {
    }

    /** @param args SECONDS (default 600), then the launcher (default ./annexhost) */
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 600;
        String launcher = Path.of(args.length > 1 ? args[1] : "annexhost").toAbsolutePath().toString();
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        FuzzFindings findings = run(launcher, Duration.ofSeconds(seconds), seed, Files.createTempDirectory("annexhost-fuzz"));
        System.out.println("seed " + seed);
        findings.print(System.out);
        System.exit(findings.clean() ? 0 : 1);
    }

    /** Runs every part in the sandbox: p2pstdio 45% of the time, HTTP 45%, the fault matrix the rest. */
    public static FuzzFindings run(String launcher, Duration budget, long seed, Path sandbox) throws Exception {
        FuzzFindings findings = new FuzzFindings();
        Map<String, String> env = Map.of("ANNEXHOST_LOCK_RETENTION", Long.toString(HttpFuzzer.LOCK_RETENTION_SECONDS));
        Path p2pRepo = init(launcher, sandbox.resolve("p2p"), "p2p.git");
        long t0 = System.nanoTime();
        new P2pFuzzer(launcher, p2pRepo, sandbox.resolve("p2p"), env, seed, findings).run(budget.multipliedBy(45).dividedBy(100));
        findings.count("p2p seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        Path httpRepo = init(launcher, sandbox.resolve("http"), "http.git");
        t0 = System.nanoTime();
        new HttpFuzzer(launcher, httpRepo, sandbox.resolve("http"), env, seed, findings).run(budget.multipliedBy(45).dividedBy(100));
        findings.count("http seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        t0 = System.nanoTime();
        new FaultMatrix(launcher, sandbox.resolve("faults"), findings).run();
        findings.count("fault matrix seconds", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        return findings;
    }

    /** Makes a repository with {@code annexhost init}. */
    static Path init(String launcher, Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        Path repo = dir.resolve(name);
        Sh.Result r = new Sh(Map.of()).run(dir, Duration.ofMinutes(2), launcher, "init", repo.toString());
        if (r.code() != 0) {
            throw new IllegalStateException("annexhost init " + repo + " failed:\n" + r.describe());
        }
        return repo;
    }
}
