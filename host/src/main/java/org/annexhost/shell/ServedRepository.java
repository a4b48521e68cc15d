package org.annexhost.shell;

import java.io.IOException;
import java.nio.file.Path;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.RepositoryServices;
import org.annexhost.peer.PeerResolver;

/**
 * A repository as the shell serves it. The composition root ({@code cli}) provides it, so the
 * shell does not know how repositories are stored. The shell closes what it opened once its
 * command is done: a repository opened for one command then releases what it loaded (plugins,
 * remotes); one a running host keeps warm stays open.
 */
public interface ServedRepository extends AutoCloseable {
    /** @return the repository's annex uuid, or null if it is plain git (not a git-annex repository) */
    Uuid uuid();

    /** @return the git directory (the repository itself when bare) */
    Path gitDir();

    /** @return what {@code configlist} prints */
    String configList() throws IOException;

    /** @return its git services, for notifychanges */
    RepositoryServices services();

    /** @return who serves the repository and each remote it proxies, to a client with given rights */
    PeerResolver peers();

    /**
     * Commits the repository's journalled git-annex branch changes: called when a conversation
     * ends and before git serves the refs, so a client's next fetch sees what it just did.
     */
    default void commitBranch() throws IOException {
    }

    /** Releases what was opened for this command only. */
    @Override
    default void close() throws IOException {
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
