package org.annexhost.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client's rights narrow a peer whose server runs elsewhere (another repository) as they
 * narrow one served here: what they forbid is refused with git-annex's message and never reaches
 * the repository; what they allow passes.
 */
@Timeout(30)
class NarrowedPeerTest {
    final FakeMonotonicClock clock = new FakeMonotonicClock(1000);
    final MemoryStore store = new MemoryStore(clock, 600);
    final PeerThreads threads = new PeerThreads("narrowed-test", 8);
    final Key key = Key.parse("WORM-s3-m1--abc");
    final LocalPeer there = new LocalPeer("there", new ProtocolServer(new Uuid("11111111-2222-3333-4444-555555555555"),
            store, ProtocolServer.Options.of(clock)), threads, InMemoryConnection.Timeouts.DEFAULT);
    /** The repository as a peer this process does not serve: only its connections are seen. */
    final Peer elsewhere = new Peer() {
        public Uuid uuid() {
            return there.uuid();
        }

        public String name() {
            return "elsewhere";
        }

        public P2PConnection connect() throws IOException {
            return there.connect();
        }
    };

    @AfterEach
    void stop() {
        threads.close();
    }

    @Test
    void readOnlyRightsRefuseRemoveAndPutButServeReads() throws Exception {
        store.put(key, "abc".getBytes(StandardCharsets.UTF_8));
        Peer narrowed = elsewhere.narrowedTo(ServerMode.READ_ONLY);
        assertThat(narrowed).isInstanceOf(NarrowedPeer.class);
        assertThat(narrowed.uuid()).isEqualTo(there.uuid());
        ProtocolClient client = new ProtocolClient(narrowed.connect());
        client.negotiate(ProtocolVersion.LATEST);
        assertThat(client.checkPresent(key).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        ClientReply removed = client.remove(key);
        assertThat(removed.kind()).isEqualTo(ClientReply.Kind.ERROR);
        assertThat(removed.error()).isEqualTo("this repository is read-only; write access denied");
        client.connection().close();
        assertThat(store.isPresent(key)).as("the refused REMOVE never reached the repository").isTrue();
    }

    @Test
    void appendOnlyRightsRefuseRemoveAndFullRightsAreThePeerItself() throws Exception {
        store.put(key, "abc".getBytes(StandardCharsets.UTF_8));
        assertThat(elsewhere.narrowedTo(ServerMode.READ_WRITE)).isSameAs(elsewhere);
        Peer appendOnly = elsewhere.narrowedTo(ServerMode.APPEND_ONLY);
        assertThat(appendOnly.narrowedTo(ServerMode.READ_WRITE)).as("rights never widen").isSameAs(appendOnly);
        ProtocolClient client = new ProtocolClient(appendOnly.connect());
        client.negotiate(ProtocolVersion.LATEST);
        assertThat(client.remove(key).error()).isEqualTo("this repository is append-only; removal denied");
        client.connection().close();
        assertThat(store.isPresent(key)).isTrue();
        // A LocalPeer narrows its own server instead: no relay in between.
        assertThat(there.narrowedTo(ServerMode.APPEND_ONLY)).isInstanceOf(LocalPeer.class).isNotSameAs(there);
        assertThat(there.narrowedTo(ServerMode.READ_WRITE)).isSameAs(there);
    }
}
