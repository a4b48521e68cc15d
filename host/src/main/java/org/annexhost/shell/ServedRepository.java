package org.annexhost.shell;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.peer.Peer;
import org.annexhost.p2p.server.RepositoryServices;

/**
 * A repository as the shell serves it. The composition root ({@code cli}) provides it, so the
 * shell does not know how repositories are stored.
 */
public interface ServedRepository {
    /** @return the repository's annex uuid, or null if it is plain git (not a git-annex repository) */
    Uuid uuid();

    /** @return the git directory (the repository itself when bare) */
    Path gitDir();

    /** @return what {@code configlist} prints */
    String configList() throws IOException;

    /** @return its content store */
    LocalStore store();

    /** @return its git services, for CONNECT and notifychanges */
    RepositoryServices services();

    /**
     * @return the store of a remote this repository proxies for clients, by its uuid; empty if it
     *     proxies no such remote
     */
    Optional<LocalStore> proxiedStore(Uuid uuid) throws IOException;

    /**
     * @return a git-annex repository this repository proxies, by its uuid, whose conversations
     *     the shell relays; empty if it proxies no such repository
     */
    default Optional<Peer> proxiedRepository(Uuid uuid) throws IOException {
        return Optional.empty();
    }

    /**
     * Commits the repository's journalled git-annex branch changes: called when a conversation
     * ends and before git serves the refs, so a client's next fetch sees what it just did.
     */
    default void commitBranch() throws IOException {
    }

    /** Opens repositories by directory. */
    interface Opener {
        /**
         * @param directory the directory from the command line, already resolved
         * @throws IOException naming the directory, if it is not a git repository
         */
        ServedRepository open(Path directory) throws IOException;
    }
}
