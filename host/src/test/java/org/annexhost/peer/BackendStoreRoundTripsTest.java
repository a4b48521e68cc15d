package org.annexhost.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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
 * How often a backend is asked: a client's CHECKPRESENT that found a key absent is not asked
 * again by the PUT that follows (for an external remote each question is a program run), while
 * "present" is never reused.
 */
@Timeout(30)
class BackendStoreRoundTripsTest {
    @TempDir
    Path tmp;
    final ExecutorService calls = Executors.newCachedThreadPool();
    final CountingBackend backend = new CountingBackend();
    final PeerThreads threads = new PeerThreads("backend-test", 8);
    ProtocolClient client;

    /** Counts CHECKPRESENT calls. */
    static final class CountingBackend implements StorageBackend {
        final InMemoryBackend inner = new InMemoryBackend();
        final AtomicInteger presenceAsked = new AtomicInteger();

        @Override
        public Set<Capability> capabilities() {
            return inner.capabilities();
        }

        @Override
        public void store(Key key, Content content, long offset) throws IOException {
            inner.store(key, content, offset);
        }

        @Override
        public Content retrieve(Key key, long offset) throws IOException {
            return inner.retrieve(key, offset);
        }

        @Override
        public Presence checkPresent(Key key) {
            presenceAsked.incrementAndGet();
            return inner.checkPresent(key);
        }

        @Override
        public void remove(Key key) throws IOException {
            inner.remove(key);
        }
    }

    @BeforeEach
    void start() throws IOException {
        FakeMonotonicClock clock = new FakeMonotonicClock(1);
        BackendStore store = new BackendStore("counting", backend,
                new LockTable(tmp.resolve("locks"), Clock.systemUTC(), Duration.ofMinutes(10)), calls, Duration.ofSeconds(10),
                clock);
        LocalPeer peer = new LocalPeer("counting", new ProtocolServer(new Uuid("remote-uuid"), store,
                ProtocolServer.Options.of(clock)), threads, InMemoryConnection.Timeouts.DEFAULT);
        client = new ProtocolClient(peer.connect());
        client.negotiate(ProtocolVersion.LATEST);
    }

    @AfterEach
    void stop() throws IOException {
        client.connection().close();
        threads.close();
        calls.shutdownNow();
    }

    @Test
    void aPutAfterCheckPresentFoundItAbsentDoesNotAskAgain() throws IOException {
        GeneratedContent g = new GeneratedContent(10_000, 1);
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(backend.presenceAsked.get()).isEqualTo(1);
        // Once stored, "absent" is forgotten: the next PUT asks and hears ALREADY-HAVE.
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.ALREADY_HAVE);
        assertThat(backend.presenceAsked.get()).isEqualTo(2);
    }

    @Test
    void aPutWithNoCheckPresentBeforeItAsksOnce() throws IOException {
        GeneratedContent g = new GeneratedContent(10_000, 2);
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(backend.presenceAsked.get()).isEqualTo(1);
    }

    @Test
    void aStaleAbsentStoresAgainAndSucceeds() throws IOException {
        GeneratedContent g = new GeneratedContent(10_000, 3);
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        backend.inner.store(g.key(), g.content(0), 0); // stored meanwhile by someone else
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(backend.inner.checkPresent(g.key()).isPresent()).isTrue();
    }

    @Test
    void presentIsNeverTakenFromEarlier() throws IOException {
        GeneratedContent g = new GeneratedContent(10_000, 4);
        backend.inner.store(g.key(), g.content(0), 0);
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        backend.inner.remove(g.key()); // removed meanwhile
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(backend.inner.checkPresent(g.key()).isPresent()).as("stored again, not ALREADY-HAVE").isTrue();
    }
}
