package org.annexhost.proxy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;

/**
 * Which of a cluster's nodes a request goes to, as git-annex's {@code ProxySelector} decides it
 * for a cluster ({@code Annex/Cluster.hs}); {@link ProxyStore} only carries requests to the
 * nodes chosen here.
 * <ul>
 *   <li>GET and CHECKPRESENT: the nodes the location log lists, cheapest first, equally cheap ones
 *       in random order ({@link #holding}).
 *   <li>PUT: the nodes the log does not list, narrowed to those whose preferred content wants the
 *       key; all the unlisted ones if none wants it; every node if all are listed
 *       ({@link #forUpload}).
 *   <li>REMOVE: every node, listed or not: the log may be behind ({@link #forRemoval}).
 *   <li>BYPASS: the same without the nodes reached through the named gateways
 *       ({@link #bypassing}).
 * </ul>
 * Immutable; thread-safe as its {@link ClusterKnowledge} is.
 */
final class ClusterSelector implements NodeSelector {
    private final List<Node> nodes;
    private final ClusterKnowledge knowledge;

    ClusterSelector(List<Node> nodes, ClusterKnowledge knowledge) {
        this.nodes = List.copyOf(nodes);
        this.knowledge = knowledge;
    }

    /** @return every node, in the order configured */
    @Override
    public List<Node> nodes() {
        return nodes;
    }

    /** @return where the knowledge says the key is: the nodes among them, cheapest first */
    @Override
    public List<Node> holding(Key key) throws IOException {
        Set<Uuid> locs = knowledge.locations(key);
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (locs.contains(n.uuid())) {
                out.add(n);
            }
        }
        Collections.shuffle(out, ThreadLocalRandom.current());
        out.sort(Comparator.comparingInt(Node::cost));
        return out;
    }

    /** @return the nodes an upload of the key goes to, after taking in what clients pushed since */
    @Override
    public List<Node> forUpload(Key key, AssociatedFile file) throws IOException {
        knowledge.refresh();
        Set<Uuid> locs = knowledge.locations(key);
        List<Node> lacking = nodes.stream().filter(n -> !locs.contains(n.uuid())).toList();
        List<Uuid> wantingUuids = knowledge.wanting(lacking.stream().map(Node::uuid).toList(), key, file, locs);
        List<Node> wanting = lacking.stream().filter(n -> wantingUuids.contains(n.uuid())).toList();
        return !wanting.isEmpty() ? wanting : !lacking.isEmpty() ? lacking : nodes;
    }

    /**
     * @return nothing: content is not locked on a cluster as a whole but on its nodes, which the
     *     gateway also serves (git-annex's cluster selector locks nowhere either)
     */
    @Override
    public Optional<Node> forLock(Key key) {
        return Optional.empty();
    }

    /** @return the nodes a removal goes to: all of them */
    @Override
    public List<Node> forRemoval() {
        return nodes;
    }

    /**
     * @return the selection without the nodes reached through the named gateways (nor any node
     *     that is one of them), as git-annex's gateway leaves out the gateways a client came
     *     through; this one when none is left out
     */
    @Override
    public ClusterSelector bypassing(List<Uuid> gateways) {
        List<Node> kept = nodes.stream()
                .filter(n -> !gateways.contains(n.uuid()) && n.via().map(v -> !gateways.contains(v)).orElse(true))
                .toList();
        return kept.size() == nodes.size() ? this : new ClusterSelector(kept, knowledge);
    }
}
