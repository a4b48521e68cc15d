package org.annexhost.peer;

import java.io.IOException;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.ProxyRelay;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer whose server this process does not run (another repository), for a client with less
 * than full rights: every conversation goes through a {@link ProxyRelay}, which answers what the
 * rights forbid with git-annex's refusal and passes the rest on. Thread-safe.
 */
final class NarrowedPeer implements Peer {
    private static final Logger LOG = LoggerFactory.getLogger(NarrowedPeer.class);

    private final Peer inner;
    private final ServerMode rights;

    NarrowedPeer(Peer inner, ServerMode rights) {
        this.inner = inner;
        this.rights = rights;
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
        P2PConnection there = inner.connect();
        InMemoryConnection.Pair pair = InMemoryConnection.pair(inner.name(), InMemoryConnection.Timeouts.DEFAULT);
        // The inner peer bounds its own conversations; the relay lives exactly as long as one.
        Thread relay = new Thread(() -> {
            try (P2PConnection c = pair.server()) {
                new ProxyRelay(c, there, rights).run();
            } catch (IOException e) {
                LOG.debug("{}: relayed conversation ended: {}", inner.name(), e.getMessage());
            }
        }, "narrowed-" + inner.name());
        relay.setDaemon(true);
        relay.start();
        return pair.client();
    }

    @Override
    public void serve(P2PConnection client) throws IOException {
        new ProxyRelay(client, inner.connect(), rights).run();
    }

    @Override
    public Peer narrowedTo(ServerMode narrower) {
        ServerMode both = rights.narrowedTo(narrower);
        return both == rights ? this : new NarrowedPeer(inner, both);
    }

    @Override
    public String toString() {
        return "NarrowedPeer[" + inner + " " + rights + "]";
    }
}
