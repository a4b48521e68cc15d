/**
 * Clusters: one uuid a client stores to and drops from, fronting several nodes. The gateway
 * fans each PUT out to the nodes that want the content, reads from the cheapest node that has
 * it, and removes from every node, reporting exactly which nodes a change reached. Which nodes a request goes to is decided
 * in one place ({@code NodeSelector}); {@code ClusterStore} carries requests there. How clusters
 * are configured (git config, the cluster log) and set up is the remote package's concern
 * ({@code remote.ClusterConfig}, {@code remote.ClusterSetup}): this one only runs them.
 */
package org.annexhost.cluster;
