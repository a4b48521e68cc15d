package org.annexhost.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a backend may use of the host, and nothing more: its identity, a private state store,
 * its credentials, a temporary directory and a logger.
 *
 * @since 0.1
 */
public interface BackendContext {
    /** @return the remote's uuid */
    Uuid uuid();

    /** @return the remote's configuration */
    BackendConfig config();

    /** @return a directory only this remote uses, for temporary files; emptied at start */
    Path tempDirectory();

    /**
     * @return a value the backend saved for a key (git-annex's SETSTATE/GETSTATE), shared by
     *     every process serving the repository
     */
    Optional<String> getState(String key);

    /** Saves a value for a key; an empty value removes it. */
    void setState(String key, String value);

    /** @return a credential the remote was configured with, kept out of the branch and the logs */
    Optional<String> credential(String name);

    /**
     * Stores a credential privately (never in the branch or the logs), e.g. when an external
     * remote sends SETCREDS during initialization.
     */
    default void setCredential(String name, String value) {
        throw new UnsupportedOperationException("this host cannot store credentials for " + config().remoteName());
    }

    /**
     * Records that a key can (or no longer can) be downloaded from a url, as git-annex's url log
     * does (an external remote's SETURLPRESENT / SETURLMISSING).
     */
    default void setUrl(String key, String url, boolean present) {
        throw new UnsupportedOperationException("this host cannot record urls for " + config().remoteName());
    }

    /** @return the urls recorded for a key */
    default java.util.List<String> urls(String key) {
        return java.util.List.of();
    }

    /** @return the git directory of the repository the remote belongs to, if there is one */
    default Optional<Path> gitDirectory() {
        return Optional.empty();
    }

    /** @return a logger named after the remote */
    System.Logger logger();

    /** @return where to tell the host about the helper processes the backend runs */
    default BackendEvents events() {
        return BackendEvents.NONE;
    }
}
