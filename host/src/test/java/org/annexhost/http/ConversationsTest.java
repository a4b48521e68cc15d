package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.Test;

/**
 * Pooled conversations stay bounded whatever clients name (memory and peer threads alike), and
 * keep to the rights they were opened for.
 */
class ConversationsTest {
    @Test
    void distinctBypassListsNeitherGrowThePoolsNorHoldEveryPeerThread() throws Exception {
        FakeMonotonicClock clock = new FakeMonotonicClock(1000);
        Uuid uuid = new Uuid("11111111-2222-3333-4444-555555555555");
        PeerThreads threads = new PeerThreads("peer-test", Conversations.MAX_IDLE_TOTAL + 8);
        LocalPeer peer = new LocalPeer("test", new ProtocolServer(uuid, new MemoryStore(clock, 600),
                ProtocolServer.Options.of(clock)), threads, InMemoryConnection.Timeouts.DEFAULT);
        Conversations.Target full = new Conversations.Target(peer, ServerMode.READ_WRITE);
        try (Conversations c = new Conversations(u -> 4)) {
            for (int i = 0; i < 300; i++) {
                try (Conversations.Lease l = c.take(full, ProtocolVersion.LATEST, List.of(Uuid.random()))) {
                    l.done();
                }
            }
            assertThat(c.pools()).isLessThanOrEqualTo(Conversations.MAX_IDLE_TOTAL);
            assertThat(c.open()).isLessThanOrEqualTo(Conversations.MAX_IDLE_TOTAL);
            // The peer still has threads for new conversations.
            try (Conversations.Lease l = c.take(full, ProtocolVersion.LATEST, List.of())) {
                l.done();
            }
        } finally {
            threads.close();
        }
    }

    @Test
    void aConversationServedAtOneClientsRightsIsNeverLentToAnother() throws Exception {
        FakeMonotonicClock clock = new FakeMonotonicClock(1000);
        Uuid uuid = new Uuid("11111111-2222-3333-4444-555555555555");
        MemoryStore store = new MemoryStore(clock, 600);
        Key key = Key.parse("WORM-s3-m1--abc");
        store.put(key, "abc".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        PeerThreads threads = new PeerThreads("peer-test", 8);
        LocalPeer peer = new LocalPeer("test", new ProtocolServer(uuid, store, ProtocolServer.Options.of(clock)),
                threads, InMemoryConnection.Timeouts.DEFAULT);
        try (Conversations c = new Conversations(u -> 4)) {
            try (Conversations.Lease l = c.take(new Conversations.Target(peer.narrowedTo(ServerMode.READ_ONLY),
                    ServerMode.READ_ONLY), ProtocolVersion.LATEST, List.of())) {
                assertThat(l.client.remove(key).kind()).as("a read-only conversation removing").isEqualTo(ClientReply.Kind.ERROR);
                l.done();
            }
            assertThat(store.isPresent(key)).isTrue();
            try (Conversations.Lease l = c.take(new Conversations.Target(peer, ServerMode.READ_WRITE),
                    ProtocolVersion.LATEST, List.of())) {
                assertThat(c.open()).as("the idle read-only conversation is not lent to a full request").isEqualTo(2);
                assertThat(l.client.remove(key).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
                l.done();
            }
            assertThat(store.isPresent(key)).isFalse();
        } finally {
            threads.close();
        }
    }
}
