package org.annexhost.p2p.server;

import java.util.Optional;
import org.annexhost.p2p.message.Verb;

/**
 * What a protocol server tells an observer as it serves, for metrics: each request handled, with
 * the verb of its answer and how long it took, and the content bytes that crossed.
 * Called on the serving thread, so an observer must not block; {@link #NONE} is the default, and
 * a server with it pays nothing.
 */
public interface ServerEvents {
    /** Observes nothing. */
    ServerEvents NONE = new ServerEvents() {
    };

    /**
     * A request was handled.
     *
     * @param request its verb
     * @param reply the verb of its answer, if one was sent: the last reply, VALID and INVALID aside
     *     (a PUT's SUCCESS or ALREADY-HAVE, not its PUT-FROM; a GET's DATA)
     * @param nanos from reading the request to the end of handling it (content included)
     */
    default void served(Verb request, Optional<Verb> reply, long nanos) {
    }

    /** Content of this many bytes (as DATA declared them) was received from the client. */
    default void contentReceived(long bytes) {
    }

    /** Content of this many bytes was sent to the client. */
    default void contentSent(long bytes) {
    }
}
