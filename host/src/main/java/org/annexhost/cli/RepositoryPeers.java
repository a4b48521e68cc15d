package org.annexhost.cli;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.RepositoryServices;
import org.annexhost.p2p.server.ServerEvents;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerResolver;
import org.annexhost.peer.PeerThreads;
import org.annexhost.remote.ServedRemotes;
import org.annexhost.repo.HostRepository;
import org.annexhost.time.MonotonicClock;

/**
 * Which code decides what a client may do with uuid X, for one served repository: this class.
 * The repository itself is served with its git services; each special remote, git-annex
 * repository and cluster it proxies by a protocol server of its own on that remote's store (for
 * a repository or a cluster, a proxy to its nodes: {@code proxy.ProxyStore}). Every peer is
 * narrowed to the client's rights, so the same rules hold over ssh and HTTP. Built once per served
 * repository; the remotes are opened when a client first asks for one, so plain repository access
 * loads no plugins. Thread-safe.
 */
final class RepositoryPeers implements PeerResolver {
    /** Finds the remotes the repository proxies; called only when a client asks for one. */
    interface Remotes {
        ServedRemotes get() throws IOException;
    }

    private final Uuid uuid;
    private final LocalPeer own;
    private final Remotes remotes;
    private final MonotonicClock clock;
    private final PeerThreads threads;
    private final PeerThreads lockThreads;
    private final Function<String, ServerEvents> events;
    private final Map<Uuid, LocalPeer> proxied = new ConcurrentHashMap<>();

    /**
     * @param repo the repository
     * @param store its content
     * @param services its git services
     * @param remotes what it proxies
     * @param clock what GETTIMESTAMP reads, and REMOVE-BEFORE deadlines are in
     * @param threads the conversations of peers served in this process run on
     * @param lockThreads the conversations holding content locks run on, apart
     * @param events what each protocol server here reports to, by the name of the peer it serves
     *     (the repository's folder name, or the remote's)
     */
    RepositoryPeers(HostRepository repo, LocalStore store, RepositoryServices services, Remotes remotes,
                    MonotonicClock clock, PeerThreads threads, PeerThreads lockThreads,
                    Function<String, ServerEvents> events) {
        this.uuid = repo.uuid();
        this.remotes = remotes;
        this.clock = clock;
        this.threads = threads;
        this.lockThreads = lockThreads;
        this.events = events;
        String name = repo.path().getFileName().toString();
        this.own = new LocalPeer(name,
                new ProtocolServer(uuid, store, ProtocolServer.Options.of(clock).services(services).events(events.apply(name))),
                threads, lockThreads, InMemoryConnection.Timeouts.DEFAULT);
    }

    @Override
    public Optional<LocalPeer> resolve(Uuid wanted, ServerMode rights) throws IOException {
        if (wanted.equals(uuid)) {
            return Optional.of(own.narrowedTo(rights));
        }
        LocalPeer p = proxied.get(wanted);
        if (p == null) {
            Optional<ServedRemotes.Proxied> found = remotes.get().proxied(wanted);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            ServedRemotes.Proxied s = found.get();
            p = proxied.computeIfAbsent(wanted, u -> new LocalPeer(s.name(),
                    new ProtocolServer(u, s.store(), ProtocolServer.Options.of(clock).events(events.apply(s.name()))),
                    threads, lockThreads, InMemoryConnection.Timeouts.DEFAULT));
        }
        return Optional.of(p.narrowedTo(rights));
    }
}
