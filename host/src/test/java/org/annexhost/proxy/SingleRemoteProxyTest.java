package org.annexhost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryKnowledge;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One git-annex repository behind the gateway, served through the same proxy as a cluster, with
 * {@link NodeSelector#single}: the repository is a real protocol server on its own store and
 * clock, possibly of an older protocol version; the client speaks to the gateway's own server.
 * Content crosses whole in either direction, what the client's rights forbid never reaches the
 * repository, LOCKCONTENT holds on the repository itself, and every change is in the location log
 * before the client hears of it.
 */
@Timeout(30)
class SingleRemoteProxyTest {
    static final Uuid REPO = new Uuid("aaaaaaaa-0000-0000-0000-000000000001");

    final PeerThreads threads = new PeerThreads("single", 32);
    final ExecutorService fanout = Executors.newCachedThreadPool();
    final FakeMonotonicClock repoClock = new FakeMonotonicClock(100);
    final MemoryStore store = new MemoryStore(repoClock, 600);
    final MemoryKnowledge knowledge = new MemoryKnowledge();
    ProxyStore proxy;

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        threads.close();
        fanout.shutdownNow();
    }

    /** The gateway serving the repository (which agrees to at most {@code max}) to a client with these rights. */
    private LocalPeer gateway(ServerMode rights, ProtocolVersion max) {
        return gateway(rights, max, store);
    }

    private LocalPeer gateway(ServerMode rights, ProtocolVersion max, org.annexhost.p2p.server.LocalStore served) {
        LocalPeer repository = new LocalPeer("repo", new ProtocolServer(REPO, served,
                ProtocolServer.Options.of(repoClock).maxVersion(max)), threads, InMemoryConnection.Timeouts.DEFAULT);
        proxy = ProxyStore.single(new Node(REPO, "origin", repository, 100), knowledge, new FakeMonotonicClock(9000), fanout,
                ProxyStore.NODE_STALL, NodeEvents.NONE);
        return new LocalPeer("gateway", new ProtocolServer(REPO, proxy, ProtocolServer.Options.of(new FakeMonotonicClock(9000))),
                threads, InMemoryConnection.Timeouts.DEFAULT).narrowedTo(rights);
    }

    private ProtocolClient client(LocalPeer gateway) throws IOException {
        ProtocolClient c = new ProtocolClient(gateway.connect());
        assertThat(c.negotiate(ProtocolVersion.LATEST)).as("the gateway speaks the client's version").isEqualTo(ProtocolVersion.LATEST);
        return c;
    }

    @Test
    void aVersion4ClientMovesContentThroughToAVersion1Repository() throws Exception {
        ProtocolClient client = client(gateway(ServerMode.READ_WRITE, new ProtocolVersion(1)));
        GeneratedContent g = new GeneratedContent(200_000, 7);
        ClientReply put = client.put(g.key(), AssociatedFile.of("a file.bin"), g::content);
        assertThat(put.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(put.uuids()).as("the repository is the one served, not one beyond it").isEmpty();
        assertThat(store.get(g.key()).get()).isEqualTo(g.stream(0).readAllBytes());
        assertThat(knowledge.locations(g.key())).isEqualTo(Set.of(REPO));

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ClientReply get = client.get(g.key(), AssociatedFile.NONE, 1000, c -> {
            c.stream().transferTo(got);
            return true;
        });
        assertThat(get.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(got.toByteArray()).isEqualTo(g.stream(1000).readAllBytes());
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.ALREADY_HAVE);
        ClientReply removed = client.remove(g.key());
        assertThat(removed.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(removed.uuids()).isEmpty();
        assertThat(store.isPresent(g.key())).isFalse();
        assertThat(knowledge.locations(g.key())).isEmpty();
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.FAILURE);
    }

    @Test
    void aVersion0RepositoryServesAVersion4ClientToo() throws Exception {
        ProtocolClient client = client(gateway(ServerMode.READ_WRITE, new ProtocolVersion(0)));
        GeneratedContent g = new GeneratedContent(5_000, 8);
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.get(g.key()).get()).isEqualTo(g.stream(0).readAllBytes());
        long deadline = client.getTimestamp() + 60;
        assertThat(client.removeBefore(deadline, g.key()).kind()).as("REMOVE-BEFORE, which version 0 lacks")
                .isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.isPresent(g.key())).isFalse();
    }

    @Test
    void theClientsRightsHoldForTheRepositoryBehindTheGateway() throws Exception {
        GeneratedContent there = new GeneratedContent(100, 9);
        store.put(there.key(), there.stream(0).readAllBytes());
        ProtocolClient readOnly = client(gateway(ServerMode.READ_ONLY, ProtocolVersion.LATEST));
        GeneratedContent g = new GeneratedContent(100, 10);
        ClientReply put = readOnly.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(put.kind()).isEqualTo(ClientReply.Kind.ERROR);
        assertThat(put.error()).contains("read-only");
        assertThat(store.isPresent(g.key())).isFalse();
        ClientReply remove = readOnly.remove(there.key());
        assertThat(remove.kind()).isEqualTo(ClientReply.Kind.ERROR);
        assertThat(remove.error()).isEqualTo("this repository is read-only; write access denied");
        assertThat(store.isPresent(there.key())).as("the refused REMOVE never reached the repository").isTrue();
        assertThat(readOnly.checkPresent(there.key()).kind()).as("reads still served").isEqualTo(ClientReply.Kind.SUCCESS);
        proxy.close();

        ProtocolClient appendOnly = client(gateway(ServerMode.APPEND_ONLY, ProtocolVersion.LATEST));
        assertThat(appendOnly.remove(there.key()).error()).isEqualTo("this repository is append-only; removal denied");
        assertThat(appendOnly.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.isPresent(there.key())).isTrue();
    }

    @Test
    void lockContentHoldsOnTheRepositoryUntilTheClientUnlocks() throws Exception {
        GeneratedContent g = new GeneratedContent(100, 11);
        store.put(g.key(), g.stream(0).readAllBytes());
        knowledge.record(g.key(), REPO, true);
        LocalPeer gateway = gateway(ServerMode.READ_WRITE, ProtocolVersion.LATEST);
        ProtocolClient locker = client(gateway);
        assertThat(locker.lockContent(g.key())).isTrue();
        assertThat(store.isLocked(g.key())).as("locked on the repository itself").isTrue();
        ProtocolClient other = client(gateway);
        assertThat(other.remove(g.key()).kind()).as("a REMOVE through another conversation").isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(store.isPresent(g.key())).isTrue();
        assertThat(knowledge.locations(g.key())).as("the failed REMOVE leaves the record as it was").isEqualTo(Set.of(REPO));
        locker.unlockContent();
        assertThat(locker.checkPresent(g.key()).kind()).as("the conversation goes on after the unlock").isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.isLocked(g.key())).isFalse();
        assertThat(other.remove(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(locker.lockContent(g.key())).as("absent content cannot be locked").isFalse();
    }

    @Test
    void aClientThatHangsUpMidGetLeavesNoBrokenConversationForTheNext() throws Exception {
        GeneratedContent g = new GeneratedContent(3_000_000, 12);
        store.put(g.key(), g.stream(0).readAllBytes());
        LocalPeer gateway = gateway(ServerMode.READ_WRITE, ProtocolVersion.LATEST);
        for (int i = 0; i < 3; i++) {
            ProtocolClient quitter = client(gateway);
            Optional<Content> c = quitter.openGet(g.key(), AssociatedFile.NONE, 0);
            try (InputStream in = c.orElseThrow().stream()) {
                assertThat(in.readNBytes(10_000)).hasSize(10_000);
            }
            quitter.connection().close();
        }
        ProtocolClient next = client(gateway);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        assertThat(next.get(g.key(), AssociatedFile.NONE, 0, c -> {
            c.stream().transferTo(got);
            return true;
        }).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(got.toByteArray()).isEqualTo(g.stream(0).readAllBytes());
    }

    @Test
    void aRepositoryThatDiesMidPutFailsThatPutAloneAndRecordsNothing() throws Exception {
        ProxyStoreTest.DyingStore dying = new ProxyStoreTest.DyingStore(store, null);
        ProtocolClient client = client(gateway(ServerMode.READ_WRITE, ProtocolVersion.LATEST, dying));
        GeneratedContent g = new GeneratedContent(300_000, 13);
        ClientReply put = client.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(put.kind()).isIn(ClientReply.Kind.FAILURE, ClientReply.Kind.ERROR);
        assertThat(store.isPresent(g.key())).isFalse();
        assertThat(knowledge.locations(g.key())).as("nothing stored, nothing recorded").isEmpty();
        // The gateway's conversation with the client goes on: the next request is answered.
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        ClientReply remove = client.remove(g.key());
        assertThat(remove.kind()).as("the dying repository's REMOVE").isIn(ClientReply.Kind.FAILURE, ClientReply.Kind.ERROR);
    }
}
