/**
 * The P2P protocol's vocabulary as typed values: messages, verbs, versions. Knows nothing of
 * transports, HTTP, SSH, plugins, git or files.
 */
package org.annexhost.p2p.message;
