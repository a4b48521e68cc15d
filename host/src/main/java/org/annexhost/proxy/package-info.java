/**
 * The gateway's proxy: what serves a uuid whose content is elsewhere, a git-annex repository
 * behind the gateway or a cluster (one uuid fronting several nodes). Both are one mechanism, as
 * in git-annex's {@code P2P/Proxy.hs}: a {@code NodeSelector} decides which nodes a request goes
 * to ({@code NodeSelector.single} asks the one repository everything; {@code ClusterSelector} fans
 * each PUT out to the nodes that want the content, reads from the cheapest node that has it, and
 * removes from every node), and {@code ProxyStore} carries requests there, reporting exactly which
 * nodes a change reached and recording it in the location log. How clusters are configured (git
 * config, the cluster log) and set up is the remote package's concern ({@code remote.ClusterConfig},
 * {@code remote.ClusterSetup}): this one only runs them.
 */
package org.annexhost.proxy;
