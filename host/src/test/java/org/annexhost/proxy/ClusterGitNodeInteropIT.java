package org.annexhost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.ForwardingConnection;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.Peer;
import org.annexhost.peer.PeerThreads;
import org.annexhost.remote.git.GitPeer;
import org.annexhost.remote.git.GitUrl;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryKnowledge;
import org.annexhost.testing.MemoryStore;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's fault cases with a node that is a real git-annex repository, reached as the
 * gateway reaches one (a {@link GitPeer}: git-annex's own {@code git-annex-shell p2pstdio}):
 * its process killed mid-fan-out leaves it out of an exact SUCCESS-PLUS, and REMOVE-BEFORE is
 * translated into git-annex's own monotonic clock, far from the gateway's fake one.
 */
@Timeout(120)
class ClusterGitNodeInteropIT {
    static final Uuid CLUSTER = new Uuid("ac000000-0000-8000-0000-000000000002");

    @TempDir
    Path tmp;
    Path repo;
    Uuid repoUuid;
    final PeerThreads threads = new PeerThreads("node", 64);
    final ExecutorService fanout = Executors.newCachedThreadPool();
    final FakeMonotonicClock gatewayClock = new FakeMonotonicClock(500);
    final MemoryKnowledge knowledge = new MemoryKnowledge();
    ProxyStore cluster;
    ProtocolClient client;

    @BeforeEach
    void makeRepository() throws Exception {
        repo = tmp.resolve("node.git");
        run(tmp, "git", "init", "-q", "--bare", repo.toString());
        run(repo, "git", "annex", "init", "-q", "git node");
        repoUuid = new Uuid(run(repo, "git", "config", "annex.uuid").strip());
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Sh.Result r = new Sh(Map.of()).run(dir, Duration.ofMinutes(1), cmd);
        assertThat(r.code()).as("%s\n(is git-annex installed? run scripts/install-deps.sh)", r.describe()).isZero();
        return r.all();
    }

    /** A node in memory whose GETTIMESTAMP and REMOVE-BEFORE use the one clock. */
    private Node memoryNode(String uuid, FakeMonotonicClock clock, MemoryStore store) {
        Uuid u = new Uuid(uuid);
        return new Node(u, "node-" + uuid, new LocalPeer("node-" + uuid, new ProtocolServer(u, store,
                ProtocolServer.Options.of(clock)), threads,
                InMemoryConnection.Timeouts.DEFAULT), 100);
    }

    private GitPeer gitPeer() throws IOException {
        return new GitPeer("git-node", repoUuid, GitUrl.parse(repo.toString()), Uuid.random(), tmp.resolve("stderr.log"));
    }

    private void start(List<Node> nodes) throws IOException {
        cluster = new ProxyStore(CLUSTER, "pool", nodes, knowledge, gatewayClock, fanout, ProxyStore.NODE_STALL);
        client = new ProtocolClient(servedCluster().connect());
        client.negotiate(ProtocolVersion.LATEST);
    }

    /** The cluster as the gateway serves it: a conversation per connection, on the peer threads. */
    private LocalPeer servedCluster() {
        return new LocalPeer("cluster", new ProtocolServer(CLUSTER, cluster,
                ProtocolServer.Options.of(gatewayClock)), threads, InMemoryConnection.Timeouts.DEFAULT);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.connection().close();
        }
        if (cluster != null) {
            cluster.close();
        }
        threads.close();
        fanout.shutdownNow();
    }

    private boolean inRepository(Key key) throws IOException {
        Path objects = repo.resolve("annex/objects");
        if (!Files.exists(objects)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(objects)) {
            return s.anyMatch(p -> Files.isRegularFile(p) && p.getFileName().toString().equals(key.toString()));
        }
    }

    @Test
    void aGitNodeWhoseProcessIsKilledMidFanOutIsLeftOut() throws Exception {
        FakeMonotonicClock clock = new FakeMonotonicClock(1);
        MemoryStore a = new MemoryStore(clock, 600);
        MemoryStore c = new MemoryStore(clock, 600);
        Set<Long> killed = new HashSet<>();
        start(List.of(memoryNode("a", clock, a), new Node(repoUuid, "git-node", new KillingPeer(gitPeer(), killed), 100),
                memoryNode("c", clock, c)));
        GeneratedContent g = new GeneratedContent(4_000_000, 11);
        ClientReply r = client.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(killed).as("git-annex-shell processes killed mid-DATA").isNotEmpty();
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(r.uuids())).isEqualTo(Set.of(new Uuid("a"), new Uuid("c")));
        assertThat(inRepository(g.key())).isFalse();
        assertThat(knowledge.locations(g.key())).doesNotContain(repoUuid);
        // The cluster connection still serves, and the git node takes the next PUT whole.
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        GeneratedContent next = new GeneratedContent(2_000_000, 13);
        assertThat(new HashSet<>(client.put(next.key(), AssociatedFile.NONE, next::content).uuids()))
                .isEqualTo(Set.of(new Uuid("a"), repoUuid, new Uuid("c")));
        assertThat(inRepository(next.key())).isTrue();
    }

    @Test
    void putThenRemoveBeforeReachTheGitNodeInItsOwnClock() throws Exception {
        FakeMonotonicClock far = new FakeMonotonicClock(1_000_000_000L);
        MemoryStore a = new MemoryStore(far, 600);
        start(List.of(memoryNode("a", far, a), new Node(repoUuid, "git-node", gitPeer(), 100)));
        GeneratedContent g = new GeneratedContent(300_000, 12);
        ClientReply put = client.put(g.key(), AssociatedFile.of("x.bin"), g::content);
        assertThat(put.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(put.uuids())).isEqualTo(Set.of(new Uuid("a"), repoUuid));
        assertThat(inRepository(g.key())).isTrue();
        run(repo, "git", "annex", "fsck", "-q", "--all");
        long now = client.getTimestamp();
        assertThat(now).isEqualTo(500);
        // git-annex's clock is the system's, nowhere near 500; untranslated the deadline would be wrong there.
        ClientReply removed = client.removeBefore(now + 30, g.key());
        assertThat(removed.kind()).as(removed.toString()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(new HashSet<>(removed.uuids())).isEqualTo(Set.of(new Uuid("a"), repoUuid));
        assertThat(inRepository(g.key())).isFalse();
    }

    /** A peer whose git-annex-shell is killed (by its pid) once a PUT has sent it a megabyte. */
    private static final class KillingPeer implements Peer {
        private final GitPeer inner;
        private final Set<Long> killed;

        KillingPeer(GitPeer inner, Set<Long> killed) {
            this.inner = inner;
            this.killed = killed;
        }

        @Override
        public Uuid uuid() {
            return inner.uuid();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public P2PConnection connect() throws IOException {
            Set<Long> before = children();
            P2PConnection c = inner.connect();
            Set<Long> mine = children();
            mine.removeAll(before);
            return new ForwardingConnection(c) {
                @Override
                public void sendContent(Content content) throws IOException {
                    c.sendContent(new Content(content.length(), new FilterInputStream(content.stream()) {
                        long sent;

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (sent > 1_000_000 && killed.isEmpty()) {
                                for (long pid : mine) {
                                    ProcessHandle.of(pid).ifPresent(h -> {
                                        h.descendants().forEach(ProcessHandle::destroyForcibly);
                                        h.destroyForcibly();
                                    });
                                    killed.add(pid);
                                }
                            }
                            int n = super.read(b, off, len);
                            sent += Math.max(0, n);
                            return n;
                        }
                    }));
                }
            };
        }

        private static Set<Long> children() {
            Set<Long> out = new HashSet<>();
            ProcessHandle.current().children().forEach(h -> out.add(h.pid()));
            return out;
        }
    }
}
