package org.annexhost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code annexhost serve} started for a test: started through the test's {@link Sh} (its
 * sandbox's environment), ready once it says where it serves, its stderr kept in a file (never a
 * pipe nobody reads, which would stall a talkative server), and stopped with its descendants on
 * {@link #close}. The one way interop tests run a server. It skips the start-up warm-up unless
 * the environment asks for it.
 */
public final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String url;

    private ServeProcess(Process process, Path log, String url) {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    /**
     * Starts {@code LAUNCHER serve ARGS...} in {@code dir}, its stderr to a new file there, and waits
     * (up to a minute) for its first line.
     */
    public static ServeProcess start(Sh sh, Path dir, String launcher, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher, "serve"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "serve-", ".log");
        ProcessBuilder pb = sh.builder(dir, cmd.toArray(String[]::new)).redirectError(log.toFile());
        // The start-up warm-up (a few seconds of one core) only makes a server faster; tests that
        // start dozens of servers skip it, unless they ask for it (ANNEXHOST_WARMUP=1).
        pb.environment().putIfAbsent("ANNEXHOST_WARMUP", "0");
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        try {
            line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Sh.killTree(p.toHandle());
            throw new AssertionError("annexhost serve did not start within a minute:\n" + Files.readString(log), e);
        }
        if (line == null || !(line.startsWith("serving http://") || line.startsWith("serving https://")
                || line.startsWith("serving unix socket "))) {
            Sh.killTree(p.toHandle());
            throw new AssertionError("annexhost serve did not start (" + line + "):\n" + Files.readString(log));
        }
        // Its later lines are not read: they go to a sink, so the server never blocks on stdout.
        Sh.drain(p.getInputStream());
        String served = line.startsWith("serving unix socket ") ? "unix:" + line.substring("serving unix socket ".length()).split(" ")[0]
                : line.substring("serving ".length(), line.indexOf(' ', "serving ".length()));
        return new ServeProcess(p, log, served);
    }

    /** @return the http url of the first repository it serves ({@code unix:SOCKET/NAME} on a unix socket) */
    public String url() {
        return url;
    }

    /** @return the file its stderr (its log) goes to */
    public Path logFile() {
        return log;
    }

    public Process process() {
        return process;
    }

    /** Stops it (as an operator would, then forcibly) with every process it started. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        Sh.killTree(process.toHandle());
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
        assertThat(process.isAlive()).as("annexhost serve still running after close").isFalse();
    }
}
