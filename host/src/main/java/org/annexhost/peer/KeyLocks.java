package org.annexhost.peer;

import java.io.IOException;
import java.util.Optional;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.server.LocalStore;

/**
 * Content locks for storage that cannot lock by itself (plugins, external remotes): LOCKCONTENT
 * holds a key against removal until UNLOCKCONTENT, or for a retention period if the holder's
 * connection breaks. Implementations are thread-safe.
 */
public interface KeyLocks {
    /** Checks presence while holding the key's exclusion, so a removal cannot slip in between. */
    @FunctionalInterface
    interface PresenceCheck {
        boolean present() throws IOException;
    }

    /** A removal, run only when no lock holds the key. */
    @FunctionalInterface
    interface Removal {
        boolean remove() throws IOException;
    }

    /** @return a held lock if the check says the content is present; empty otherwise */
    Optional<LocalStore.ContentLock> lockIfPresent(Key key, PresenceCheck check) throws IOException;

    /** @return the removal's result, or false without running it if a lock holds the key */
    boolean removeUnlessLocked(Key key, Removal removal) throws IOException;
}
