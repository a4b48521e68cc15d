package org.annexhost.external.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A remote program's stderr: each line goes to the host's log under the remote's name, and the
 * last few are kept so that a failure can quote the remote's own words. Thread-safe.
 */
public final class StderrLog {
    private static final int KEEP = 20;
    private final System.Logger logger;
    private final String remote;
    private final Deque<String> last = new ArrayDeque<>();
    private final java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);

    /**
     * @param logger where lines go
     * @param remote the remote's name, prefixed to each line
     */
    public StderrLog(System.Logger logger, String remote) {
        this.logger = logger;
        this.remote = remote;
    }

    /** Reads the stream to its end on the calling thread. */
    void drain(InputStream err) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                logger.log(System.Logger.Level.INFO, "{0} stderr: {1}", remote, line);
                synchronized (last) {
                    if (last.size() == KEEP) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        } finally {
            drained.countDown();
        }
    }

    /** Waits, bounded, until the stream has been read to its end. */
    void awaitDrained(java.time.Duration max) {
        try {
            drained.await(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the last lines the remote printed on stderr, joined; empty if none */
    public String tail() {
        synchronized (last) {
            return String.join(" / ", last);
        }
    }
}
