package org.annexhost.peer;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer served in this process: each conversation runs the {@link ProtocolServer} on its own
 * thread of a bounded pool, over the internal transport. The server is the same code that serves
 * ssh clients, so a backend behaves exactly like a repository.
 *
 * <p>Thread-safe.
 */
public final class LocalPeer implements Peer {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPeer.class);

    private final String name;
    private final ProtocolServer server;
    private final PeerThreads threads;
    private final PeerThreads lockThreads;
    private final InMemoryConnection.Timeouts timeouts;

    /**
     * @param name for logs
     * @param server serves the conversations
     * @param threads the pool conversations run on
     * @param timeouts deadlines of the internal transport
     */
    public LocalPeer(String name, ProtocolServer server, PeerThreads threads, InMemoryConnection.Timeouts timeouts) {
        this(name, server, threads, threads, timeouts);
    }

    /**
     * @param lockThreads the pool of conversations that hold content locks, apart from the others
     */
    public LocalPeer(String name, ProtocolServer server, PeerThreads threads, PeerThreads lockThreads,
                     InMemoryConnection.Timeouts timeouts) {
        this.name = name;
        this.server = server;
        this.threads = threads;
        this.lockThreads = lockThreads;
        this.timeouts = timeouts;
    }

    @Override
    public Uuid uuid() {
        return server.uuid();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public P2PConnection connect() throws IOException {
        return connectOn(threads);
    }

    @Override
    public P2PConnection connectToLock() throws IOException {
        return connectOn(lockThreads);
    }

    private P2PConnection connectOn(PeerThreads threads) throws IOException {
        InMemoryConnection.Pair pair = InMemoryConnection.pair(name, timeouts);
        try {
            threads.execute(() -> {
                try (P2PConnection c = pair.server()) {
                    server.serve(c);
                } catch (IOException e) {
                    LOG.debug("{}: conversation ended: {}", name, e.getMessage());
                } catch (RuntimeException e) {
                    LOG.error("{}: conversation failed", name, e);
                }
            });
        } catch (RejectedExecutionException e) {
            pair.client().close();
            throw new PeerBusyException("peer " + name + " (" + uuid() + ") is too busy: " + threads.describe());
        }
        return pair.client();
    }

    /**
     * Serves one client's conversation, arriving already authenticated on this connection, in the
     * calling thread, until either side ends it; then closes the client's side: no relay, no hop.
     */
    public void serve(P2PConnection client) throws IOException {
        try (client) {
            server.serve(client);
        }
    }

    /**
     * @return this peer for a client with at most these rights: its server refuses, with
     *     git-annex's messages, what the rights do not allow (this peer itself for full rights)
     */
    public LocalPeer narrowedTo(ServerMode rights) {
        ProtocolServer narrowed = server.narrowedTo(rights);
        return narrowed == server ? this : new LocalPeer(name, narrowed, threads, lockThreads, timeouts);
    }

    @Override
    public String toString() {
        return "LocalPeer[" + name + " " + uuid() + "]";
    }
}
