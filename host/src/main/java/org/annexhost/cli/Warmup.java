package org.annexhost.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.contract.InMemoryBackend;
import org.annexhost.api.key.Key;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.StreamConnection;
import org.annexhost.peer.BackendStore;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.RepositoryStore;
import org.annexhost.time.MonotonicClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the per-file path a few thousand times when a host starts, in the background, so that the
 * first clients after a start meet compiled code, not the interpreter: measured here, a fresh
 * host spent about a third of its CPU in the JIT compilers during its first thousand small-file
 * requests, and served them up to 1.5x slower than the next thousand.
 *
 * <p>The work is the real one, on a scratch repository in the temporary directory (removed
 * after): the codec and the stream transport, the protocol server, the repository store with its
 * locks and journal, and a special remote's store (over the contract kit's in-memory backend, so
 * no plugin is loaded). Nothing of a served repository is touched, and nothing waits for it: a
 * client arriving meanwhile is served at once. {@code ANNEXHOST_WARMUP=0} turns it off.
 */
final class Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    /** Requests of each kind; enough for the optimizing compiler to take the hot methods. */
    static final int ROUNDS = 1500;

    private Warmup() {
    }

    /** Starts the warm-up on a background thread, unless the environment turns it off. */
    static void start() {
        if ("0".equals(System.getenv("ANNEXHOST_WARMUP"))) {
            return;
        }
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                run(ROUNDS);
                LOG.info("warm-up: {} small-file rounds in {} ms", ROUNDS, (System.nanoTime() - t0) / 1_000_000);
            } catch (IOException | RuntimeException e) {
                LOG.info("warm-up skipped: {}", e.toString());
            }
        }, "warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /**
     * PUT, CHECKPRESENT, GET, LOCKCONTENT and REMOVE of small keys over one conversation with a
     * scratch repository's server.
     *
     * @throws IOException if any of them does not do what the protocol says
     */
    static void run(int rounds) throws IOException {
        Path dir = Files.createTempDirectory("annexhost-warmup");
        java.util.concurrent.ExecutorService calls = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "warmup-calls");
            t.setDaemon(true);
            return t;
        });
        try {
            HostRepository repo = HostRepository.init(dir.resolve("warmup.git"), Optional.of("warm-up"));
            LockTable locks = new LockTable(repo.hostDir().resolve("locks"), Clock.systemUTC(), RepositoryOpener.LOCK_RETENTION);
            converse(new ProtocolServer(repo.uuid(), new RepositoryStore(repo, locks, MonotonicClock.system(), Clock.systemUTC()),
                    ProtocolServer.Options.of(MonotonicClock.system())), rounds);
            // A special remote's path: the same requests to a storage backend (in memory, here).
            LockTable remoteLocks = new LockTable(repo.hostDir().resolve("remote-locks"), Clock.systemUTC(),
                    RepositoryOpener.LOCK_RETENTION);
            try (InMemoryBackend backend = new InMemoryBackend()) {
                converse(new ProtocolServer(repo.uuid(), new BackendStore("warm-up", backend, remoteLocks, calls,
                        java.time.Duration.ofMinutes(1), MonotonicClock.system()), ProtocolServer.Options.of(MonotonicClock.system())),
                        rounds / 2);
            }
        } finally {
            calls.shutdownNow();
            delete(dir);
        }
    }

    /** One conversation with the server over a byte stream, as the ssh hand-over is: the requests of each round. */
    private static void converse(ProtocolServer server, int rounds) throws IOException {
        PipedOutputStream toServer = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
        PipedOutputStream toClient = new PipedOutputStream();
        PipedInputStream clientIn = new PipedInputStream(toClient, 1 << 16);
        Thread serving = new Thread(() -> {
            try (StreamConnection c = new StreamConnection("warmup-server", serverIn, toClient)) {
                server.serve(c);
            } catch (IOException e) {
                LOG.debug("warm-up server ended: {}", e.getMessage());
            }
        }, "warmup-server");
        serving.setDaemon(true);
        serving.setPriority(Thread.MIN_PRIORITY);
        serving.start();
        try (StreamConnection c = new StreamConnection("warmup", clientIn, toServer)) {
            ProtocolClient client = new ProtocolClient(c);
            client.negotiate(ProtocolVersion.LATEST);
            for (int i = 0; i < rounds; i++) {
                GeneratedContent g = new GeneratedContent(64 + i % 512, i);
                Key key = g.key();
                AssociatedFile file = AssociatedFile.of("warm-up/" + i + ".bin");
                expect(client.put(key, file, g::content).kind() == ClientReply.Kind.SUCCESS, "PUT", i);
                expect(client.checkPresent(key).kind() == ClientReply.Kind.SUCCESS, "CHECKPRESENT", i);
                expect(client.get(key, file, 0, content -> {
                    try (InputStream in = content.stream()) {
                        return in.readAllBytes().length == g.size();
                    }
                }).kind() == ClientReply.Kind.SUCCESS, "GET", i);
                expect(client.lockContent(key), "LOCKCONTENT", i);
                client.unlockContent();
                expect(client.remove(key).kind() == ClientReply.Kind.SUCCESS, "REMOVE", i);
            }
        }
        try {
            serving.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void expect(boolean ok, String what, int round) throws IOException {
        if (!ok) {
            throw new IOException(what + " failed in round " + round);
        }
    }

    private static void delete(Path dir) {
        // git-annex's layout keeps object directories read-only: open them all first.
        try (Stream<Path> all = Files.walk(dir)) {
            all.filter(Files::isDirectory).forEach(p -> p.toFile().setWritable(true));
        } catch (IOException e) {
            LOG.debug("warm-up: cannot open {} for removal: {}", dir, e.getMessage());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a leftover in the temporary directory harms nothing
                }
            });
        } catch (IOException e) {
            LOG.debug("warm-up: cannot remove {}: {}", dir, e.getMessage());
        }
    }
}
