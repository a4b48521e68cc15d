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
        return file(REF, path);
    }

    /** A file as of a commit, read through git's long-lived cat-file: no process per read. */
    private Optional<String> file(String commit, String path) throws IOException {
        return git.blob(commit + ":" + path);
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

    /** Where clients' {@code git annex sync} pushes their git-annex branch. */
    public static final String PUSHED_REF = "refs/heads/synced/git-annex";

    /**
     * Merges the git-annex branch clients pushed ({@link #PUSHED_REF}) into this one, as git-annex
     * does before it reads the branch: a fast-forward when possible, else a union merge, each
     * changed file the lines of both sides without repeats (every log in the branch is built to
     * be merged that way). Costs two ref lookups when there is nothing new.
     *
     * @return true if the branch changed
     */
    public boolean mergePushed() throws IOException {
        Optional<String> pushed = git.outputIfSucceeds("rev-parse", "--verify", "--quiet", PUSHED_REF);
        if (pushed.isEmpty()) {
            return false;
        }
        String theirs = pushed.get().strip();
        Optional<String> ours = currentCommit();
        if (ours.isPresent() && (ours.get().equals(theirs) || git.succeeds("merge-base", "--is-ancestor", theirs, ours.get()))) {
            return false;
        }
        Files.createDirectories(workDir);
        ReentrantLock threads = WRITERS.computeIfAbsent(workDir.toAbsolutePath().normalize(), p -> new ReentrantLock());
        threads.lock();
        try (RandomAccessFile f = new RandomAccessFile(workDir.resolve("branch.lck").toFile(), "rw");
             FileChannel ch = f.getChannel();
             FileLock lock = ch.lock()) {
            for (int attempt = 0; attempt < 10; attempt++) {
                Optional<String> now = currentCommit();
                if (now.isEmpty()) {
                    if (git.succeeds("update-ref", REF, theirs, "")) {
                        return true;
                    }
                    continue;
                }
                if (now.get().equals(theirs) || git.succeeds("merge-base", "--is-ancestor", theirs, now.get())) {
                    return false;
                }
                String merged = git.succeeds("merge-base", "--is-ancestor", now.get(), theirs) ? theirs : unionMerge(now.get(), theirs);
                if (git.succeeds("update-ref", REF, merged, now.get())) {
                    return true;
                }
            }
            throw new IOException("could not merge " + PUSHED_REF + " into the git-annex branch: it kept changing under us");
        } finally {
            threads.unlock();
        }
    }

    /** @return a merge commit of the two, each file differing between them the union of their lines */
    private String unionMerge(String ours, String theirs) throws IOException {
        Git indexed = git.withEnv(Map.of("GIT_INDEX_FILE", workDir.resolve("index").toString()));
        indexed.run("read-tree", ours);
        for (String path : git.run("diff", "--name-only", "-z", "--no-renames", ours, theirs).split("\0")) {
            if (path.isEmpty()) {
                continue;
            }
            java.util.LinkedHashSet<String> lines = new java.util.LinkedHashSet<>();
            for (String side : new String[] {ours, theirs}) {
                for (String line : file(side, path).orElse("").split("\n")) {
                    if (!line.isEmpty()) {
                        lines.add(line);
                    }
                }
            }
            String content = lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
            String blob = git.run(content.getBytes(StandardCharsets.UTF_8), "hash-object", "-w", "--stdin").strip();
            indexed.run("update-index", "--add", "--cacheinfo", "100644," + blob + "," + path);
        }
        String tree = indexed.run("write-tree").strip();
        return git.run("merging synced/git-annex into git-annex".getBytes(StandardCharsets.UTF_8),
                "commit-tree", tree, "-p", ours, "-p", theirs).strip();
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
            String current = old.isPresent() ? file(old.get(), path).orElse("") : "";
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
        return git.outputIfSucceeds("rev-parse", "--verify", "--quiet", REF).map(String::strip);
    }
}
