package org.annexhost.proxy;

/**
 * What a cluster tells an observer of its nodes: each node's part in a request, as it went (for
 * metrics of fan-out per node, and the status page's node states). Called on the cluster's
 * threads, so an observer must not block; {@link #NONE} observes nothing.
 */
@FunctionalInterface
public interface NodeEvents {
    /** Observes nothing. */
    NodeEvents NONE = (cluster, node, operation, ok, detail) -> { };

    /**
     * A node did its part of a request, or failed to.
     *
     * @param cluster the cluster's name
     * @param node the node's name
     * @param operation {@code put}, {@code get} or {@code remove}
     * @param ok whether the node did it (for a PUT: stored, or already had the content)
     * @param detail why it did not, or empty
     */
    void outcome(String cluster, String node, String operation, boolean ok, String detail);
}
