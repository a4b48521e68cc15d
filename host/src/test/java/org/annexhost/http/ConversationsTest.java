package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.Test;

/** Pooled conversations stay bounded whatever clients name: memory and peer threads alike. */
class ConversationsTest {
    @Test
    void distinctBypassListsNeitherGrowThePoolsNorHoldEveryPeerThread() throws Exception {
        FakeMonotonicClock clock = new FakeMonotonicClock(1000);
        Uuid uuid = new Uuid("11111111-2222-3333-4444-555555555555");
        PeerThreads threads = new PeerThreads("peer-test", Conversations.MAX_IDLE_TOTAL + 8);
        LocalPeer peer = new LocalPeer("test", new ProtocolServer(uuid, new MemoryStore(clock, 600),
                ProtocolServer.Options.of(clock)), threads, InMemoryConnection.Timeouts.DEFAULT);
        try (Conversations c = new Conversations(u -> 4)) {
            for (int i = 0; i < 300; i++) {
                try (Conversations.Lease l = c.take(peer, ProtocolVersion.LATEST, List.of(Uuid.random()))) {
                    l.done();
                }
            }
            assertThat(c.pools()).isLessThanOrEqualTo(Conversations.MAX_IDLE_TOTAL);
            assertThat(c.open()).isLessThanOrEqualTo(Conversations.MAX_IDLE_TOTAL);
            // The peer still has threads for new conversations.
            try (Conversations.Lease l = c.take(peer, ProtocolVersion.LATEST, List.of())) {
                l.done();
            }
        } finally {
            threads.close();
        }
    }
}
