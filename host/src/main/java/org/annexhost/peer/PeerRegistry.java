package org.annexhost.peer;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.annexhost.api.Uuid;

/**
 * The peers the host serves, by uuid: its repositories and the remotes behind them. Requests are
 * routed here. Thread-safe.
 */
public final class PeerRegistry {
    private final Map<Uuid, Peer> peers = new ConcurrentHashMap<>();

    /**
     * Adds a peer.
     *
     * @throws IllegalStateException if another peer already has its uuid
     */
    public void add(Peer peer) {
        Peer old = peers.putIfAbsent(peer.uuid(), peer);
        if (old != null && old != peer) {
            throw new IllegalStateException("two peers with uuid " + peer.uuid() + ": " + old.name() + " and " + peer.name());
        }
    }

    /** @return the peer with this uuid */
    public Optional<Peer> byUuid(Uuid uuid) {
        return Optional.ofNullable(peers.get(uuid));
    }

    /** @return every peer */
    public Collection<Peer> all() {
        return List.copyOf(peers.values());
    }
}
