package org.annexhost.repo;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One long-lived {@code git cat-file --batch}, as git-annex keeps one per repository: reading a
 * file of the git-annex branch is then a line written and a reply read on a pipe, not a git
 * process started (which costs milliseconds, and a cluster's CHECKPRESENT reads a log each time).
 * Names are resolved by git on every request, so a ref that moves is read as it is now.
 *
 * <p>Thread-safe: requests take turns.
 */
final class CatFile implements AutoCloseable {
    private static final int MAX_BLOB = 64 * 1024 * 1024;

    private final Process process;
    private final OutputStream requests;
    private final InputStream replies;
    private volatile boolean closed;

    private CatFile(Process process) {
        this.process = process;
        this.requests = process.getOutputStream();
        this.replies = new BufferedInputStream(process.getInputStream(), 64 * 1024);
    }

    static CatFile start(Path gitDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of("git", "--git-dir=" + gitDir, "cat-file", "--batch"));
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        return new CatFile(pb.start());
    }

    /** @return true while the process can take requests */
    boolean alive() {
        return !closed && process.isAlive();
    }

    /**
     * @param object what git names an object by, such as {@code REF:PATH}
     * @return the blob's bytes as text; empty if there is no such object
     * @throws IOException if the object is not a blob, or the process failed (it is then unusable)
     */
    synchronized Optional<String> blob(String object) throws IOException {
        if (object.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("an object name cannot hold a newline: " + object);
        }
        requests.write((object + "\n").getBytes(StandardCharsets.UTF_8));
        requests.flush();
        String header = line();
        if (header.endsWith(" missing")) {
            return Optional.empty();
        }
        String[] h = header.split(" "); // OBJECT TYPE SIZE
        long size;
        try {
            size = h.length == 3 ? Long.parseLong(h[2]) : -1;
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 0) {
            throw new IOException("cannot read " + object + ": git cat-file said " + header);
        }
        if (size > MAX_BLOB) {
            close(); // rather than read what we will not keep
            throw new IOException(object + " is " + size + " bytes, more than " + MAX_BLOB + " this reads");
        }
        byte[] data = replies.readNBytes((int) size);
        if (data.length < size || replies.read() != '\n') {
            close();
            throw new IOException("git cat-file ended in the middle of " + object);
        }
        if (!h[1].equals("blob")) {
            throw new IOException("cannot read " + object + ": it is a " + h[1] + ", not a file");
        }
        return Optional.of(new String(data, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = replies.read()) != '\n') {
            if (c < 0) {
                close();
                throw new IOException("git cat-file --batch exited");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        try {
            requests.close();
        } catch (IOException ignored) {
            // it is going away either way
        }
        process.destroy();
    }

    /** Waits up to {@code nanos} for the process to be gone, after {@link #close}. */
    void awaitExit(long nanos) {
        try {
            process.waitFor(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
