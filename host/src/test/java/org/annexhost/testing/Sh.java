package org.annexhost.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs commands for tests (the one way they run processes), each with a deadline, and keeps what
 * they printed for assertion messages. A command that outlives its deadline is killed with all its descendants (ssh stand-ins
 * and the servers they started), so a hung peer fails the test instead of hanging the suite.
 * Immutable; thread-safe.
 */
public final class Sh {
    /** What one finished command did. */
    public record Result(List<String> command, Path dir, int code, String out, String err, Duration took) {
        /** What it printed, stdout then stderr. */
        public String all() {
            return out + err;
        }

        /** The command, where it ran, its exit code, time and output: the body of a failure message. */
        public String describe() {
            return "$ (cd " + dir + " && " + String.join(" ", command) + ")\nexit " + code + " after "
                    + took.toMillis() + " ms\n--- stdout ---\n" + tail(out) + "\n--- stderr ---\n" + tail(err);
        }

        private static String tail(String s) {
            return s.length() <= 6000 ? s : "[" + (s.length() - 6000) + " chars cut]..." + s.substring(s.length() - 6000);
        }
    }

    private final Map<String, String> env;

    /** {@code env} is added to (and overrides) this JVM's environment. */
    public Sh(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The same runner with more environment. */
    public Sh with(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        return new Sh(all);
    }

    /** A command with this environment and stdin from /dev/null, for a caller that redirects more. */
    public ProcessBuilder builder(Path dir, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        return pb;
    }

    /** Starts a command with stdin from /dev/null; the caller owns the process and its output. */
    public Process start(Path dir, String... command) throws IOException {
        return builder(dir, command).start();
    }

    /** Starts a command whose stdin the caller writes (a conversation); the caller owns it all. */
    public Process startWithInput(Path dir, String... command) throws IOException {
        return builder(dir, command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    }

    /**
     * Runs a command to its end or its deadline. Past the deadline the command and its descendants
     * are killed and an {@link AssertionError} names the command and what it had printed.
     */
    public Result run(Path dir, Duration deadline, String... command) throws IOException {
        long t0 = System.nanoTime();
        Process p = start(dir, command);
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p.toHandle());
                throw new AssertionError(String.join(" ", command) + " (in " + dir + ") did not finish within "
                        + deadline + "\n--- stdout ---\n" + out.getNow("?") + "\n--- stderr ---\n" + err.getNow("?"));
            }
            // A descendant that outlives the command keeps the pipes open: bound that wait too.
            String o = out.get(30, TimeUnit.SECONDS);
            String e = err.get(30, TimeUnit.SECONDS);
            return new Result(List.of(command), dir, p.exitValue(), o, e, Duration.ofNanos(System.nanoTime() - t0));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            killTree(p.toHandle());
            throw new IOException("interrupted running " + String.join(" ", command), ex);
        } catch (ExecutionException | TimeoutException ex) {
            killTree(p.toHandle());
            throw new IOException("output of " + String.join(" ", command) + " not readable (a descendant kept it open?)", ex);
        }
    }

    /** Kills a process and every descendant it has now. */
    public static void killTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Reads a stream to its end on a thread of its own (never a shared pool a blocked read could starve). */
    public static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "interop-drain");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
