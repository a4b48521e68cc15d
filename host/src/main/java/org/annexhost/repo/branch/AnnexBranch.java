package org.annexhost.repo.branch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.annexhost.repo.Git;

/**
 * The {@code git-annex} branch, read and written with git plumbing only, so the host needs no
 * git-annex. As git-annex does ({@code Annex/Branch.hs}), a change goes to the {@link Journal}
 * first, which costs two file operations and no git process, and every read looks in the journal
 * before the branch; {@link #commit} writes everything journalled as one commit with one
 * {@code git fast-import} (one pack, not a file per object) and moves the branch with a
 * compare-and-swap ref update. A change holds the journal lock; a commit holds the index lock
 * (named for the index a union merge uses), and the journal lock only to take the files and to
 * remove the committed ones,
 * so changes from many connections, processes, and git-annex itself each land, and none waits
 * for git.
 *
 * <p>Thread-safe.
 */
public final class AnnexBranch {
    /** The branch's ref. */
    public static final String REF = "refs/heads/git-annex";

    /** Where clients' {@code git annex sync} pushes their git-annex branch. */
    public static final String PUSHED_REF = "refs/heads/synced/git-annex";

    private static final int ATTEMPTS = 10;
    /** Where {@code git fast-import} leaves a commit before the branch is moved to it. */
    static final String SCRATCH_REF = "refs/annexhost/journal-commit";
    private static final int GC_EVERY = 16;

    private final Git git;
    private final Path workDir;
    private final Journal journal;
    private final FileMutex indexMutex;
    private final Path stagingDir;
    /** Commits made by this object, for pacing {@code git gc --auto}. Guarded by the index lock. */
    private int commits;
    private volatile String committer;

    /**
     * @param git runs git in the repository
     * @param annexDir the repository's {@code annex} directory (for the journal and its lock)
     * @param workDir a directory the host owns inside the repository (for its index)
     */
    public AnnexBranch(Git git, Path annexDir, Path workDir) {
        this.git = git;
        this.workDir = workDir;
        this.journal = new Journal(annexDir, workDir.resolve("tmp"));
        this.indexMutex = new FileMutex(workDir.resolve("index.lck"), "the git-annex branch's index");
        this.stagingDir = workDir.resolve("staged");
    }

    /** @return the file's content: journalled if it is, else on the branch, if either exists */
    public Optional<String> read(String path) throws IOException {
        Optional<String> journalled = journal.read(path);
        return journalled.isPresent() ? journalled : file(REF, path);
    }

    /** A file as of a commit, read through git's long-lived cat-file: no process per read. */
    private Optional<String> file(String commit, String path) throws IOException {
        return git.blob(commit + ":" + path);
    }

    /**
     * Changes files of the branch, in the journal: each function gets the current content (empty
     * string if the file is absent) and returns the new content. Once this returns, the change is
     * on disk and every reader sees it; it reaches the branch at the next {@link #commit}.
     */
    public void change(Map<String, UnaryOperator<String>> changes) throws IOException {
        journal.locked(locked -> {
            for (Map.Entry<String, UnaryOperator<String>> e : changes.entrySet()) {
                String current = read(e.getKey()).orElse("");
                String next = e.getValue().apply(current);
                if (!next.equals(current)) {
                    journal.write(locked, e.getKey(), next);
                }
            }
            return null;
        });
    }

    /** Changes files and commits at once: for the rare changes made outside any conversation. */
    public void changeAndCommit(Map<String, UnaryOperator<String>> changes, String message) throws IOException {
        change(changes);
        commit(message);
    }

    /** @return {@link System#nanoTime} of this process's last change, {@code Long.MIN_VALUE} if none */
    public long lastChange() {
        return journal.lastWrite();
    }

    /** @return true if changes are waiting in the journal */
    public boolean journalDirty() throws IOException {
        return journal.dirty();
    }

    /**
     * Commits everything journalled (by annexhost or by git-annex) as one commit, then removes
     * from the journal what the commit holds. Does nothing, and runs no git process, when the
     * journal is empty. Writers are held up only while the journal files are linked aside and
     * while the committed ones are removed, never while git runs.
     *
     * @return true if a commit was made
     */
    public boolean commit(String message) throws IOException {
        if (!journal.dirty()) {
            return false;
        }
        return indexMutex.locked(() -> commitJournal(message, null));
    }

    /**
     * Commits the journal; call with the index lock held.
     *
     * @param held the journal lock, if the caller holds it throughout (else it is taken twice, briefly)
     */
    private boolean commitJournal(String message, Journal.Locked held) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            clearStaging();
            List<Journal.Staged> staged = held != null ? journal.stage(held, stagingDir)
                    : journal.locked(locked -> journal.stage(locked, stagingDir));
            if (staged.isEmpty()) {
                return false;
            }
            boolean committed = false;
            try {
                Optional<String> old = currentCommit();
                String commit = importCommit(staged, old, message);
                if (!allUnchanged(staged)) {
                    // git-annex appended to one while it was read: what was read may end mid-line.
                    continue;
                }
                committed = moveBranch(commit, old);
                if (committed) {
                    // The ref first, the journal after: a reader that no longer finds a journal file
                    // finds its content on the branch.
                    if (held != null) {
                        journal.removeCommitted(held, staged);
                    } else {
                        journal.locked(locked -> {
                            journal.removeCommitted(locked, staged);
                            return null;
                        });
                    }
                    return true;
                }
            } finally {
                if (!committed) {
                    Journal.unstage(staged);
                }
            }
        }
        throw new IOException("could not commit the git-annex journal: the branch kept changing under us");
    }

    private static boolean allUnchanged(List<Journal.Staged> staged) throws IOException {
        for (Journal.Staged s : staged) {
            if (!Journal.unchanged(s)) {
                return false;
            }
        }
        return true;
    }

    /** Links left by a commit that died; only a committer, holding the index lock, uses the directory. */
    private void clearStaging() throws IOException {
        if (!Files.isDirectory(stagingDir)) {
            return;
        }
        try (java.nio.file.DirectoryStream<Path> left = Files.newDirectoryStream(stagingDir)) {
            for (Path p : left) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Our private index, holding the tree of OLD, for a union merge. Any {@code index.lock} beside
     * it is stale: only this class writes that index, and only with the index lock held, so a lock
     * file there was left by a git that died (git-annex's {@code prepareModifyIndex} reasons the
     * same way).
     */
    private Git prepareIndex(String old) throws IOException {
        Files.createDirectories(workDir);
        Path index = workDir.resolve("index");
        Files.deleteIfExists(workDir.resolve("index.lock"));
        Git indexed = git.withEnv(Map.of("GIT_INDEX_FILE", index.toString()));
        indexed.run("read-tree", old);
        return indexed;
    }

    /**
     * Writes the staged files as one commit on OLD with one {@code git fast-import}: the blobs,
     * trees and commit go into one pack (a loose object each would be a new file each, the
     * costliest thing a commit did), or loose when there are few. The commit is left on a scratch
     * ref; the branch is not touched here.
     *
     * @return the commit
     */
    private String importCommit(List<Journal.Staged> staged, Optional<String> old, String message) throws IOException {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        String out = git.run(in -> {
            in.write(("reset " + SCRATCH_REF + "\ncommit " + SCRATCH_REF + "\nmark :1\ncommitter " + committer() + " "
                    + java.time.Instant.now().getEpochSecond() + " +0000\ndata " + msg.length + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.write(msg);
            in.write('\n');
            if (old.isPresent()) {
                in.write(("from " + old.get() + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            for (Journal.Staged e : staged) {
                byte[] content = Files.readAllBytes(e.staged());
                in.write(("M 100644 inline " + quotedPath(e.branchPath()) + "\ndata " + content.length + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                in.write(content);
                in.write('\n');
            }
            in.write("\nget-mark :1\ndone\n".getBytes(StandardCharsets.US_ASCII));
        }, "fast-import", "--quiet", "--done");
        String commit = out.strip();
        if (!commit.matches("[0-9a-f]{40,64}")) {
            throw new IOException("git fast-import did not name the commit it made: " + out);
        }
        return commit;
    }

    /** A path as fast-import reads it: always quoted, so no name can end the line or start a keyword. */
    static String quotedPath(String path) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : path.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append('\\').append(String.format("%03o", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** The identity git would commit with here (git's own rules: configuration, environment), learnt once. */
    private String committer() throws IOException {
        String c = committer;
        if (c == null) {
            String ident = git.run("var", "GIT_COMMITTER_IDENT").strip();
            // "Name <email> 1700000000 +0000": the time is ours to give
            c = ident.replaceAll("\\s+\\d+\\s+[+-]\\d{4}$", "");
            committer = c;
        }
        return c;
    }

    /**
     * Moves the branch to the commit if it is still at OLD, and drops the scratch ref, in one ref
     * transaction; every {@value #GC_EVERY}th commit lets git pack what the commits left
     * ({@code git gc --auto}, in the background, and only when there is enough to do).
     */
    private boolean moveBranch(String commit, Optional<String> old) throws IOException {
        String tx = (old.isPresent() ? "update " + REF + " " + commit + " " + old.get() : "create " + REF + " " + commit)
                + "\ndelete " + SCRATCH_REF + "\n";
        try {
            git.run(tx.getBytes(StandardCharsets.US_ASCII), "update-ref", "--stdin");
        } catch (IOException failed) {
            if (currentCommit().equals(old)) {
                throw failed; // no one moved the branch: the update itself failed
            }
            return false; // another writer moved it: the caller commits again on top
        }
        if (++commits % GC_EVERY == 0) {
            git.succeeds("gc", "--auto", "--quiet");
        }
        return true;
    }

    /**
     * Merges the git-annex branch clients pushed ({@link #PUSHED_REF}) into this one, as git-annex
     * does before it reads the branch: the journal is committed first (its files were written
     * against the branch as it was, and would otherwise undo what the merge brings), then a
     * fast-forward when possible, else a union merge, each changed file the lines of both sides
     * without repeats (every log in the branch is built to be merged that way). Costs two ref
     * lookups when there is nothing new.
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
        return indexMutex.locked(() -> journal.locked(locked -> {
            commitJournal("update", locked);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
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
        }));
    }

    /** @return a merge commit of the two, each file differing between them the union of their lines */
    private String unionMerge(String ours, String theirs) throws IOException {
        Git indexed = prepareIndex(ours);
        for (String path : git.run("diff", "--name-only", "-z", "--no-renames", ours, theirs).split("\0")) {
            if (path.isEmpty()) {
                continue;
            }
            LinkedHashSet<String> lines = new LinkedHashSet<>();
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

    private Optional<String> currentCommit() throws IOException {
        return git.outputIfSucceeds("rev-parse", "--verify", "--quiet", REF).map(String::strip);
    }
}
