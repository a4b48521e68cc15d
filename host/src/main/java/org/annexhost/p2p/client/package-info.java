/**
 * The client side of the P2P protocol, used by the host to talk to peers: proxied remotes,
 * backends on the internal transport, and other repositories. Knows nothing of HTTP, SSH,
 * plugins, git or files.
 */
package org.annexhost.p2p.client;
