package org.annexhost.repo.branch;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.annexhost.repo.Git;

/**
 * The {@code git-annex} branch, read and written with git plumbing only, so the host needs no
 * git-annex. Writes go through a private index and a compare-and-swap ref update, serialized
 * across processes by a file lock, so concurrent uploads from many ssh connections each land.
 *
 * <p>Thread-safe: writers in one process also serialize on this object.
 */
public final class AnnexBranch {
    /** The branch's ref. */
    public static final String REF = "refs/heads/git-annex";

    private static final java.util.concurrent.ConcurrentHashMap<Path, ReentrantLock> WRITERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Git git;
    private final Path workDir;

    /**
     * @param git runs git in the repository
     * @param workDir a directory the host owns inside the repository (for its index and lock)
     */
    public AnnexBranch(Git git, Path workDir) {
        this.git = git;
        this.workDir = workDir;
    }

    /** @return the file's content on the branch, if the branch and the file exist */
    public Optional<String> read(String path) throws IOException {
        if (!git.succeeds("rev-parse", "--verify", "--quiet", REF)) {
            return Optional.empty();
        }
        if (!git.succeeds("cat-file", "-e", REF + ":" + path)) {
            return Optional.empty();
        }
        return Optional.of(git.run("cat-file", "blob", REF + ":" + path));
    }

    /**
     * Changes files on the branch in one commit: each function gets the current content (empty
     * string if the file is absent) and returns the new content.
     */
    public void change(Map<String, UnaryOperator<String>> changes, String message) throws IOException {
        Files.createDirectories(workDir);
        // File locks belong to the process: threads of one process must take turns first.
        ReentrantLock threads = WRITERS.computeIfAbsent(workDir.toAbsolutePath().normalize(), p -> new ReentrantLock());
        threads.lock();
        try (RandomAccessFile f = new RandomAccessFile(workDir.resolve("branch.lck").toFile(), "rw");
             FileChannel ch = f.getChannel();
             FileLock lock = ch.lock()) {
            for (int attempt = 0; attempt < 10; attempt++) {
                if (tryChange(changes, message)) {
                    return;
                }
            }
            throw new IOException("could not update the git-annex branch: it kept changing under us");
        } finally {
            threads.unlock();
        }
    }

    private boolean tryChange(Map<String, UnaryOperator<String>> changes, String message) throws IOException {
        Optional<String> old = currentCommit();
        Git indexed = git.withEnv(Map.of("GIT_INDEX_FILE", workDir.resolve("index").toString()));
        if (old.isPresent()) {
            indexed.run("read-tree", old.get());
        } else {
            indexed.run("read-tree", "--empty");
        }
        for (Map.Entry<String, UnaryOperator<String>> e : changes.entrySet()) {
            String path = e.getKey();
            String current = old.isPresent() && git.succeeds("cat-file", "-e", old.get() + ":" + path)
                    ? git.run("cat-file", "blob", old.get() + ":" + path) : "";
            String next = e.getValue().apply(current);
            String blob = git.run(next.getBytes(StandardCharsets.UTF_8), "hash-object", "-w", "--stdin").strip();
            indexed.run("update-index", "--add", "--cacheinfo", "100644," + blob + "," + path);
        }
        String tree = indexed.run("write-tree").strip();
        String commit = old.isPresent()
                ? git.run(message.getBytes(StandardCharsets.UTF_8), "commit-tree", tree, "-p", old.get()).strip()
                : git.run(message.getBytes(StandardCharsets.UTF_8), "commit-tree", tree).strip();
        return old.isPresent()
                ? git.succeeds("update-ref", REF, commit, old.get())
                : git.succeeds("update-ref", REF, commit, "");
    }

    private Optional<String> currentCommit() throws IOException {
        if (!git.succeeds("rev-parse", "--verify", "--quiet", REF)) {
            return Optional.empty();
        }
        return Optional.of(git.run("rev-parse", "--verify", REF).strip());
    }
}
