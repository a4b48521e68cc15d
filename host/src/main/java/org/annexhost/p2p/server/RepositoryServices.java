package org.annexhost.p2p.server;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.annexhost.p2p.message.GitService;

/**
 * The git side of a served repository, for CONNECT and NOTIFYCHANGE. Kept apart from
 * {@link LocalStore} because it is about refs and git processes, not content. Thread-safe.
 */
public interface RepositoryServices {
    /**
     * Starts the git service (upload-pack or receive-pack) on the repository.
     *
     * @param mode what the client may do; a receive-pack is limited by
     *     {@link ServerMode#receivePackSettings}
     */
    Process startService(GitService service, ServerMode mode) throws IOException;

    /**
     * Blocks until at least one ref changes, the wait ends, or {@code giveUp} says to stop (it is
     * asked often, at least every second).
     *
     * @return the refs that changed; empty if none changed within the wait, or on giving up
     */
    List<String> awaitRefChange(Duration maxWait, java.util.function.BooleanSupplier giveUp)
            throws IOException, InterruptedException;
}
