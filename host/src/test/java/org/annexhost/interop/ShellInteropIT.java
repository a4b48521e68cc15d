package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real git-annex client against annexhost's git-annex-shell drop-in, through an ssh stand-in:
 * clone, copy, get, fsck, drop, move, at -J1 and -J8, files from 0 bytes to 1 GiB with spaces in
 * their names; a client killed mid-PUT; and git-annex's own fsck inside the served repository.
 */
class ShellInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    Path server;
    Path client;

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        server = tmp.resolve("server.git");
        world.ok(tmp, System.getProperty("annexhost.launcher", "../annexhost"), "init", server.toString(),
                "--description", "annexhost test server");
        client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + server, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "laptop");
    }

    private Map<String, String> addFiles(Map<String, Long> sizes) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        long seed = 1;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            hashes.put(e.getKey(), AnnexWorld.writeRandom(client.resolve(e.getKey()), e.getValue(), seed++));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "add files");
        return hashes;
    }

    private List<String> filesIn(String remote) throws Exception {
        return AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", remote).out());
    }

    private long serverObjects() throws Exception {
        Path objects = server.resolve("annex/objects");
        if (!Files.exists(objects)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(objects)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    @Timeout(600)
    void copyGetFsckDropAndMoveAtJ1AndJ8() throws Exception {
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("empty file.txt", 0L);
        sizes.put("small one.txt", 11L);
        for (int i = 1; i <= 12; i++) {
            sizes.put("file " + i + ".bin", 100_000L * i);
        }
        sizes.put("medium file.bin", 32L << 20);
        Map<String, String> hashes = addFiles(sizes);

        world.ok(client, "git", "annex", "copy", "-J1", "--to", "origin", "empty file.txt", "small one.txt");
        world.ok(client, "git", "annex", "copy", "-J8", "--to", "origin", ".");
        assertThat(filesIn("origin")).containsExactlyInAnyOrderElementsOf(sizes.keySet());
        assertThat(serverObjects()).isEqualTo(sizes.size());
        assertThat(world.sshLogText()).contains("git-annex-shell 'p2pstdio'");

        world.ok(client, "git", "annex", "fsck", "-J8", "--from", "origin");

        // Dropping the local copies makes git-annex lock them on the server (LOCKCONTENT).
        world.ok(client, "git", "annex", "drop", "-J8", ".");
        assertThat(filesIn("here")).isEmpty();
        world.ok(client, "git", "annex", "get", "-J1", "small one.txt", "empty file.txt");
        world.ok(client, "git", "annex", "get", "-J8", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).as("content of %s", e.getKey()).isEqualTo(e.getValue());
        }

        world.ok(client, "git", "annex", "drop", "-J8", "--from", "origin", "file 1.bin", "file 2.bin", "file 3.bin");
        assertThat(filesIn("origin")).doesNotContain("file 1.bin", "file 2.bin", "file 3.bin").contains("file 4.bin");
        assertThat(serverObjects()).isEqualTo(sizes.size() - 3);

        world.ok(client, "git", "annex", "move", "--to", "origin", "file 1.bin");
        assertThat(filesIn("here")).doesNotContain("file 1.bin");
        world.ok(client, "git", "annex", "move", "-J8", "--from", "origin", "file 1.bin", "file 4.bin");
        assertThat(filesIn("origin")).doesNotContain("file 1.bin", "file 4.bin");
        assertThat(AnnexWorld.sha256(client.resolve("file 4.bin"))).isEqualTo(hashes.get("file 4.bin"));

        // git-annex itself, in the served repository, checks what annexhost stored.
        world.ok(client, "git", "annex", "sync", "--no-content");
        AnnexWorld.Result fsck = world.ok(server, "git", "annex", "fsck");
        assertThat(fsck.all()).contains("(checksum...) ok").doesNotContain("failed");
    }

    @Test
    @Timeout(900)
    void oneGibibyteFile() throws Exception {
        Map<String, String> hashes = addFiles(Map.of("one gibibyte.bin", 1L << 30));
        world.ok(client, Duration.ofMinutes(5), Map.of(), "git", "annex", "copy", "--to", "origin", "one gibibyte.bin");
        world.ok(client, "git", "annex", "drop", "one gibibyte.bin");
        world.ok(client, Duration.ofMinutes(5), Map.of(), "git", "annex", "get", "one gibibyte.bin");
        assertThat(AnnexWorld.sha256(client.resolve("one gibibyte.bin"))).isEqualTo(hashes.get("one gibibyte.bin"));
        world.ok(client, "git", "annex", "drop", "--from", "origin", "one gibibyte.bin");
        assertThat(serverObjects()).isZero();
    }

    @Test
    @Timeout(600)
    void clientKilledMidPutLeavesNothingVisibleAndTheNextPutResumes() throws Exception {
        addFiles(Map.of("big file.bin", 400L << 20));
        Path tmpDir = server.resolve("annex/tmp");
        Process copy = world.start(client, Map.of("ANNEXHOST_JAVA_OPTS", "-XX:+UseSerialGC"),
                "git", "annex", "copy", "--to", "origin", "big file.bin");
        long partial = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (partial < (20L << 20) && System.nanoTime() < deadline && copy.isAlive()) {
            Thread.sleep(20);
            partial = Files.exists(tmpDir) ? sizeOfTmp(tmpDir) : 0;
        }
        assertThat(copy.isAlive()).as("copy finished before it could be interrupted").isTrue();
        copy.destroyForcibly();
        copy.waitFor();
        // The server notices the vanished client and stops; what it had stays for a resume.
        Thread.sleep(2000);
        assertThat(serverObjects()).as("content visible after an interrupted PUT").isZero();
        long kept = sizeOfTmp(tmpDir);
        assertThat(kept).isGreaterThan(0).isLessThan(400L << 20);

        AnnexWorld.Result again = world.ok(client, Duration.ofMinutes(3), Map.of("ANNEXHOST_LOG", "DEBUG"),
                "git", "annex", "copy", "--to", "origin", "big file.bin");
        String putFrom = again.err().lines().filter(l -> l.contains("P2P > ") && l.contains("PUT-FROM"))
                .findFirst().orElseThrow(() -> new AssertionError("no PUT-FROM in\n" + again.err()));
        long offset = Long.parseLong(putFrom.substring(putFrom.lastIndexOf(' ') + 1));
        assertThat(offset).as("resumed from the kept partial data").isGreaterThan(0).isLessThanOrEqualTo(kept);
        assertThat(serverObjects()).isEqualTo(1);
        world.ok(client, "git", "annex", "fsck", "--from", "origin", "big file.bin");
    }

    private static long sizeOfTmp(Path tmpDir) throws Exception {
        try (Stream<Path> s = Files.list(tmpDir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
