package org.annexhost.cluster;

import org.annexhost.api.Uuid;
import org.annexhost.peer.Peer;

/**
 * One node of a cluster as the gateway reaches it: any peer (a plugin or external remote served
 * in this process, or a repository elsewhere).
 *
 * @param uuid the node's uuid
 * @param name its remote name on the gateway, for messages
 * @param peer how to talk to it
 * @param cost git-annex's remote cost: GET prefers the cheapest node that has the content
 */
public record ClusterNode(Uuid uuid, String name, Peer peer, int cost) {
}
