/**
 * Transports for the P2P protocol: {@link org.annexhost.p2p.transport.P2PConnection} and its two
 * implementations, serialized over byte streams and in memory between threads. Knows nothing of
 * HTTP, SSH, plugins, git or files.
 */
package org.annexhost.p2p.transport;
