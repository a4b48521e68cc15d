package org.annexhost.proxy;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.ProtocolVersion;

/**
 * Conversations with one node, kept open between requests: a conversation is borrowed for one
 * request and given back at a request boundary, or discarded if the request broke it, so a
 * connection left mid-DATA is never reused. Thread-safe.
 */
final class NodeSessions implements AutoCloseable {
    private final Node node;
    private final int maxIdle;
    private final Deque<ProtocolClient> idle = new ArrayDeque<>();
    private boolean closed;

    NodeSessions(Node node, int maxIdle) {
        this.node = node;
        this.maxIdle = maxIdle;
    }

    Node node() {
        return node;
    }

    /** @return an idle conversation, or a new one at the newest version the node speaks */
    ProtocolClient borrow() throws IOException {
        synchronized (this) {
            ProtocolClient c = idle.pollFirst();
            if (c != null) {
                return c;
            }
        }
        ProtocolClient c = new ProtocolClient(node.peer().connect());
        try {
            c.negotiate(ProtocolVersion.LATEST);
        } catch (IOException e) {
            c.connection().close();
            throw new IOException("node " + node.name() + ": " + e.getMessage(), e);
        }
        return c;
    }

    /** Returns a conversation that ended its request cleanly. */
    void giveBack(ProtocolClient c) {
        synchronized (this) {
            if (!closed && idle.size() < maxIdle && !c.connection().isClosed()) {
                idle.addFirst(c);
                return;
            }
        }
        discard(c);
    }

    /** Closes a conversation that may be mid-request. */
    void discard(ProtocolClient c) {
        try {
            c.connection().close();
        } catch (IOException ignored) {
            // it is being thrown away
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            for (ProtocolClient c : idle) {
                discard(c);
            }
            idle.clear();
        }
    }
}
