package org.annexhost.remote;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.StorageBackendFactory;
import org.annexhost.api.Uuid;
import org.annexhost.proxy.BranchKnowledge;
import org.annexhost.proxy.Node;
import org.annexhost.proxy.ProxyStore;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.server.ContentListener;
import org.annexhost.repo.branch.LocationLog;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerThreads;
import org.annexhost.time.MonotonicClock;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.peer.BackendStore;
import org.annexhost.plugin.BackendTypeRegistry;
import org.annexhost.remote.chunk.BranchChunkRecords;
import org.annexhost.remote.chunk.ChunkConfig;
import org.annexhost.remote.git.AnnexHttpUrl;
import org.annexhost.remote.git.P2pHttpBackend;
import org.annexhost.remote.chunk.ChunkedBackend;
import org.annexhost.repo.HostRepository;

/**
 * Opens the backends of configured remotes when first asked, each as a {@link LocalStore} the
 * protocol server can serve, with content locks kept in the host repository (a backend cannot
 * lock by itself) and git-annex's chunking done in front of it. Thread-safe; owned by the composition root, which closes it.
 */
public final class ServedRemotes implements AutoCloseable {
    /** How long a backend call that does not stream may take. */
    static final Duration CALL_DEADLINE = Duration.ofMinutes(5);

    private final HostRepository repo;
    private final ConfiguredRemotes remotes;
    private final BackendTypeRegistry types;
    private final Resources resources;
    private final ContentListener locationLog;
    private final Map<Uuid, Opened> open = new ConcurrentHashMap<>();
    private final Map<Uuid, ProxyStore> proxies = new ConcurrentHashMap<>();

    /**
     * What the served remotes run on, given by the composition root, which owns (and closes) the
     * threads.
     *
     * @param wall for log timestamps and lock retention
     * @param clock the monotonic clock of the servers serving these remotes, which REMOVE-BEFORE
     *     deadlines are in
     * @param nodeThreads the conversations of cluster nodes served in this process run on
     * @param calls runs backend calls that have a deadline, and a cluster's fan-out
     * @param lockRetention how long a lock holds once its holder is gone
     * @param nodeEvents told how each cluster node did its part of each request
     */
    public record Resources(Clock wall, MonotonicClock clock, PeerThreads nodeThreads, ExecutorService calls,
                            Duration lockRetention, org.annexhost.proxy.NodeEvents nodeEvents) {
    }

    /** A backend, its store, and the same store for a cluster that verifies what it feeds its nodes. */
    private record Opened(StorageBackend backend, BackendStore store) {
        LocalStore asClusterNode() {
            return store.trustingItsFeeder();
        }
    }

    /**
     * @param repo the host repository
     * @param remotes the configured remotes
     * @param types the remote types available
     * @param resources clocks and threads
     */
    public ServedRemotes(HostRepository repo, ConfiguredRemotes remotes, BackendTypeRegistry types, Resources resources) {
        this.repo = repo;
        this.remotes = remotes;
        this.types = types;
        this.resources = resources;
        this.locationLog = new LocationLog(repo.branch(), resources.wall());
    }

    /**
     * What the gateway serves clients for a uuid it proxies: a store, served in this process by a
     * protocol server of its own. A special remote's store is its backend's; a git-annex repository
     * and a cluster are {@link ProxyStore}s, which carry each request to the nodes their selector
     * picks (the one repository, or the cluster's nodes).
     *
     * @param name the remote's or cluster's name
     * @param store what serves it
     */
    public record Proxied(String name, LocalStore store) {
    }

    /**
     * @return what serves a uuid this repository proxies for clients: a published special remote
     *     or git remote, or a cluster; empty if there is no such remote (a client cannot reach
     *     remotes that are not proxied)
     * @throws IOException if the remote exists but cannot be opened, naming why
     */
    public Optional<Proxied> proxied(Uuid uuid) throws IOException {
        Optional<ClusterConfig.Definition> cluster = ClusterConfig.byUuid(repo.git(), uuid);
        if (cluster.isPresent()) {
            return Optional.of(new Proxied(cluster.get().name(), cluster(cluster.get())));
        }
        Optional<RemoteDefinition> def = remotes.byUuid(uuid);
        if (def.isEmpty() || !remotes.published(def.get())) {
            return Optional.empty();
        }
        Optional<RemoteDefinition.Git> shell = overShell(def.get());
        if (shell.isPresent()) {
            return Optional.of(new Proxied(def.get().name(), repository(def.get(), shell.get())));
        }
        return Optional.of(new Proxied(def.get().name(),
                new LocationRecordingStore(opened(def.get()).store(), uuid, locationLog)));
    }

    /** @return the uuids of every remote and cluster this repository proxies for clients */
    public List<Uuid> proxiedUuids() throws IOException {
        return listing().stream().map(Listed::uuid).toList();
    }

    /**
     * A remote or cluster clients can reach through this repository, as the status page lists it.
     *
     * @param name its name
     * @param uuid its uuid
     * @param kind {@code cluster}, {@code git}, or the special remote's type
     * @param nodes a cluster's nodes by name (empty for a remote)
     */
    public record Listed(String name, Uuid uuid, String kind, List<String> nodes) {
    }

    /** @return every remote and cluster this repository proxies for clients, without opening one */
    public List<Listed> listing() throws IOException {
        List<Listed> out = new ArrayList<>();
        for (RemoteDefinition r : remotes.list()) {
            if (remotes.published(r)) {
                out.add(new Listed(r.name(), r.uuid(), r.type(), List.of()));
            }
        }
        for (ClusterConfig.Definition c : ClusterConfig.list(repo.git())) {
            out.add(new Listed(c.name(), c.uuid(), "cluster", c.nodes()));
        }
        return out;
    }

    /**
     * A cluster's store. Its nodes are the gateway's own (each a peer served in this process on its
     * own store, or a git-annex repository reached through git-annex-shell) and the nodes other
     * gateways of the cluster serve, each reached through that gateway by the node's own uuid.
     */
    private ProxyStore cluster(ClusterConfig.Definition d) throws IOException {
        return once(proxies, d.uuid(), () -> {
            List<RemoteDefinition> defs = new ArrayList<>();
            for (String name : d.nodes()) {
                // a node removed from the configuration but not yet from the cluster is skipped
                remotes.byName(name).ifPresent(defs::add);
            }
            defs.addAll(remotes.clusterNodesViaGateways(d));
            List<Node> nodes = new ArrayList<>();
            Set<Uuid> seen = new HashSet<>(List.of(d.uuid(), repo.uuid()));
            for (RemoteDefinition def : defs) {
                if (seen.add(def.uuid())) {
                    nodes.add(clusterNode(def));
                }
            }
            return new ProxyStore(d.uuid(), d.name(), nodes, new BranchKnowledge(repo.branch(), resources.wall()),
                    resources.clock(), resources.calls(), ProxyStore.NODE_STALL, resources.nodeEvents());
        });
    }

    /**
     * A git-annex repository's store: its own server (reached through git-annex-shell) is asked
     * everything, over conversations pooled as a cluster's nodes' are.
     */
    private ProxyStore repository(RemoteDefinition def, RemoteDefinition.Git shell) throws IOException {
        return once(proxies, def.uuid(), () -> ProxyStore.single(
                new Node(def.uuid(), def.name(), remotes.git().peer(shell), cost(def.name())),
                new BranchKnowledge(repo.branch(), resources.wall()), resources.clock(), resources.calls(),
                ProxyStore.NODE_STALL, org.annexhost.proxy.NodeEvents.NONE)); // its node is itself: no node metrics
    }

    /** What opens a remote's store or backend, once. */
    private interface Opening<T> {
        T open() throws IOException;
    }

    /** @return what the map holds for the uuid, opened now (once, whoever asks at the same time) if it holds nothing */
    private <T> T once(Map<Uuid, T> opened, Uuid uuid, Opening<T> opening) throws IOException {
        T o = opened.get(uuid);
        if (o != null) {
            return o;
        }
        synchronized (this) {
            o = opened.get(uuid);
            if (o == null) {
                o = opening.open();
                opened.put(uuid, o);
            }
            return o;
        }
    }

    private Node clusterNode(RemoteDefinition def) throws IOException {
        // A node behind another gateway costs a little more than that gateway (git-annex adds to a
        // proxy's cost for the remotes it proxies), so GET prefers nodes of this gateway's own.
        Optional<RemoteDefinition.Git> via = def instanceof RemoteDefinition.Onward o ? Optional.of(o.gateway()) : Optional.empty();
        int cost = via.isEmpty() ? cost(def.name()) : cost(via.get().name()) + 1;
        // BYPASS names gateways: a client that came through that one must not be sent back there.
        Optional<Uuid> gateway = via.map(RemoteDefinition::uuid);
        Optional<RemoteDefinition.Git> shell = overShell(def);
        if (shell.isPresent()) {
            return new Node(def.uuid(), def.name(), remotes.git().peer(shell.get()), cost, gateway);
        }
        LocalStore store = opened(def).asClusterNode();
        return new Node(def.uuid(), def.name(), new LocalPeer(def.name(), new ProtocolServer(def.uuid(), store,
                ProtocolServer.Options.of(resources.clock())),
                resources.nodeThreads(), InMemoryConnection.Timeouts.DEFAULT), cost, gateway);
    }

    /** git-annex's remote cost: {@code remote.NAME.annex-cost}, else its default for remotes that are not local repositories. */
    private int cost(String name) throws IOException {
        java.util.Optional<String> setting = repo.git().config().get("remote." + name + ".annex-cost");
        if (setting.isPresent()) {
            try {
                return (int) Double.parseDouble(setting.get().trim());
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return 200;
    }

    /** @return the backend of a configured remote, opened if needed */
    public StorageBackend backend(RemoteDefinition def) throws IOException {
        return opened(def).backend();
    }

    private Opened opened(RemoteDefinition def) throws IOException {
        return once(open, def.uuid(), () -> openBackend(def));
    }

    private Opened openBackend(RemoteDefinition def) throws IOException {
        Optional<RemoteDefinition.Git> git = def.reachedAs();
        if (git.isPresent() && !git.get().overHttp()) {
            throw new IOException("remote " + def.name() + " is another git-annex repository, not a storage backend");
        }
        if (git.isPresent()) {
            // another repository's annex API: served like a backend, checked and locked here
            StorageBackend backend = new P2pHttpBackend(AnnexHttpUrl.parse(git.get().annexUrl().orElseThrow()),
                    def.uuid(), repo.uuid());
            return new Opened(backend, new BackendStore(def.name(), backend, locksOf(def), resources.calls(), CALL_DEADLINE, resources.clock()));
        }
        RemoteDefinition.Special special = (RemoteDefinition.Special) def;
        StorageBackendFactory factory = types.factory(def.type()).orElseThrow(() -> new IOException(
                "remote " + def.name() + " (" + def.uuid() + ") has type " + def.type()
                        + ", which no loaded plugin provides; known types: " + String.join(", ", types.names())));
        BackendConfig config = remotes.backendConfig(special);
        try {
            StorageBackend backend = new ChunkedBackend(factory.open(config, remotes.context(def.name(), def.uuid(), config)),
                    ChunkConfig.of(config), new BranchChunkRecords(repo.branch(), def.uuid(), resources.wall()));
            return new Opened(backend, new BackendStore(def.name(), backend, locksOf(def), resources.calls(), CALL_DEADLINE, resources.clock()));
        } catch (BackendException e) {
            throw new IOException("cannot open remote " + def.name() + " (" + def.uuid() + "): " + e.getMessage(), e);
        }
    }

    /** @return the git-annex repository a remote is reached as through git-annex-shell, a peer of its own */
    private static Optional<RemoteDefinition.Git> overShell(RemoteDefinition def) {
        return def.reachedAs().filter(g -> !g.overHttp());
    }

    private LockTable locksOf(RemoteDefinition def) {
        return new LockTable(repo.hostDir().resolve("remotes").resolve(def.uuid().value()).resolve("locks"),
                resources.wall(), resources.lockRetention());
    }

    @Override
    public void close() {
        proxies.values().forEach(ProxyStore::close);
        for (Opened o : open.values()) {
            try {
                o.backend().close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }
}
