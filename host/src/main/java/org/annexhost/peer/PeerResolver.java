package org.annexhost.peer;

import java.io.IOException;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.ServerMode;

/**
 * Who serves uuid X, and with what rights: the one question every adapter asks (the ssh shell
 * with the rights its environment gives, HTTP with those its authentication gives). The
 * composition root builds one per served repository, answering for the repository itself and
 * for each remote and cluster it proxies; nothing else decides it. Thread-safe.
 */
public interface PeerResolver {
    /**
     * @param uuid the repository, special remote or cluster a client asks for
     * @param rights the most the client may do
     * @return the peer serving it to that client, refusing what the rights forbid; empty if no
     *     such uuid is served here to clients (a remote that is not proxied is not)
     * @throws IOException if it is served but cannot be opened now, naming why
     */
    Optional<LocalPeer> resolve(Uuid uuid, ServerMode rights) throws IOException;
}
