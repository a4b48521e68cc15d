package org.annexhost.proxy;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;

/**
 * Which nodes a proxied request goes to: git-annex's {@code ProxySelector} ({@code P2P/Proxy.hs}).
 * A single proxied remote and a cluster differ only here ({@link #single}, {@link ClusterSelector});
 * {@link ProxyStore} carries every request to the nodes chosen, the same way for both.
 * Implementations are immutable and thread-safe.
 */
interface NodeSelector {
    /** @return every node requests may go to, in the order configured */
    List<Node> nodes();

    /** @return the nodes to ask for the key (GET, CHECKPRESENT), in the order to ask them */
    List<Node> holding(Key key) throws IOException;

    /** @return the nodes an upload of the key goes to (PUT) */
    List<Node> forUpload(Key key, AssociatedFile file) throws IOException;

    /** @return the nodes a removal goes to (REMOVE, REMOVE-BEFORE) */
    List<Node> forRemoval();

    /**
     * @return the node that locks the key's content for the client (LOCKCONTENT), or empty if
     *     content is not locked through this proxy
     */
    Optional<Node> forLock(Key key);

    /**
     * @return the selection for a conversation that named gateways not to go through (BYPASS);
     *     this one when it leaves nothing out
     */
    NodeSelector bypassing(List<Uuid> gateways);

    /**
     * @return the selector of one proxied remote: every request goes to it, as git-annex's
     *     {@code singleProxySelector} sends them
     */
    static NodeSelector single(Node node) {
        return new Single(node);
    }

    /** One remote: it is asked everything, and locks content itself. */
    record Single(Node node) implements NodeSelector {
        @Override
        public List<Node> nodes() {
            return List.of(node);
        }

        @Override
        public List<Node> holding(Key key) {
            return List.of(node); // the remote answers for itself; the log may be behind
        }

        @Override
        public List<Node> forUpload(Key key, AssociatedFile file) {
            return List.of(node);
        }

        @Override
        public List<Node> forRemoval() {
            return List.of(node);
        }

        @Override
        public Optional<Node> forLock(Key key) {
            return Optional.of(node);
        }

        @Override
        public NodeSelector bypassing(List<Uuid> gateways) {
            return this; // BYPASS names a cluster's gateways; one remote has none to leave out
        }
    }
}
