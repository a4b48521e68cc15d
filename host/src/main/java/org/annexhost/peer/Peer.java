package org.annexhost.peer;

import java.io.IOException;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.transport.P2PConnection;

/**
 * Something that speaks the P2P protocol on behalf of a repository or a storage backend: a
 * {@link LocalPeer} whose server runs in this process, or a repository elsewhere reached through
 * its own server. What clients are served is always a {@code LocalPeer} ({@link PeerResolver});
 * a proxy reaches the nodes behind it as peers, so every kind of node is carried the same way. Implementations are thread-safe: many conversations may be open at once.
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
}
