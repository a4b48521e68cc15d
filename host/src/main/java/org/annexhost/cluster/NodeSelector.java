package org.annexhost.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;

/**
 * Which of a cluster's nodes a request goes to, as git-annex's {@code ProxySelector} decides it
 * for a cluster ({@code Annex/Cluster.hs}); {@link ClusterStore} only carries requests to the
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
final class NodeSelector {
    private final List<ClusterNode> nodes;
    private final ClusterKnowledge knowledge;

    NodeSelector(List<ClusterNode> nodes, ClusterKnowledge knowledge) {
        this.nodes = List.copyOf(nodes);
        this.knowledge = knowledge;
    }

    /** @return every node, in the order configured */
    List<ClusterNode> nodes() {
        return nodes;
    }

    /** @return where the knowledge says the key is: the nodes among them, cheapest first */
    List<ClusterNode> holding(Key key) throws IOException {
        Set<Uuid> locs = knowledge.locations(key);
        List<ClusterNode> out = new ArrayList<>();
        for (ClusterNode n : nodes) {
            if (locs.contains(n.uuid())) {
                out.add(n);
            }
        }
        Collections.shuffle(out, ThreadLocalRandom.current());
        out.sort(Comparator.comparingInt(ClusterNode::cost));
        return out;
    }

    /** @return the nodes an upload of the key goes to, after taking in what clients pushed since */
    List<ClusterNode> forUpload(Key key, AssociatedFile file) throws IOException {
        knowledge.refresh();
        Set<Uuid> locs = knowledge.locations(key);
        List<ClusterNode> lacking = nodes.stream().filter(n -> !locs.contains(n.uuid())).toList();
        List<Uuid> wantingUuids = knowledge.wanting(lacking.stream().map(ClusterNode::uuid).toList(), key, file, locs);
        List<ClusterNode> wanting = lacking.stream().filter(n -> wantingUuids.contains(n.uuid())).toList();
        return !wanting.isEmpty() ? wanting : !lacking.isEmpty() ? lacking : nodes;
    }

    /** @return the nodes a removal goes to: all of them */
    List<ClusterNode> forRemoval() {
        return nodes;
    }

    /**
     * @return the selection without the nodes reached through the named gateways (nor any node
     *     that is one of them), as git-annex's gateway leaves out the gateways a client came
     *     through; this one when none is left out
     */
    NodeSelector bypassing(List<Uuid> gateways) {
        List<ClusterNode> kept = nodes.stream()
                .filter(n -> !gateways.contains(n.uuid()) && n.via().map(v -> !gateways.contains(v)).orElse(true))
                .toList();
        return kept.size() == nodes.size() ? this : new NodeSelector(kept, knowledge);
    }
}
