package org.annexhost.external.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteStreamHandler;
import org.apache.commons.exec.ExecuteWatchdog;

/**
 * One running {@code git-annex-remote-*} program, started with Apache Commons Exec: lines to its
 * stdin, lines from its stdout (read by a thread into a queue, so every read has a deadline),
 * stderr into a {@link StderrLog}. Killed on timeout or misbehaviour; never reused once dead.
 *
 * <p>Lifecycle: {@code STARTING → READY ⇄ BUSY → DEAD}. Owned by one conversation at a time
 * (the pool hands it out); {@link #kill()} may be called from any thread.
 */
public final class ExternalProcess implements AutoCloseable, LineChannel {
    /** The states of a process. */
    public enum State { STARTING, READY, BUSY, DEAD }

    private static final int MAX_LINE = 32 * 1024;
    private static final String EOF = new String("<eof>");

    private final String name;
    private final String command;
    private final StderrLog stderr;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>(1024);
    private final ExecuteWatchdog watchdog;
    private final DefaultExecuteResultHandler result = new DefaultExecuteResultHandler();
    private volatile OutputStream stdin;
    private volatile State state = State.STARTING;
    private volatile java.util.function.Consumer<String> onDeath = why -> { };
    private volatile String death = "";

    private ExternalProcess(String name, String command, StderrLog stderr) {
        this.name = name;
        this.command = command;
        this.stderr = stderr;
        this.watchdog = ExecuteWatchdog.builder().setTimeout(ExecuteWatchdog.INFINITE_TIMEOUT_DURATION).get();
    }

    /**
     * Starts the program.
     *
     * @param program the executable (a path, or a name found on PATH)
     * @param workDir its working directory
     * @param env its whole environment
     * @param name for logs and messages, e.g. {@code rclone-remote#2}
     * @param stderr where its stderr goes
     */
    public static ExternalProcess start(String program, Path workDir, Map<String, String> env, String name,
                                        StderrLog stderr) throws IOException {
        ExternalProcess p = new ExternalProcess(name, program, stderr);
        DefaultExecutor executor = DefaultExecutor.builder().setWorkingDirectory(workDir.toFile()).get();
        executor.setExitValues(null);
        executor.setWatchdog(p.watchdog);
        executor.setStreamHandler(p.new Streams());
        executor.execute(new CommandLine(program), env, p.result);
        return p;
    }

    /** @return the name given at start */
    @Override
    public String name() {
        return name;
    }

    /** @return the current state */
    public State state() {
        return state;
    }

    /** Moves to a new state; DEAD is final. */
    public void setState(State next) {
        if (state != State.DEAD) {
            state = next;
        }
    }

    /** Sends one line. */
    @Override
    public void writeLine(String line) throws IOException {
        OutputStream out = stdin;
        if (out == null || state == State.DEAD) {
            throw new IOException(name + " is not running" + deathDetail());
        }
        try {
            synchronized (out) {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            kill("stdin closed: " + e.getMessage());
            throw new IOException(name + " stopped reading its input" + deathDetail(), e);
        }
    }

    /**
     * @return the next line, or empty once the program closed its stdout
     * @throws IOException if no line arrives within the timeout (the process is then killed)
     */
    @Override
    public Optional<String> readLine(Duration timeout) throws IOException {
        String line = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // Poll in slices so a program that failed to start is noticed at once.
            while (line == null && System.nanoTime() < deadline) {
                line = lines.poll(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)),
                        TimeUnit.MILLISECONDS);
                if (line == null && result.hasResult() && result.getException() != null && lines.isEmpty()) {
                    kill("did not start");
                    throw new IOException("cannot run " + command + " for " + name + ": " + describe(result.getException())
                            + " (is it installed and on PATH?)", result.getException());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill("interrupted");
            throw new IOException(name + ": interrupted");
        }
        if (line == null) {
            kill("no reply within " + timeout.toSeconds() + "s");
            throw new IOException(name + " did not reply within " + timeout.toSeconds() + "s" + deathDetail());
        }
        if (line == EOF) {
            lines.offer(EOF);
            return Optional.empty();
        }
        return Optional.of(line);
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /**
     * Waits, bounded, for a program that closed its output to exit, so that its exit code and
     * last stderr lines can be quoted.
     */
    @Override
    public void awaitExit(Duration max) {
        try {
            result.waitFor(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stderr.awaitDrained(max);
    }

    /** Kills the program and marks it dead. */
    @Override
    public void kill(String why) {
        boolean first = false;
        synchronized (this) {
            if (state != State.DEAD) {
                death = why;
                state = State.DEAD;
                first = true;
            }
        }
        if (first) {
            onDeath.accept(why);
        }
        watchdog.destroyProcess();
        OutputStream out = stdin;
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** Tells this, once, why the process ended, when it does. */
    public void onDeath(java.util.function.Consumer<String> told) {
        this.onDeath = told;
    }

    /** @return the exit code, once the program exited */
    public Optional<Integer> exitCode() {
        return result.hasResult() ? Optional.of(result.getExitValue()) : Optional.empty();
    }

    /** @return what the program said last on stderr, and why it died, for error messages */
    @Override
    public String deathDetail() {
        StringBuilder b = new StringBuilder();
        if (!death.isEmpty()) {
            b.append(" (").append(death).append(')');
        }
        exitCode().ifPresent(c -> b.append(" (exit code ").append(c).append(')'));
        String tail = stderr.tail();
        if (!tail.isEmpty()) {
            b.append("; its stderr: ").append(tail);
        }
        return b.toString();
    }

    /** Closes stdin (the polite way to end a remote) and waits briefly before killing it. */
    @Override
    public void close() {
        OutputStream out = stdin;
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        try {
            result.waitFor(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill("closed");
    }

    private void readStdout(InputStream out) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try (out) {
            int c;
            while ((c = out.read()) >= 0) {
                if (c == '\n') {
                    lines.put(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else if (line.size() < MAX_LINE) {
                    line.write(c);
                } else {
                    kill("sent a line longer than " + MAX_LINE + " bytes");
                    break;
                }
            }
        } catch (IOException | InterruptedException e) {
            // end of output
        } finally {
            lines.offer(EOF);
        }
    }

    /** Takes the process's raw streams from Commons Exec, with no pipes between. */
    private final class Streams implements ExecuteStreamHandler {
        private InputStream out;
        private InputStream err;
        private Thread outReader;
        private Thread errReader;

        @Override
        public void setProcessInputStream(OutputStream os) {
            stdin = os;
        }

        @Override
        public void setProcessOutputStream(InputStream is) {
            out = new java.io.BufferedInputStream(is, 64 * 1024);
        }

        @Override
        public void setProcessErrorStream(InputStream is) {
            err = is;
        }

        @Override
        public void start() {
            outReader = new Thread(() -> readStdout(out), name + "-stdout");
            outReader.setDaemon(true);
            outReader.start();
            errReader = new Thread(() -> stderr.drain(err), name + "-stderr");
            errReader.setDaemon(true);
            errReader.start();
        }

        /**
         * Commons Exec closes the process's streams right after this returns; the readers must
         * have taken the last lines first, or a crashing remote's final words are lost.
         */
        @Override
        public void stop() {
            try {
                outReader.join(5000);
                errReader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
