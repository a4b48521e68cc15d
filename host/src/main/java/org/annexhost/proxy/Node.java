package org.annexhost.proxy;

import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.peer.Peer;

/**
 * One node behind the gateway's proxy (a cluster's node, or the one repository a single proxied
 * remote is) as the gateway reaches it: any peer (a plugin or external remote served
 * in this process, or a repository elsewhere).
 *
 * @param uuid the node's uuid
 * @param name its remote name on the gateway, for messages
 * @param peer how to talk to it
 * @param cost git-annex's remote cost: GET prefers the cheapest node that has the content
 * @param via the other gateway of the cluster the node is reached through, if it is not this one's
 */
public record Node(Uuid uuid, String name, Peer peer, int cost, Optional<Uuid> via) {
    /** A node of this gateway's own. */
    public Node(Uuid uuid, String name, Peer peer, int cost) {
        this(uuid, name, peer, cost, Optional.empty());
    }
}
