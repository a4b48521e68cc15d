package org.annexhost.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.annexhost.api.Capability;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.contract.InMemoryBackend;
import org.annexhost.api.key.Key;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.testing.FakeMonotonicClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin that throws, hangs, stops reading early or returns short data, served to a client
 * over the protocol: the client gets FAILURE or ERROR in bounded time, nothing counts as stored,
 * and where the connection is still sound it keeps serving.
 */
@Timeout(30)
class MisbehavingBackendTest {
    static final Duration DEADLINE = Duration.ofSeconds(1);

    enum Fault { NONE, THROW_MID_STORE, HANG_MID_STORE, RETURN_EARLY, SHORT_RETRIEVE, THROW_RETRIEVE, HANG_CHECKPRESENT }

    /** Stores in memory, misbehaving as told. */
    static final class FaultyBackend implements StorageBackend {
        final InMemoryBackend inner = new InMemoryBackend();
        final CountDownLatch release = new CountDownLatch(1);
        volatile Fault fault = Fault.NONE;

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.RETRIEVES_IN_ORDER);
        }

        @Override
        public void store(Key key, Content content, long offset) throws IOException {
            switch (fault) {
                case THROW_MID_STORE -> {
                    content.stream().readNBytes(1000);
                    throw new IOException("disk on fire");
                }
                case HANG_MID_STORE -> {
                    content.stream().readNBytes(1000);
                    hang();
                }
                case RETURN_EARLY -> {
                    InputStream in = content.stream();
                    byte[] half = in.readNBytes((int) content.length() / 2);
                    inner.store(key, new Content(half.length, new java.io.ByteArrayInputStream(half)), 0);
                }
                default -> inner.store(key, content, offset);
            }
        }

        @Override
        public Content retrieve(Key key, long offset) throws IOException {
            Content c = inner.retrieve(key, offset);
            return switch (fault) {
                case SHORT_RETRIEVE -> {
                    byte[] some = c.stream().readNBytes((int) c.length() / 3);
                    c.stream().close();
                    yield new Content(c.length(), new java.io.ByteArrayInputStream(some));
                }
                case THROW_RETRIEVE -> throw new IllegalStateException("bucket vanished");
                default -> c;
            };
        }

        @Override
        public Presence checkPresent(Key key) {
            if (fault == Fault.HANG_CHECKPRESENT) {
                hang();
            }
            return inner.checkPresent(key);
        }

        @Override
        public void remove(Key key) {
            inner.remove(key);
        }

        /** Ignores interrupts, as the worst plugin would, until the test ends. */
        private void hang() {
            while (release.getCount() > 0) {
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // keep hanging
                }
            }
        }
    }

    @TempDir
    Path tmp;
    final FaultyBackend backend = new FaultyBackend();
    final ExecutorService calls = Executors.newCachedThreadPool();
    InMemoryConnection.Pair pair;
    Thread serverThread;
    ProtocolClient client;

    @BeforeEach
    void start() throws IOException {
        FakeMonotonicClock clock = new FakeMonotonicClock(100);
        BackendStore store = new BackendStore("faulty", backend,
                new LockTable(tmp.resolve("locks"), Clock.systemUTC(), Duration.ofMinutes(10)), calls, DEADLINE, clock);
        ProtocolServer server = new ProtocolServer(new Uuid("remote-uuid"), store, ProtocolServer.Options.of(clock));
        pair = InMemoryConnection.pair("faulty-test");
        serverThread = new Thread(() -> {
            try (var c = pair.server()) {
                server.serve(c);
            } catch (IOException e) {
                // the test's client sees what happened
            }
        });
        serverThread.start();
        client = new ProtocolClient(pair.client());
        client.negotiate(ProtocolVersion.LATEST);
    }

    @AfterEach
    void stop() throws InterruptedException {
        backend.release.countDown();
        pair.client().close();
        serverThread.join(5000);
        calls.shutdownNow();
        assertThat(serverThread.isAlive()).isFalse();
    }

    private ClientReply put(GeneratedContent g) throws IOException {
        return client.put(g.key(), AssociatedFile.of("f.bin"), g::content);
    }

    /** The connection still serves: a sound PUT and a CHECKPRESENT work after the fault. */
    private void connectionStillServes() throws IOException {
        backend.fault = Fault.NONE;
        GeneratedContent ok = new GeneratedContent(5000, 99);
        assertThat(put(ok).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(client.checkPresent(ok.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
    }

    @Test
    void storeThatThrowsIsAFailureAndStoresNothing() throws IOException {
        GeneratedContent g = new GeneratedContent(300_000, 1);
        backend.fault = Fault.THROW_MID_STORE;
        assertThat(put(g).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(backend.inner.checkPresent(g.key())).isEqualTo(Presence.absent());
        connectionStillServes();
    }

    @Test
    void storeThatHangsIsAbandonedAfterTheDeadline() throws IOException {
        GeneratedContent g = new GeneratedContent(300_000, 2);
        backend.fault = Fault.HANG_MID_STORE;
        long start = System.nanoTime();
        assertThat(put(g).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(DEADLINE);
        assertThat(backend.inner.checkPresent(g.key())).isEqualTo(Presence.absent());
        connectionStillServes();
    }

    @Test
    void storeThatStopsReadingEarlyDoesNotCount() throws IOException {
        GeneratedContent g = new GeneratedContent(300_000, 3);
        backend.fault = Fault.RETURN_EARLY;
        assertThat(put(g).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(backend.inner.checkPresent(g.key())).as("half stored content removed").isEqualTo(Presence.absent());
        connectionStillServes();
    }

    @Test
    void contentThatDoesNotMatchItsKeyIsAFailure() throws IOException {
        GeneratedContent g = new GeneratedContent(300_000, 4);
        GeneratedContent other = new GeneratedContent(300_000, 5);
        assertThat(client.put(g.key(), AssociatedFile.NONE, other::content).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(backend.inner.checkPresent(g.key())).isEqualTo(Presence.absent());
        connectionStillServes();
    }

    @Test
    void shortRetrievedDataNeverReachesTheClientAsValid() throws IOException {
        GeneratedContent g = new GeneratedContent(300_000, 6);
        assertThat(put(g).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        backend.fault = Fault.SHORT_RETRIEVE;
        boolean[] complete = {false};
        try {
            ClientReply r = client.get(g.key(), AssociatedFile.NONE, 0, c -> {
                try (InputStream in = c.counted()) {
                    in.readAllBytes();
                    complete[0] = true;
                }
                return true;
            });
            assertThat(r.ok()).isFalse();
        } catch (IOException expected) {
            // the server closed the connection mid-DATA: the only honest thing it can do
        }
        assertThat(complete[0]).as("client read all the declared bytes").isFalse();
    }

    @Test
    void retrieveThatThrowsIsAnErrorNotContent() throws IOException {
        GeneratedContent g = new GeneratedContent(1000, 7);
        assertThat(put(g).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        backend.fault = Fault.THROW_RETRIEVE;
        boolean[] taken = {false};
        try {
            ClientReply r = client.get(g.key(), AssociatedFile.NONE, 0, c -> {
                c.counted().readAllBytes();
                taken[0] = true;
                return true;
            });
            assertThat(r.ok()).isFalse();
        } catch (IOException expected) {
            // the server gave up on the connection
        }
        assertThat(taken[0]).as("content delivered").isFalse();
    }

    @Test
    void checkPresentThatHangsIsAnErrorAfterTheDeadline() throws IOException {
        GeneratedContent g = new GeneratedContent(1000, 8);
        backend.fault = Fault.HANG_CHECKPRESENT;
        ClientReply r = client.checkPresent(g.key());
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.ERROR);
        assertThat(r.error()).contains("did not answer").contains("faulty");
    }
}
