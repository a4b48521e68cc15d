package org.annexhost.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.annexhost.api.key.Key;
import org.annexhost.interop.AnnexWorld;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.repo.HostRepository;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.StoreFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plays the transcripts against git-annex's own server, {@code git-annex-shell p2pstdio}, on a
 * repository made by git-annex: the transcripts say what git-annex does, not only what annexhost
 * does. A transcript whose header says git-annex lacks the behaviour must fail against it. Left
 * out, each with its reason: those that depend on what the server's clock reads (only an
 * in-process server's can be set), that check lock state, or that are for one in-process
 * transport.
 */
class GitAnnexTranscriptIT {
    static final String CLIENT_UUID = "00000000-0000-0000-0000-0000000000cc";

    @TempDir
    static Path tmp;
    static AnnexWorld world;
    static Path repo;

    @BeforeAll
    static void makeRepository() throws IOException {
        world = new AnnexWorld(tmp);
        repo = tmp.resolve("served.git");
        world.ok(tmp, "git", "init", "-q", "--bare", repo.toString());
        world.ok(repo, "git", "annex", "init", "-q", "transcripts");
    }

    @TestFactory
    Stream<DynamicTest> everyTranscriptGitAnnexHasAgainstGitAnnexShell() throws Exception {
        List<Transcript> transcripts = Transcript.loadAll();
        assertThat(transcripts).hasSizeGreaterThan(20);
        return transcripts.stream().map(t -> DynamicTest.dynamicTest(t.name(),
                () -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> play(t))));
    }

    private void play(Transcript t) throws Exception {
        assumeTrue(t.steps().stream().noneMatch(s -> s instanceof Transcript.Setup u && u.verb().equals("advance")
                        || s instanceof Transcript.Send m && (m.line().startsWith("REMOVE-BEFORE") || m.line().startsWith("GETTIMESTAMP"))),
                "it depends on what the server's clock reads, which only an in-process server lets a test set");
        assumeTrue(t.only().map(o -> o.equals("stream")).orElse(true), "it is for an in-process transport only");
        assumeTrue(t.steps().stream().noneMatch(s -> s instanceof Transcript.Check c && c.verb().endsWith("locked")),
                "it checks lock state, which git-annex keeps where a test cannot see it");
        if (t.gitAnnexLacks()) {
            // The marker is checked too: one git-annex has grown out of is removed.
            assertThatThrownBy(() -> converse(t)).as("%s says git-annex lacks it, but git-annex passes it", t.name())
                    .isInstanceOf(AssertionError.class);
        } else {
            converse(t);
        }
    }

    private void converse(Transcript t) throws Exception {
        GitAnnexRepository store = new GitAnnexRepository(HostRepository.open(repo));
        store.empty();
        ServerMode mode = TranscriptTest.setUp(t, store);
        Map<String, String> env = new HashMap<>();
        switch (mode) {
            case READ_ONLY -> env.put("GIT_ANNEX_SHELL_READONLY", "true");
            case APPEND_ONLY -> env.put("GIT_ANNEX_SHELL_APPENDONLY", "true");
            default -> { }
        }
        Process shell = world.start(tmp, env, "git-annex-shell", "p2pstdio", repo.toString(), CLIENT_UUID);
        try {
            TranscriptTransport.ClientSide client = TranscriptTransport.client(shell.getInputStream(), shell.getOutputStream());
            assertThat(client.read().line()).as("git-annex-shell's greeting").startsWith("AUTH-SUCCESS ");
            TranscriptTest.converse(t, client, store, new FakeMonotonicClock(TranscriptTest.CLOCK_START),
                    () -> shell.waitFor(10, TimeUnit.SECONDS));
        } finally {
            shell.destroyForcibly();
            shell.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The repository git-annex serves, set up and checked through git-annex's layout. */
    record GitAnnexRepository(HostRepository repo) implements StoreFixture.OnDisk {
        /** Removes every object and partial upload an earlier transcript left. */
        void empty() throws IOException {
            for (String dir : List.of("objects", "tmp")) {
                Path d = repo.annexDir().resolve(dir);
                if (Files.exists(d)) {
                    try (Stream<Path> all = Files.walk(d)) {
                        for (Path p : (Iterable<Path>) all::iterator) {
                            p.toFile().setWritable(true);
                        }
                    }
                    try (Stream<Path> all = Files.walk(d)) {
                        for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                            Files.delete(p);
                        }
                    }
                }
            }
        }

        @Override
        public LocalStore store() {
            throw new UnsupportedOperationException("git-annex-shell serves this repository, not this process");
        }

        @Override
        public boolean resumes() {
            return true;
        }

        @Override
        public boolean isLocked(Key key) {
            throw new UnsupportedOperationException("git-annex's content locks are not visible from outside it");
        }

        @Override
        public void close() {
        }
    }
}
