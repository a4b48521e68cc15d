/**
 * The server side of the P2P protocol: the serve loop, one handler per request, and the
 * {@link org.annexhost.p2p.server.LocalStore} it acts through. Knows nothing of HTTP, SSH,
 * plugins, git or files.
 */
package org.annexhost.p2p.server;
