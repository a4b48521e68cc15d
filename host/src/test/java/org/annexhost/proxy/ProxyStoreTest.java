package org.annexhost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.ProtocolServer;
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
 * A cluster of in-process nodes, each a real protocol server on its own store and clock, reached
 * by a protocol client through the cluster's own server: the PLUS lists, fan-out failures,
 * fallbacks and clock translation, message by message.
 */
@Timeout(30)
class ProxyStoreTest {
    static final Uuid CLUSTER = new Uuid("ac000000-0000-8000-0000-000000000001");

    final PeerThreads threads = new PeerThreads("node", 64);
    final ExecutorService fanout = Executors.newCachedThreadPool();
    final FakeMonotonicClock gatewayClock = new FakeMonotonicClock(500);
    final MemoryKnowledge knowledge = new MemoryKnowledge();
    final List<Member> nodes = new ArrayList<>();
    final CountDownLatch hungNodes = new CountDownLatch(1);
    Duration stall = ProxyStore.NODE_STALL;
    ProxyStore cluster;
    ProtocolClient client;

    /** A node: its store, clock and uuid. */
    record Member(Uuid uuid, MemoryStore store, FakeMonotonicClock clock, Node cluster) {
    }

    /**
     * A store that dies like a killed node once a PUT has sent it some bytes; or, given a latch,
     * first stops taking bytes until the latch opens, like a node that hangs.
     */
    static final class DyingStore implements LocalStore {
        final MemoryStore inner;
        final CountDownLatch hangUntil;

        DyingStore(MemoryStore inner, CountDownLatch hangUntil) {
            this.inner = inner;
            this.hangUntil = hangUntil;
        }

        @Override
        public boolean isPresent(Key key) {
            return inner.isPresent(key);
        }

        @Override
        public OptionalLong contentSize(Key key) {
            return inner.contentSize(key);
        }

        @Override
        public Optional<InputStream> openContent(Key key, long offset) {
            return inner.openContent(key, offset);
        }

        @Override
        public Upload beginUpload(Key key, AssociatedFile file) throws IOException {
            Upload u = inner.beginUpload(key, file);
            return new Upload() {
                @Override
                public long offset() {
                    return u.offset();
                }

                @Override
                public Optional<List<Uuid>> alreadyStored() throws IOException {
                    return u.alreadyStored();
                }

                @Override
                public void write(Content data) throws IOException {
                    data.counted().readNBytes(1000);
                    if (hangUntil != null) {
                        try {
                            hangUntil.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    throw new IOException("node killed");
                }

                @Override
                public Reach commit(Optional<Boolean> senderSaysValid) {
                    return Reach.of(false);
                }

                @Override
                public void close() throws IOException {
                    u.close();
                }
            };
        }

        @Override
        public Optional<ContentLock> lockContent(Key key) {
            return inner.lockContent(key);
        }

        @Override
        public Reach remove(Key key, OptionalLong deadline) throws IOException {
            throw new IOException("node killed");
        }
    }

    /** What the cluster told of its nodes: {@code CLUSTER NODE OPERATION ok|failed}. */
    final java.util.List<String> nodeOutcomes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Member node(String uuid, long clockStart, boolean dying) {
        return node(uuid, clockStart, dying, null);
    }

    private Member node(String uuid, long clockStart, boolean dying, CountDownLatch hangUntil) {
        FakeMonotonicClock clock = new FakeMonotonicClock(clockStart);
        MemoryStore store = new MemoryStore(clock, 600);
        Uuid u = new Uuid(uuid);
        LocalStore served = dying ? new DyingStore(store, hangUntil) : store;
        LocalPeer peer = new LocalPeer("node-" + uuid, new ProtocolServer(u, served,
                ProtocolServer.Options.of(clock)), threads, InMemoryConnection.Timeouts.DEFAULT);
        Member n = new Member(u, store, clock, new Node(u, "node-" + uuid, peer, 100));
        nodes.add(n);
        return n;
    }

    private void start() throws IOException {
        cluster = new ProxyStore(CLUSTER, "pool", nodes.stream().map(Member::cluster).toList(), knowledge, gatewayClock, fanout,
                stall, (c, node, operation, ok, detail) -> nodeOutcomes.add(c + " " + node + " " + operation + " " + (ok ? "ok" : "failed")));
        client = new ProtocolClient(servedCluster().connect());
        assertThat(client.negotiate(ProtocolVersion.LATEST)).isEqualTo(ProtocolVersion.LATEST);
    }

    /** The cluster as the gateway serves it: a conversation per connection, on the peer threads. */
    private LocalPeer servedCluster() {
        return new LocalPeer("cluster", new ProtocolServer(CLUSTER, cluster,
                ProtocolServer.Options.of(gatewayClock)), threads, InMemoryConnection.Timeouts.DEFAULT);
    }

    @AfterEach
    void stop() throws InterruptedException, IOException {
        hungNodes.countDown();
        if (client != null) {
            client.connection().close();
        }
        if (cluster != null) {
            cluster.close();
        }
        threads.close();
        fanout.shutdownNow();
    }

    private static Set<Uuid> uuids(Member... ns) {
        Set<Uuid> out = new HashSet<>();
        for (Member n : ns) {
            out.add(n.uuid());
        }
        return out;
    }

    @Test
    void putStreamsToEveryNodeAndNamesThemAll() throws IOException {
        Member a = node("a", 1, false);
        Member b = node("b", 1, false);
        Member c = node("c", 1, false);
        start();
        GeneratedContent g = new GeneratedContent(1_000_000, 1);
        ClientReply r = client.put(g.key(), AssociatedFile.of("x.bin"), g::content);
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(uuids(a, b, c));
        for (Member n : List.of(a, b, c)) {
            assertThat(n.store().get(g.key())).as("on " + n.uuid()).isPresent();
        }
        assertThat(knowledge.locations(g.key())).isEqualTo(uuids(a, b, c));
        // Every node has it now: a second PUT is ALREADY-HAVE.
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.ALREADY_HAVE);
    }

    @Test
    void bypassLeavesOutTheNodesBehindTheNamedGateway() throws IOException {
        Member a = node("a", 1, false);
        Member b = node("b", 1, false);
        Uuid otherGateway = new Uuid("99999999-0000-0000-0000-000000000009");
        MemoryStore behindStore = new MemoryStore(new FakeMonotonicClock(1), 600);
        Uuid behind = new Uuid("behind");
        LocalPeer behindPeer = new LocalPeer("node-behind", new ProtocolServer(behind, behindStore,
                ProtocolServer.Options.of(new FakeMonotonicClock(1))), threads, InMemoryConnection.Timeouts.DEFAULT);
        nodes.add(new Member(behind, behindStore, new FakeMonotonicClock(1),
                new Node(behind, "other-behind", behindPeer, 201, Optional.of(otherGateway))));
        start();
        client.bypass(List.of(otherGateway));
        GeneratedContent g = new GeneratedContent(40_000, 21);
        ClientReply r = client.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(uuids(a, b));
        assertThat(behindStore.get(g.key())).as("the node behind the bypassed gateway").isEmpty();
        // The same conversation's REMOVE leaves that node alone too; a new one without BYPASS reaches it.
        behindStore.put(g.key(), g.stream(0).readAllBytes());
        assertThat(client.remove(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(behindStore.isPresent(g.key())).isTrue();
        assertThat(a.store().isPresent(g.key())).isFalse();
        GeneratedContent h = new GeneratedContent(40_000, 22);
        try (var second = servedCluster().connect()) {
            ProtocolClient other = new ProtocolClient(second);
            other.negotiate(ProtocolVersion.LATEST);
            assertThat(new HashSet<>(other.put(h.key(), AssociatedFile.NONE, h::content).uuids())).contains(behind);
            assertThat(behindStore.isPresent(h.key())).isTrue();
        }
    }

    @Test
    void contentThatDoesNotMatchItsKeyReachesNoNodeEvenOnesThatTrustTheGateway() throws IOException {
        // Nodes served in this process do not hash again: the gateway hashed once, for all.
        List<org.annexhost.api.contract.InMemoryBackend> backends = new ArrayList<>();
        for (String name : List.of("t1", "t2")) {
            org.annexhost.api.contract.InMemoryBackend backend = new org.annexhost.api.contract.InMemoryBackend();
            backends.add(backend);
            FakeMonotonicClock clock = new FakeMonotonicClock(1);
            org.annexhost.peer.BackendStore trusting = new org.annexhost.peer.BackendStore(name, backend,
                    new org.annexhost.lock.LockTable(java.nio.file.Files.createTempDirectory("locks-" + name),
                            java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(10)),
                    fanout, java.time.Duration.ofSeconds(10), clock).trustingItsFeeder();
            Uuid u = new Uuid(name);
            LocalPeer peer = new LocalPeer(name, new ProtocolServer(u, trusting,
                    ProtocolServer.Options.of(clock)), threads, InMemoryConnection.Timeouts.DEFAULT);
            nodes.add(new Member(u, new MemoryStore(new FakeMonotonicClock(1), 600), new FakeMonotonicClock(1),
                    new Node(u, name, peer, 100)));
        }
        start();
        GeneratedContent claimed = new GeneratedContent(300_000, 31);
        GeneratedContent sent = new GeneratedContent(300_000, 32);
        ClientReply bad = client.put(claimed.key(), AssociatedFile.NONE, sent::content);
        assertThat(bad.kind()).isNotEqualTo(ClientReply.Kind.SUCCESS);
        for (org.annexhost.api.contract.InMemoryBackend b : backends) {
            assertThat(b.checkPresent(claimed.key()).isPresent()).as("a node kept content that does not match").isFalse();
        }
        assertThat(knowledge.locations(claimed.key())).isEmpty();
        // The right content then goes to both, and is what they hold.
        assertThat(client.put(claimed.key(), AssociatedFile.NONE, claimed::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        for (org.annexhost.api.contract.InMemoryBackend b : backends) {
            try (InputStream in = b.retrieve(claimed.key(), 0).stream()) {
                assertThat(in.readAllBytes()).isEqualTo(claimed.stream(0).readAllBytes());
            }
        }
    }

    @Test
    void wantedExpressionsChooseTheNodes() throws IOException {
        Member a = node("a", 1, false);
        Member b = node("b", 1, false);
        knowledge.wanted.put(b.uuid(), PreferredContent.parse("include=*.jpg"));
        start();
        GeneratedContent g = new GeneratedContent(5000, 2);
        ClientReply r = client.put(g.key(), AssociatedFile.of("notes.txt"), g::content);
        assertThat(r.uuids()).containsExactly(a.uuid());
        assertThat(b.store().get(g.key())).isEmpty();
    }

    @Test
    void aNodeKilledMidFanOutIsLeftOutAndTheOthersStore() throws IOException {
        Member a = node("a", 1, false);
        Member dying = node("d", 1, true);
        Member c = node("c", 1, false);
        start();
        GeneratedContent g = new GeneratedContent(3_000_000, 3);
        ClientReply r = client.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(uuids(a, c));
        assertThat(dying.store().get(g.key())).isEmpty();
        assertThat(knowledge.locations(g.key())).isEqualTo(uuids(a, c));
        assertThat(nodeOutcomes).as("each node's part, told once").containsExactlyInAnyOrder(
                "pool node-a put ok", "pool node-d put failed", "pool node-c put ok");
        // The cluster connection still serves.
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
    }

    @Test
    void aNodeThatStopsTakingBytesIsLeftOutAfterTheStallLimitAndTheOthersStore() throws IOException {
        Member a = node("a", 1, false);
        Member hung = node("h", 1, true, hungNodes);
        Member c = node("c", 1, false);
        stall = Duration.ofMillis(500);
        start();
        // More than the node's pipe and connection hold, so the gateway must wait for it.
        GeneratedContent g = new GeneratedContent(12_000_000, 5);
        long started = System.nanoTime();
        ClientReply r = client.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(uuids(a, c));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the upload waited for the hung node")
                .isGreaterThanOrEqualTo(stall);
        assertThat(a.store().get(g.key())).isPresent();
        assertThat(c.store().get(g.key())).isPresent();
        assertThat(hung.store().get(g.key())).isEmpty();
        assertThat(knowledge.locations(g.key())).isEqualTo(uuids(a, c));
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
    }

    @Test
    void alreadyHavePlusNamesTheNodesThatHaveIt() throws IOException {
        Member a = node("a", 1, false);
        Member b = node("b", 1, false);
        GeneratedContent g = new GeneratedContent(100, 4);
        byte[] bytes = g.stream(0).readAllBytes();
        a.store().put(g.key(), bytes);
        b.store().put(g.key(), bytes);
        start();
        ClientReply r = client.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.ALREADY_HAVE);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(uuids(a, b));
    }

    @Test
    void removeReachesEveryNodeAndFailurePlusNamesThoseItReached() throws IOException {
        Member a = node("a", 1, false);
        Member dying = node("d", 1, true);
        Member c = node("c", 1, false);
        GeneratedContent g = new GeneratedContent(100, 5);
        byte[] bytes = g.stream(0).readAllBytes();
        a.store().put(g.key(), bytes);
        c.store().put(g.key(), bytes); // not in the location log: removed all the same
        knowledge.record(g.key(), a.uuid(), true);
        start();
        ClientReply r = client.remove(g.key());
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(uuids(a, c));
        assertThat(a.store().get(g.key())).isEmpty();
        assertThat(c.store().get(g.key())).isEmpty();
        assertThat(dying.store().isPresent(g.key())).isFalse();
    }

    @Test
    void removeBeforeIsTranslatedToEachNodesClock() throws IOException {
        Member far = node("far", 1_000_000, false);  // a node whose clock is far ahead of the gateway's
        Member behind = node("behind", 3, false);   // and one far behind
        GeneratedContent g = new GeneratedContent(100, 6);
        byte[] bytes = g.stream(0).readAllBytes();
        for (Member n : List.of(far, behind)) {
            n.store().put(g.key(), bytes);
            knowledge.record(g.key(), n.uuid(), true);
        }
        start();
        long now = client.getTimestamp();
        assertThat(now).isEqualTo(500);
        // Untranslated, 510 would be long past for "far" and the remove would fail there.
        ClientReply r = client.removeBefore(now + 10, g.key());
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(uuids(far, behind));
        assertThat(far.store().get(g.key())).isEmpty();
        assertThat(behind.store().get(g.key())).isEmpty();
    }

    @Test
    void removeBeforeAPassedDeadlineRemovesNothing() throws IOException {
        Member a = node("a", 3, false);
        GeneratedContent g = new GeneratedContent(100, 7);
        a.store().put(g.key(), g.stream(0).readAllBytes());
        knowledge.record(g.key(), a.uuid(), true);
        start();
        long now = client.getTimestamp();
        gatewayClock.advance(20); // the client's drop proof took too long
        ClientReply r = client.removeBefore(now + 10, g.key());
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(a.store().get(g.key())).isPresent();
    }

    @Test
    void getFallsBackToTheNextNodeAndLockIsRefused() throws IOException {
        Member empty = node("a", 1, false);
        Member full = node("b", 1, false);
        full.cluster(); // cost ties: order is random, so both orders must work
        GeneratedContent g = new GeneratedContent(200_000, 8);
        full.store().put(g.key(), g.stream(0).readAllBytes());
        knowledge.record(g.key(), empty.uuid(), true); // a stale log entry
        knowledge.record(g.key(), full.uuid(), true);
        start();
        for (int i = 0; i < 4; i++) {
            byte[][] got = new byte[1][];
            ClientReply r = client.get(g.key(), AssociatedFile.NONE, 0, c -> {
                got[0] = c.counted().readAllBytes();
                return true;
            });
            assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
            assertThat(got[0]).isEqualTo(g.stream(0).readAllBytes());
        }
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(client.lockContent(g.key())).as("content is locked on nodes, not on the cluster").isFalse();
        assertThat(nodeOutcomes).as("the node that had it served every GET").containsOnly("pool node-b get ok").hasSize(4);
    }
}
