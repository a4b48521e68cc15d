package org.annexhost.peer;

import java.io.IOException;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.ProxyRelay;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.P2PConnection;

/**
 * Something that speaks the P2P protocol on behalf of a repository or a storage backend. Every
 * backend the host serves is a peer, so it can be served, proxied, clustered and locked the same
 * way. Implementations are thread-safe: many conversations may be open at once.
 */
public interface Peer {
    /** @return the uuid requests are routed by */
    Uuid uuid();

    /** @return a human name for logs and messages, e.g. the remote's name */
    String name();

    /**
     * Opens a new conversation with the peer. The returned connection is its client end, already
     * authenticated, at protocol version 0 until the caller negotiates; closing it ends the
     * conversation.
     *
     * @throws IOException if the peer cannot take another conversation now (too busy, gone)
     */
    P2PConnection connect() throws IOException;

    /**
     * Opens a conversation that will hold a content lock for a long while (until a client's
     * {@code keeplocked} ends). Peers that bound their conversations serve these apart, so that
     * held locks never take the conversations requests need.
     *
     * @throws IOException as {@link #connect}
     */
    default P2PConnection connectToLock() throws IOException {
        return connect();
    }

    /**
     * Serves one client's conversation, arriving already authenticated on this connection, in
     * the calling thread, until either side ends it; then closes the client's side. A peer that
     * is another repository passes it through message by message (its own server negotiates
     * with the client); a peer served in this process runs its server on the connection itself.
     */
    default void serve(P2PConnection client) throws IOException {
        new ProxyRelay(client, connect(), ServerMode.READ_WRITE).run();
    }

    /**
     * @return this peer for a client with at most these rights: it refuses, with git-annex's
     *     messages, what the rights do not allow (this peer itself for full rights)
     */
    default Peer narrowedTo(ServerMode rights) {
        return rights == ServerMode.READ_WRITE ? this : new NarrowedPeer(this, rights);
    }
}
