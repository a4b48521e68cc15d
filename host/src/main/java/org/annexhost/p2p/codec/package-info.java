/**
 * The line serialization of P2P messages: the codec, the associated-file escaping and the bounded
 * line reader. Knows nothing of HTTP, SSH, plugins, git or files.
 */
package org.annexhost.p2p.codec;
