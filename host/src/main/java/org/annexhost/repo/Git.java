package org.annexhost.repo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs git plumbing in one repository, with bounded output, a deadline, and errors that name the
 * command and quote git's stderr. Immutable and thread-safe.
 */
public final class Git {
    private static final int MAX_OUTPUT = 16 * 1024 * 1024;
    private static final long TIMEOUT_SECONDS = 120;

    /** Configuration snapshots by git directory, shared by every runner of this process. */
    private static final ConcurrentHashMap<Path, GitConfig> CONFIGS = new ConcurrentHashMap<>();

    /** Long-lived {@code git cat-file --batch} processes for the repositories read most recently. */
    private static final Map<Path, CatFile> CAT_FILES = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, CatFile> eldest) {
            if (size() > 8) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    private final Path gitDir;
    private final Map<String, String> env;

    /** @param gitDir the repository's git directory */
    public Git(Path gitDir) {
        this(gitDir, Map.of());
    }

    private Git(Path gitDir, Map<String, String> env) {
        this.gitDir = gitDir;
        this.env = Map.copyOf(env);
    }

    /** @return a runner that adds these environment variables, e.g. a private GIT_INDEX_FILE */
    public Git withEnv(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        return new Git(gitDir, all);
    }

    /** @return git's stdout for the command */
    public String run(String... args) throws IOException {
        return run((Feed) null, args);
    }

    /** @return git's stdout for the command, with the given stdin */
    public String run(byte[] stdin, String... args) throws IOException {
        return run(stdin == null ? null : (Feed) in -> in.write(stdin), args);
    }

    /** What a command reads on its stdin, written as it runs (so it need not all be in memory). */
    @FunctionalInterface
    public interface Feed {
        void write(OutputStream stdin) throws IOException;
    }

    /** @return git's stdout for the command, its stdin written by the feed while it runs */
    public String run(Feed stdin, String... args) throws IOException {
        Result r = exec(stdin, args);
        if (r.code != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed in " + gitDir + " (exit " + r.code + "): "
                    + r.stderr.strip());
        }
        return r.stdout;
    }

    /**
     * @return the repository's configuration: read with one git process, and the same snapshot
     *     again while the configuration files are unchanged
     */
    public GitConfig config() throws IOException {
        Path key = gitDir.toAbsolutePath().normalize();
        Map<String, String> childEnv = new HashMap<>(System.getenv());
        childEnv.putAll(env);
        byte[] fingerprint = GitConfig.fingerprint(gitDir, childEnv);
        GitConfig cached = CONFIGS.get(key);
        if (cached != null && fingerprint != null && cached.readFrom(fingerprint)) {
            return cached;
        }
        Result r = exec(null, "config", "--list", "-z");
        if (r.code != 0) {
            return GitConfig.empty();
        }
        GitConfig fresh = GitConfig.parse(r.stdout, fingerprint);
        if (fingerprint != null) {
            CONFIGS.put(key, fresh);
        }
        return fresh;
    }

    /**
     * Ends this process's long-lived cat-file processes and waits, briefly, until they are gone.
     * A command calls it before it exits: a JVM asked to exit while a child process still runs
     * waits 300 ms for the thread watching that child, which every short command (one per ssh
     * connection) would pay.
     */
    public static void endReaders() {
        List<CatFile> all;
        synchronized (CAT_FILES) {
            all = new ArrayList<>(CAT_FILES.values());
            CAT_FILES.clear();
        }
        all.forEach(CatFile::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (CatFile c : all) {
            c.awaitExit(Math.max(0, deadline - System.nanoTime()));
        }
    }

    /**
     * @param object an object name such as {@code REF:PATH}, resolved as it is now
     * @return the blob's content; empty if there is no such object
     * @throws IOException if the object is not a blob, or git cannot be run
     */
    public Optional<String> blob(String object) throws IOException {
        Path key = gitDir.toAbsolutePath().normalize();
        for (int attempt = 0; ; attempt++) {
            CatFile reader;
            synchronized (CAT_FILES) {
                reader = CAT_FILES.get(key);
                if (reader == null || !reader.alive()) {
                    if (reader != null) {
                        reader.close();
                    }
                    reader = CatFile.start(gitDir);
                    CAT_FILES.put(key, reader);
                }
            }
            try {
                return reader.blob(object);
            } catch (IOException e) {
                if (reader.alive() || attempt > 0) {
                    throw e;
                }
                // The process went away (evicted, or died): once more with a fresh one.
            }
        }
    }

    /** @return git's stdout if the command exits 0, else empty (for questions such as rev-parse --verify) */
    public Optional<String> outputIfSucceeds(String... args) throws IOException {
        Result r = exec(null, args);
        return r.code == 0 ? Optional.of(r.stdout) : Optional.empty();
    }

    /** @return true if the command exits 0; its output is ignored */
    public boolean succeeds(String... args) throws IOException {
        return exec(null, args).code == 0;
    }

    private record Result(int code, String stdout, String stderr) {
    }

    private Result exec(Feed stdin, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.add("--git-dir=" + gitDir);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readBounded(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readBounded(p.getErrorStream()));
        try (OutputStream in = new java.io.BufferedOutputStream(p.getOutputStream(), 65536)) {
            if (stdin != null) {
                stdin.write(in);
            }
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git " + String.join(" ", args) + " did not finish within " + TIMEOUT_SECONDS + "s");
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted running git " + String.join(" ", args));
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("cannot read output of git " + String.join(" ", args), e.getCause());
        }
    }

    private static String readBounded(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (b.size() + n > MAX_OUTPUT) {
                    throw new IOException("git printed more than " + MAX_OUTPUT + " bytes");
                }
                b.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
