package org.annexhost.peer;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.ServerMode;

/**
 * Where a host serving several repositories sends a request for uuid X: to the resolver of the
 * repository that serves X. Thread-safe.
 */
public final class PeerRegistry implements PeerResolver {
    private final Map<Uuid, PeerResolver> routes = new ConcurrentHashMap<>();

    /**
     * Routes a uuid to the resolver of the repository serving it.
     *
     * @throws IllegalStateException if another repository already serves the uuid
     */
    public void route(Uuid uuid, PeerResolver resolver) {
        PeerResolver old = routes.putIfAbsent(uuid, resolver);
        if (old != null && old != resolver) {
            throw new IllegalStateException("two repositories serve uuid " + uuid);
        }
    }

    /** Routes the peer's uuid to the peer itself, narrowed to each client's rights. */
    public void add(LocalPeer peer) {
        route(peer.uuid(), (uuid, rights) -> Optional.of(peer.narrowedTo(rights)));
    }

    @Override
    public Optional<LocalPeer> resolve(Uuid uuid, ServerMode rights) throws IOException {
        PeerResolver r = routes.get(uuid);
        return r == null ? Optional.empty() : r.resolve(uuid, rights);
    }
}
