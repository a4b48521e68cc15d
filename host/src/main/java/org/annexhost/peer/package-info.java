/**
 * Peers: everything that speaks the P2P protocol on behalf of a repository or backend, each
 * conversation on its own thread over the internal transport or in the caller's own thread;
 * {@link org.annexhost.peer.PeerResolver}, the one seam that says who serves uuid X to a client
 * with given rights, and the registry that routes a multi-repository host's requests to each
 * repository's resolver. Depends on the protocol core; knows nothing of HTTP or SSH.
 */
package org.annexhost.peer;
