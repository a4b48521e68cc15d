package org.annexhost.fuzz;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.annexhost.testing.Sh;

/**
 * One p2pstdio conversation with a real {@code annexhost shell} process, as ssh would run it: the
 * fuzzer writes raw bytes to its stdin and reads its replies, each line (with a DATA payload when
 * the line is DATA) delivered by a reader thread, so every wait has a deadline. Its stderr is kept,
 * since over ssh it reaches the client's terminal. Not thread-safe; one per conversation.
 */
final class ShellConversation implements AutoCloseable {
    /** One reply: a line, and the bytes that followed a DATA line. */
    record Reply(String line, byte[] payload) {
    }

    private static final Reply END = new Reply(null, null);
    private static final int MAX_PAYLOAD = 64 << 20;

    private final Process process;
    private final OutputStream in;
    private final LinkedBlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private volatile boolean ended;

    private ShellConversation(Process process) {
        this.process = process;
        this.in = process.getOutputStream();
        Thread reader = new Thread(() -> read(new BufferedInputStream(process.getInputStream())), "fuzz-shell-reader");
        reader.setDaemon(true);
        reader.start();
        Thread err = new Thread(() -> {
            try (InputStream e = process.getErrorStream()) {
                e.transferTo(new OutputStream() {
                    @Override
                    public void write(int b) {
                        synchronized (stderr) {
                            if (stderr.size() < (1 << 20)) {
                                stderr.write(b);
                            }
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        synchronized (stderr) {
                            if (stderr.size() < (1 << 20)) {
                                stderr.write(b, off, len);
                            }
                        }
                    }
                });
            } catch (IOException ignored) {
                // the process ended
            }
        }, "fuzz-shell-stderr");
        err.setDaemon(true);
        err.start();
    }

    /** Starts {@code annexhost shell} serving p2pstdio on the repository, and waits for AUTH-SUCCESS. */
    static ShellConversation start(String launcher, Path repo, String clientUuid, Map<String, String> env,
                                   Duration deadline) throws IOException {
        return startCommand(List.of(launcher, "shell", "-c",
                "git-annex-shell 'p2pstdio' '" + repo + "' '" + clientUuid + "'"), env, deadline);
    }

    /** Starts a command that ends in {@code annexhost shell ... p2pstdio}, and waits for AUTH-SUCCESS. */
    static ShellConversation startCommand(List<String> command, Map<String, String> env, Duration deadline)
            throws IOException {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("ANNEXHOST_NO_BUILD", "1");
        ShellConversation c = new ShellConversation(
                new Sh(all).startWithInput(Path.of("").toAbsolutePath(), command.toArray(String[]::new)));
        Reply first = c.next(deadline);
        if (first == null || first.line() == null || !first.line().startsWith("AUTH-SUCCESS ")) {
            c.close();
            throw new IOException("p2pstdio did not say AUTH-SUCCESS: " + first + "; stderr: " + c.stderr());
        }
        return c;
    }

    private void read(InputStream out) {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = out.read()) >= 0) {
                if (c != '\n') {
                    line.write(c);
                    continue;
                }
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                byte[] payload = null;
                if (text.startsWith("DATA ")) {
                    long n = Long.parseLong(text.substring(5).trim());
                    if (n > MAX_PAYLOAD) {
                        throw new IOException("DATA of " + n + " bytes");
                    }
                    payload = out.readNBytes((int) n);
                }
                replies.add(new Reply(text, payload));
            }
        } catch (IOException | NumberFormatException e) {
            replies.add(new Reply("<unreadable reply: " + e.getMessage() + ">", null));
        } finally {
            ended = true;
            replies.add(END);
        }
    }

    /** Writes bytes as they are. */
    void send(byte[] bytes) throws IOException {
        in.write(bytes);
        in.flush();
    }

    /** Writes a line and its newline. */
    void sendLine(String line) throws IOException {
        send((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** @return the next reply; {@link Reply#line()} is null when the process closed its output; null on timeout */
    Reply next(Duration timeout) {
        try {
            Reply r = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == END) {
                replies.add(END);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** @return true once the process closed its output */
    boolean ended() {
        return ended && replies.peek() == END;
    }

    /** Closes stdin: the client hangs up. */
    void hangUp() {
        try {
            in.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** @return true if the process exited within the timeout */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Kills the process as a crash would (SIGKILL). */
    void kill() {
        process.destroyForcibly();
    }

    /** @return the process, for its pid and exit code */
    Process process() {
        return process;
    }

    /** @return what the process wrote to stderr so far */
    String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        hangUp();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
