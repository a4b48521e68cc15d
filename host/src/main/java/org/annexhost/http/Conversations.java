package org.annexhost.http;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.peer.Peer;

/**
 * P2P conversations with peers, pooled per (peer, version, bypass) and reused across requests,
 * as each request needs one negotiated conversation. A conversation that broke or was left in the
 * middle of anything is closed, never returned. Thread-safe.
 */
final class Conversations implements AutoCloseable {
    private record PoolKey(Uuid peer, ProtocolVersion version, List<Uuid> bypass, boolean locking) {
    }

    /** A negotiated conversation lent to one request. */
    static final class Lease implements AutoCloseable {
        private final Conversations owner;
        private final PoolKey key;
        final ProtocolClient client;
        private boolean clean;

        private Lease(Conversations owner, PoolKey key, ProtocolClient client) {
            this.owner = owner;
            this.key = key;
            this.client = client;
        }

        /** Marks the conversation as back at a request boundary, fit for reuse. */
        void done() {
            clean = true;
        }

        @Override
        public void close() {
            owner.giveBack(this);
        }
    }

    private final java.util.function.ToIntFunction<Uuid> maxIdle;
    private final Map<PoolKey, Deque<ProtocolClient>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    /** @param maxIdle how many idle conversations to keep per (peer, version, bypass), by peer */
    Conversations(java.util.function.ToIntFunction<Uuid> maxIdle) {
        this.maxIdle = maxIdle;
    }

    /** @return a conversation with the peer at the version, bypass sent */
    Lease take(Peer peer, ProtocolVersion version, List<Uuid> bypass) throws IOException {
        return take(peer, version, bypass, false);
    }

    /** @return a conversation to hold a content lock in, apart from the request conversations */
    Lease takeToLock(Peer peer, ProtocolVersion version, List<Uuid> bypass) throws IOException {
        return take(peer, version, bypass, true);
    }

    private Lease take(Peer peer, ProtocolVersion version, List<Uuid> bypass, boolean locking) throws IOException {
        PoolKey key = new PoolKey(peer.uuid(), version, List.copyOf(bypass), locking);
        Deque<ProtocolClient> q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            while (!q.isEmpty()) {
                ProtocolClient c = q.pollFirst();
                if (!c.connection().isClosed()) {
                    return new Lease(this, key, c);
                }
                open.decrementAndGet();
            }
        }
        P2PConnection connection = locking ? peer.connectToLock() : peer.connect();
        open.incrementAndGet();
        ProtocolClient client = new ProtocolClient(connection);
        try {
            client.negotiate(version);
            client.bypass(bypass);
        } catch (IOException e) {
            connection.close();
            open.decrementAndGet();
            throw e;
        }
        return new Lease(this, key, client);
    }

    private void giveBack(Lease lease) {
        P2PConnection c = lease.client.connection();
        if (lease.clean && !c.isClosed()) {
            Deque<ProtocolClient> q = idle.computeIfAbsent(lease.key, k -> new ArrayDeque<>());
            synchronized (q) {
                if (q.size() < maxIdle.applyAsInt(lease.key.peer())) {
                    q.addLast(lease.client);
                    return;
                }
            }
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // being discarded anyway
        }
        open.decrementAndGet();
    }

    /** @return conversations open now, idle or lent: for tests and leak checks */
    int open() {
        return open.get();
    }

    @Override
    public void close() {
        for (Deque<ProtocolClient> q : idle.values()) {
            synchronized (q) {
                for (ProtocolClient c : q) {
                    try {
                        c.connection().close();
                    } catch (IOException ignored) {
                        // shutting down
                    }
                }
                q.clear();
            }
        }
    }
}
