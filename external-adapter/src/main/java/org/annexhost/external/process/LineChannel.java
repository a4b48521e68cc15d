package org.annexhost.external.process;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Lines to and from an external remote: a whole process, or one ASYNC job on a shared process.
 * Owned by one conversation at a time.
 */
public interface LineChannel {
    /** @return a name for messages */
    String name();

    /** Sends one line. */
    void writeLine(String line) throws IOException;

    /** @return the next line, or empty once the remote closed its output; throws after the timeout */
    Optional<String> readLine(Duration timeout) throws IOException;

    /** Gives up on the remote (the whole process, for a job). */
    void kill(String why);

    /** Waits, bounded, for a remote that closed its output to exit, so its last words can be quoted. */
    void awaitExit(Duration max);

    /** @return why the remote died, its exit code and last stderr lines, for messages */
    String deathDetail();
}
