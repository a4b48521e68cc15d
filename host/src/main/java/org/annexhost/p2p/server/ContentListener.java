package org.annexhost.p2p.server;

import java.io.IOException;
import java.util.Collection;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;

/**
 * Told when content was added at, or is going from, repositories: the one way every path
 * (the host's own repository, plugin and external remotes, git repositories and gateways behind
 * it, clusters; over ssh and HTTP alike) reports content changes, so that one writer keeps the
 * location log (git-annex's {@code ProxyMethods} play this part for its proxy). Order matters,
 * and is the caller's promise: {@link #added} once the content is in place and verified,
 * {@link #removed} before it is removed; so a crash in between leaves a copy the log does not
 * claim, never a claim without its copy. Either returns only once the record is durable, before
 * the client hears SUCCESS; if it throws, the request fails.
 *
 * <p>Implementations are thread-safe.
 */
public interface ContentListener {
    /** The content of the key is now at these repositories. */
    void added(Key key, Collection<Uuid> at) throws IOException;

    /** The content of the key is leaving these repositories (or has left them). */
    void removed(Key key, Collection<Uuid> at) throws IOException;
}
