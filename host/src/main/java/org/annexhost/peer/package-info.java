/**
 * Peers: everything that speaks the P2P protocol on behalf of a repository or backend, each
 * conversation on its own thread over the internal transport, and the registry requests are
 * routed by. Depends on the protocol core; knows nothing of HTTP or SSH.
 */
package org.annexhost.peer;
