package org.annexhost.external;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.annexhost.external.message.Request;
import org.annexhost.external.message.Response;
import org.annexhost.external.process.ExternalProcess;
import org.annexhost.external.process.StderrLog;

/**
 * How to start one external remote's program and bring a new process to the point where it takes
 * requests: VERSION, then EXTENSIONS ({@code Remote/External.hs}, {@code startExternal}).
 * Immutable and thread-safe.
 *
 * @param command the executable, e.g. {@code git-annex-remote-rclone}
 * @param workDir where it runs
 * @param env its environment
 * @param remote the remote's name
 * @param stderr where its stderr goes
 * @param timeout how long the program may stay silent when a reply is due
 */
record ExternalProgram(String command, Path workDir, Map<String, String> env, String remote, StderrLog stderr,
                       Duration timeout) {
    /** What annexhost offers, as git-annex does (without the URL and DELEGATE extensions). */
    static final List<String> EXTENSIONS = List.of("INFO", "GETGITREMOTENAME", "UNAVAILABLERESPONSE", "ASYNC");

    /** A started process, and whether it took up ASYNC. */
    record Started(ExternalProcess process, boolean async) {
    }
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /** Starts a process and completes the handshake; the process is READY, not yet prepared. */
    Started start(HostQueries queries) throws IOException {
        String name = remote + "#" + SEQUENCE.incrementAndGet();
        ExternalProcess p;
        try {
            p = ExternalProcess.start(command, workDir, env, name, stderr);
        } catch (IOException e) {
            throw new IOException("cannot start external remote program " + command + " for remote " + remote
                    + ": " + e.getMessage() + " (is it installed and on PATH?)", e);
        }
        try {
            awaitVersion(p);
            ExternalConversation c = new ExternalConversation(p, queries, timeout);
            Response r = c.request(new Request.Extensions(EXTENSIONS));
            if (!(r instanceof Response.Extensions) && !(r instanceof Response.UnsupportedRequest)) {
                p.kill("bad EXTENSIONS reply");
                throw new IOException("external remote " + name + " answered EXTENSIONS with " + r);
            }
            p.setState(ExternalProcess.State.READY);
            return new Started(p, r instanceof Response.Extensions e && e.extensions().contains("ASYNC"));
        } catch (IOException e) {
            p.kill(e.getMessage());
            throw e;
        }
    }

    private void awaitVersion(ExternalProcess p) throws IOException {
        String line = p.readLine(timeout).orElseThrow(() -> new IOException(
                "external remote program " + command + " exited before sending VERSION" + p.deathDetail()));
        if (!line.equals("VERSION 1") && !line.equals("VERSION 2")) {
            p.kill("bad VERSION");
            throw new IOException("external remote program " + command + " began with \"" + line
                    + "\" instead of VERSION 1 or 2");
        }
    }
}
