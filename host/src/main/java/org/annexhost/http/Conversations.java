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
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.peer.Peer;

/**
 * P2P conversations with peers, pooled per (peer, rights, version, bypass) and reused across
 * requests, as each request needs one negotiated conversation; a conversation served at one
 * client's rights is never lent to a request with others. A conversation that broke or was left
 * in the middle of anything is closed, never returned. Thread-safe.
 */
final class Conversations implements AutoCloseable {
    /**
     * What a request talks to.
     *
     * @param peer the peer, narrowed to the rights
     * @param rights the rights of the request's client, which its conversations are served at
     */
    record Target(Peer peer, ServerMode rights) {
    }

    private record PoolKey(Uuid peer, ServerMode rights, ProtocolVersion version, List<Uuid> bypass, boolean locking) {
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
    private final AtomicInteger idleCount = new AtomicInteger();
    /**
     * Idle conversations kept in all, whatever the keys: each holds a thread of its peer, and a
     * client that varied its bypass list could otherwise keep every one of them idle.
     */
    static final int MAX_IDLE_TOTAL = 64;

    /** @param maxIdle how many idle conversations to keep per (peer, rights, version, bypass), by peer */
    Conversations(java.util.function.ToIntFunction<Uuid> maxIdle) {
        this.maxIdle = maxIdle;
    }

    /** @return a conversation with the target at the version, bypass sent */
    Lease take(Target target, ProtocolVersion version, List<Uuid> bypass) throws IOException {
        return take(target, version, bypass, false);
    }

    /** @return a conversation to hold a content lock in, apart from the request conversations */
    Lease takeToLock(Target target, ProtocolVersion version, List<Uuid> bypass) throws IOException {
        return take(target, version, bypass, true);
    }

    private Lease take(Target target, ProtocolVersion version, List<Uuid> bypass, boolean locking) throws IOException {
        Peer peer = target.peer();
        PoolKey key = new PoolKey(peer.uuid(), target.rights(), version, List.copyOf(bypass), locking);
        while (true) {
            ProtocolClient[] taken = {null};
            // An emptied queue leaves the map: clients name bypass lists, and each would stay forever.
            idle.computeIfPresent(key, (k, q) -> {
                taken[0] = q.pollFirst();
                return q.isEmpty() ? null : q;
            });
            if (taken[0] == null) {
                break;
            }
            idleCount.decrementAndGet();
            if (!taken[0].connection().isClosed()) {
                return new Lease(this, key, taken[0]);
            }
            open.decrementAndGet();
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
            int max = maxIdle.applyAsInt(lease.key.peer());
            boolean[] kept = {false};
            idle.compute(lease.key, (k, q) -> {
                Deque<ProtocolClient> d = q == null ? new ArrayDeque<>() : q;
                if (d.size() < max && idleCount.incrementAndGet() <= MAX_IDLE_TOTAL) {
                    d.addLast(lease.client);
                    kept[0] = true;
                } else if (d.size() < max) {
                    idleCount.decrementAndGet();
                }
                return d.isEmpty() ? null : d;
            });
            if (kept[0]) {
                return;
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

    /** @return (peer, rights, version, bypass) pools holding idle conversations now: for tests */
    int pools() {
        return idle.size();
    }

    @Override
    public void close() {
        for (PoolKey k : List.copyOf(idle.keySet())) {
            Deque<ProtocolClient> q = idle.remove(k);
            if (q == null) {
                continue;
            }
            for (ProtocolClient c : q) {
                try {
                    c.connection().close();
                } catch (IOException ignored) {
                    // shutting down
                }
            }
        }
    }
}
