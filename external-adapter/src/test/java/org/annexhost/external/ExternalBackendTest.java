package org.annexhost.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.MemoryContext;
import org.annexhost.api.key.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The adapter against small real remote programs, well-behaved and not. */
@Timeout(60)
class ExternalBackendTest {
    static final Key HELLO = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");
    @TempDir
    Path tmp;

    /** The test remotes, made executable (resource copying drops the mode bits). */
    static Path program(String name) throws URISyntaxException, IOException {
        Path p = Path.of(ExternalBackendTest.class.getResource("/remotes/" + name).toURI());
        p.toFile().setExecutable(true);
        return p;
    }

    static final Uuid UUID = new Uuid("8c4d3c51-2cb0-4a4a-9d1b-1a2b3c4d5e6f");

    /** The context the adapter's tests give a remote: the kit's, with one uuid throughout. */
    static MemoryContext testContext(String remote, Map<String, String> config, Path temp) {
        return new MemoryContext(UUID, new BackendConfig(remote, config, Set.of()), temp);
    }

    private MemoryContext context(String program, Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(Map.of("externaltype", "testdir",
                ExternalBackendFactory.PROGRAM, program(program).toString(),
                "directory", tmp.resolve("store").toString(), ExternalBackendFactory.TIMEOUT, "3"));
        config.putAll(extra);
        Files.createDirectories(tmp.resolve("spool"));
        return testContext("testremote", config, tmp.resolve("spool"));
    }

    private StorageBackend open(String program, Map<String, String> extra) throws Exception {
        MemoryContext c = context(program, extra);
        Files.createDirectories(tmp.resolve("store"));
        return new ExternalBackendFactory().open(c.config(), c);
    }

    private static Content hello() {
        return new Content(5, new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void storesChecksRetrievesAndRemoves() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of())) {
            assertThat(b.checkPresent(HELLO)).isEqualTo(Presence.absent());
            b.store(HELLO, hello(), 0);
            assertThat(b.checkPresent(HELLO)).isEqualTo(Presence.present());
            Content c = b.retrieve(HELLO, 1);
            try (InputStream in = c.stream()) {
                assertThat(c.length()).isEqualTo(4);
                assertThat(in.readAllBytes()).asString().isEqualTo("ello");
            }
            b.remove(HELLO);
            assertThat(b.checkPresent(HELLO)).isEqualTo(Presence.absent());
            b.remove(HELLO);
        }
        assertThat(Files.list(tmp.resolve("spool"))).as("spool files left behind").isEmpty();
    }

    @Test
    void initRemoteRecordsSetConfig() throws Exception {
        MemoryContext c = context("git-annex-remote-testdir", Map.of("directory", tmp.resolve("new").toString()));
        BackendConfig recorded = new ExternalBackendFactory().initialize(c.config(), c);
        assertThat(recorded.get("initialized-by")).contains("testdir");
        assertThat(tmp.resolve("new")).isDirectory();
    }

    @Test
    void initRemoteFailureIsTheRemotesOwnWords() throws Exception {
        MemoryContext c = context("git-annex-remote-testdir", Map.of("directory", ""));
        assertThatThrownBy(() -> new ExternalBackendFactory().initialize(c.config(), c))
                .isInstanceOf(BackendException.class).hasMessageContaining("You need to set directory=");
    }

    @Test
    void crashDuringStoreFailsWithStderrAndStoresNothing() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of("mode", "crash-store"))) {
            assertThatThrownBy(() -> b.store(HELLO, hello(), 0)).isInstanceOf(IOException.class)
                    .hasMessageContaining("exited during TRANSFER").hasMessageContaining("dying");
            assertThat(Files.exists(tmp.resolve("store"))).isTrue();
            assertThat(Files.walk(tmp.resolve("store")).filter(Files::isRegularFile)).isEmpty();
        }
    }

    /** Records what a backend tells its host of its processes. */
    static final class Events implements org.annexhost.api.BackendEvents {
        final java.util.List<String> told = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.function.IntSupplier running;
        java.util.function.IntSupplier idle;

        @Override
        public void pool(java.util.function.IntSupplier running, java.util.function.IntSupplier idle) {
            this.running = running;
            this.idle = idle;
        }

        @Override
        public void processStarted() {
            told.add("started");
        }

        @Override
        public void processEnded(String reason) {
            told.add("ended " + reason);
        }

        @Override
        public void timedOut() {
            told.add("timed out");
        }
    }

    private StorageBackend open(String program, Map<String, String> extra, Events events) throws Exception {
        MemoryContext c = context(program, extra);
        Files.createDirectories(tmp.resolve("store"));
        MemoryContext watched = c.withEvents(events);
        return new ExternalBackendFactory().open(watched.config(), watched);
    }

    @Test
    void theHostIsToldOfEachProcessStartedAndEndedAndOfTimeouts() throws Exception {
        Events events = new Events();
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of("mode", "hang-check"), events)) {
            assertThat(events.running.getAsInt()).isZero();
            b.store(HELLO, hello(), 0);
            assertThat(events.running.getAsInt()).isEqualTo(1);
            assertThat(events.idle.getAsInt()).isEqualTo(1);
            assertThat(b.checkPresent(HELLO).state()).isEqualTo(Presence.State.UNKNOWN);
            assertThat(events.running.getAsInt()).as("the hung process is gone").isZero();
        }
        assertThat(events.told).containsExactly("started", "timed out", "ended timed out");
        Events closing = new Events();
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of(), closing)) {
            b.store(HELLO, hello(), 0);
        }
        assertThat(closing.told).containsExactly("started", "ended closed");
        assertThat(ProcessPool.reason("job 3 got no reply within 5s")).isEqualTo("timed out");
        assertThat(ProcessPool.reason("misbehaved")).isEqualTo("misbehaved");
        assertThat(ProcessPool.reason("exited")).isEqualTo("died");
    }

    @Test
    void hangingRemoteIsKilledAfterTheTimeoutAndAnswersUnknown() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of("mode", "hang-check"))) {
            long t0 = System.nanoTime();
            Presence p = b.checkPresent(HELLO);
            assertThat(p.state()).isEqualTo(Presence.State.UNKNOWN);
            assertThat(p.reason()).contains("did not reply within 3s");
            assertThat((System.nanoTime() - t0) / 1_000_000_000).isLessThan(10);
        }
    }

    @Test
    void garbageIsRefusedNamingTheLine() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of("mode", "garbage"))) {
            Presence p = b.checkPresent(HELLO);
            assertThat(p.state()).isEqualTo(Presence.State.UNKNOWN);
            assertThat(p.reason()).contains("\"HELLO THERE\"");
        }
    }

    @Test
    void unknownStaysUnknown() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of("mode", "unknown-check"))) {
            assertThat(b.checkPresent(HELLO)).isEqualTo(Presence.unknown("the server is unreachable"));
        }
    }

    @Test
    void prepareFailureIsRememberedAndRepeated() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of("mode", "prepare-fail"))) {
            assertThatThrownBy(() -> b.store(HELLO, hello(), 0)).hasMessageContaining("the storage is offline");
            assertThatThrownBy(() -> b.remove(HELLO)).hasMessageContaining("failed to prepare: the storage is offline");
        }
    }

    @Test
    void shortContentIsNeverSentToTheRemote() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of())) {
            Content shortOne = new Content(10, new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)));
            assertThatThrownBy(() -> b.store(HELLO, shortOne, 0)).hasMessageContaining("content ended after 5 of 10");
            assertThat(b.checkPresent(HELLO)).isEqualTo(Presence.absent());
        }
    }

    @Test
    void missingProgramSaysHowToFixIt() throws Exception {
        MemoryContext c = context("git-annex-remote-testdir", Map.of(ExternalBackendFactory.PROGRAM, "/nonexistent/git-annex-remote-nope"));
        try (StorageBackend b = new ExternalBackendFactory().open(c.config(), c)) {
            assertThat(b.checkPresent(HELLO).reason()).contains("/nonexistent/git-annex-remote-nope");
        }
    }

    @Test
    void concurrentRequestsUseSeveralProcesses() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of(ExternalBackendFactory.PROCESSES, "3"))) {
            b.store(HELLO, hello(), 0);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Presence>> results = new java.util.ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    results.add(pool.submit(() -> b.checkPresent(HELLO)));
                }
                for (Future<Presence> f : results) {
                    assertThat(f.get()).isEqualTo(Presence.present());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void orderedRemoteStreamsWhileItWrites() throws Exception {
        try (StorageBackend b = open("git-annex-remote-testdir", Map.of("mode", "slow-retrieve"))) {
            org.annexhost.api.contract.GeneratedContent g = new org.annexhost.api.contract.GeneratedContent(5000, 4);
            b.store(g.key(), g.content(0), 0);
            long t0 = System.nanoTime();
            Content c = b.retrieve(g.key(), 0);
            try (InputStream in = c.stream()) {
                byte[] first = in.readNBytes(1000);
                long firstMillis = (System.nanoTime() - t0) / 1_000_000;
                byte[] rest = in.readAllBytes();
                long allMillis = (System.nanoTime() - t0) / 1_000_000;
                assertThat(first.length + rest.length).isEqualTo(5000);
                assertThat(firstMillis).as("first bytes arrived while the remote was still writing").isLessThan(1500);
                assertThat(allMillis).isGreaterThanOrEqualTo(1900);
                byte[] all = new byte[5000];
                System.arraycopy(first, 0, all, 0, 1000);
                System.arraycopy(rest, 0, all, 1000, 4000);
                assertThat(all).isEqualTo(g.stream(0).readAllBytes());
            }
        }
    }

    @Test
    void everyQueryIsAnsweredAsGitAnnexAnswersIt() throws Exception {
        Path answers = tmp.resolve("answers.txt");
        MemoryContext c = context("git-annex-remote-askall", Map.of("answers", answers.toString()));
        try (StorageBackend b = new ExternalBackendFactory().open(c.config(), c)) {
            assertThat(b.checkPresent(HELLO)).isEqualTo(Presence.absent());
        }
        assertThat(Files.readAllLines(answers)).containsExactly(
                "GETCONFIG nosuchsetting\tVALUE ",
                "GETCONFIG color\tVALUE ",
                "GETCONFIG color\tVALUE blue",
                "GETUUID\tVALUE 8c4d3c51-2cb0-4a4a-9d1b-1a2b3c4d5e6f",
                "GETGITREMOTENAME\tVALUE testremote",
                "GETCREDS nosuchcreds\tCREDS  ",
                "GETCREDS mycreds\tCREDS alice s3cr3t",
                "GETSTATE SHA1--abc\tVALUE ",
                "GETSTATE SHA1--abc\tVALUE somestate",
                "DIRHASH SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt\tVALUE f9/Mw/",
                "DIRHASH-LOWER SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt\tVALUE 091/de9/",
                "GETWANTED\tVALUE ",
                "GETURLS SHA1--abc http\tVALUE ",
                "GETURLS http\tVALUE http://example.com/b|VALUE ",
                "GETURLS ipfs\tVALUE ipfs:QmX|VALUE ",
                "VERSION 2\tERROR too late to send VERSION");
        assertThat(c.state()).containsEntry("SHA1--abc", "somestate");
        assertThat(c.credentials()).containsEntry("mycreds", "alice\ns3cr3t");
    }
}
