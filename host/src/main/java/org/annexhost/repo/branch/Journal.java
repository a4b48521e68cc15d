package org.annexhost.repo.branch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.annexhost.lock.KeptDirectory;

/**
 * git-annex's journal of changes to the {@code git-annex} branch not yet committed, in its own
 * place and format ({@code Annex/Journal.hs}): one file per branch file, directly in
 * {@code annex/journal/}, named by the branch path with {@code _} written {@code __} and
 * {@code /} written {@code _}; each holds the file's whole new content and is replaced atomically
 * (written aside, then renamed). git-annex run in the same repository reads and commits these
 * files, and annexhost reads and commits git-annex's. Writers take {@code annex/journal.lck},
 * the lock git-annex takes, so changes from either never overwrite each other; a commit takes it
 * only to {@link #stage} the files and to {@link #removeCommitted remove} them once committed.
 *
 * <p>Thread-safe.
 */
public final class Journal {
    private final Path dir;
    private final FileMutex mutex;
    private final Path tmpDir;
    /** {@link System#nanoTime} of this process's last write to the journal. */
    private volatile long lastWrite = Long.MIN_VALUE;
    private final KeptDirectory directories;
    /** Files of committed journal entries kept to be written again (see {@link #write}). */
    private final Path spareDir;
    private final java.util.concurrent.ConcurrentLinkedDeque<Path> spares = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile boolean sparesListed;
    private static final int MAX_SPARES = 4096;

    /**
     * @param annexDir the repository's {@code annex} directory
     * @param tmpDir a directory of ours on the same filesystem, where files are written before
     *     they are renamed into the journal
     */
    public Journal(Path annexDir, Path tmpDir) {
        this.dir = annexDir.resolve("journal");
        this.mutex = new FileMutex(annexDir.resolve("journal.lck"), "the git-annex journal");
        this.tmpDir = tmpDir;
        this.directories = new KeptDirectory(tmpDir, dir);
        this.spareDir = tmpDir.resolve("spare");
    }

    /** @return the journal directory */
    public Path directory() {
        return dir;
    }

    /** Proof that the journal lock is held, required by the methods that change the journal. */
    public static final class Locked {
        private Locked() {
        }
    }

    /** Work done with the journal locked. */
    @FunctionalInterface
    public interface LockedWork<T> {
        T run(Locked locked) throws IOException;
    }

    /** Runs the work holding the journal lock, against this process's threads and other processes. */
    public <T> T locked(LockedWork<T> work) throws IOException {
        return mutex.locked(() -> work.run(new Locked()));
    }

    /**
     * @return the journalled content of a branch file, without locking (as git-annex's
     *     {@code getJournalFileStale}); a last line without its newline, left by an interrupted
     *     append, is dropped
     */
    public Optional<String> read(String branchPath) throws IOException {
        Path file = dir.resolve(journalName(branchPath));
        if (!Files.exists(file)) {
            // Most reads find nothing journalled: a stat, not a thrown exception.
            return Optional.empty();
        }
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException committedMeanwhile) {
            return Optional.empty();
        }
        int end = b.length;
        if (end > 0 && b[end - 1] != '\n') {
            while (end > 0 && b[end - 1] != '\n') {
                end--;
            }
        }
        return Optional.of(new String(b, 0, end, StandardCharsets.UTF_8));
    }

    /**
     * Replaces the journalled content of a branch file atomically: written aside, then renamed
     * into the journal. The file written aside is, when there is one, a spare: the file of an
     * entry already committed, kept by {@link #removeCommitted} instead of deleted. On a file
     * system that hands out inodes slowly (ext4 scans past every inode freed in the last
     * seconds), a new file per change cost more than all the rest of a REMOVE.
     */
    public void write(Locked proof, String branchPath, String content) throws IOException {
        requireProof(proof);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Path target = dir.resolve(journalName(branchPath));
        Path spare = reuseSpare(bytes);
        Path tmp = spare != null ? spare : tmpDir.resolve("journal-" + UUID.randomUUID());
        try {
            directories.run(() -> {
                if (spare == null) {
                    Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                }
                return Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            });
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        lastWrite = System.nanoTime();
    }

    /**
     * @return a spare now holding exactly these bytes, or null if there is none. Called with the
     *     journal lock held, as {@link #removeCommitted} is: no two writers, in this process or
     *     another, take the same spare, and a spare is never also a journal or staged file.
     */
    private Path reuseSpare(byte[] bytes) throws IOException {
        if (spares.isEmpty() && !sparesListed) {
            sparesListed = true;
            if (Files.isDirectory(spareDir)) {
                try (DirectoryStream<Path> left = Files.newDirectoryStream(spareDir)) {
                    for (Path p : left) {
                        spares.add(p);
                    }
                }
            }
        }
        Path spare;
        while ((spare = spares.pollFirst()) != null) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(spare, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                return spare;
            } catch (NoSuchFileException takenElsewhere) {
                // another process used it (or it was cleaned away): try the next
            }
        }
        return null;
    }

    /** Keeps a staged file whose journal entry is committed as a spare, if it is no one else's; else deletes it. */
    private void recycle(Path staged) throws IOException {
        Object links;
        try {
            links = Files.getAttribute(staged, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return;
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            links = null;
        }
        if (Integer.valueOf(1).equals(links) && spares.size() < MAX_SPARES) {
            Path spare = spareDir.resolve(UUID.randomUUID().toString());
            try {
                Files.createDirectories(spareDir);
                Files.move(staged, spare, StandardCopyOption.ATOMIC_MOVE);
                spares.add(spare);
                return;
            } catch (IOException cannot) {
                // fall through: delete it
            }
        }
        Files.deleteIfExists(staged);
    }

    /** @return {@link System#nanoTime} of this process's last journal write, {@code Long.MIN_VALUE} if none */
    public long lastWrite() {
        return lastWrite;
    }

    /**
     * A journal file as a commit took it: a hard link beside the journal (a copy where links
     * cannot be made), so its content stays what was staged when a writer replaces the journal
     * file meanwhile, and the file's identity then, to tell later whether it changed. git-annex
     * appends to some journal files in place, which changes the link too: {@link #unchanged}
     * tells whether what was hashed is still what was staged.
     *
     * @param branchPath the branch file it is the content of
     * @param journalFile where it is in the journal
     * @param staged the link to hash from
     * @param version inode, size and modification time when staged
     */
    public record Staged(String branchPath, Path journalFile, Path staged, List<Object> version) {
    }

    /**
     * Takes every journal file for a commit, with the lock held only for this: the commit itself
     * runs unlocked, so writers are never held up by git.
     *
     * @param stagingDir an empty directory of ours on the journal's filesystem
     * @return the staged files, in journal order
     */
    public List<Staged> stage(Locked proof, Path stagingDir) throws IOException {
        requireProof(proof);
        List<Staged> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        Files.createDirectories(stagingDir);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Path link = stagingDir.resolve(Integer.toString(out.size()));
                // With the lock held, no writer changes the file between these two.
                List<Object> version = version(f);
                try {
                    Files.createLink(link, f);
                } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
                    Files.copy(f, link, StandardCopyOption.REPLACE_EXISTING);
                }
                out.add(new Staged(branchPath(name), f, link, version));
            }
        }
        return out;
    }

    /**
     * Removes the journal files a commit has put on the branch, each only if it is still what
     * was staged (a writer may have replaced it, or git-annex appended to it, since: that change
     * stays journalled for the next commit); then the staged files.
     */
    public void removeCommitted(Locked proof, List<Staged> committed) throws IOException {
        requireProof(proof);
        for (Staged s : committed) {
            if (Files.exists(s.journalFile(), LinkOption.NOFOLLOW_LINKS) && version(s.journalFile()).equals(s.version())) {
                Files.deleteIfExists(s.journalFile());
            }
            recycle(s.staged());
        }
    }

    /** @return true if the staged file is still as it was staged (nothing was appended to it) */
    public static boolean unchanged(Staged s) throws IOException {
        return version(s.staged()).equals(s.version());
    }

    /** Deletes staged files; what they staged stays in the journal. */
    public static void unstage(List<Staged> staged) throws IOException {
        for (Staged s : staged) {
            Files.deleteIfExists(s.staged());
        }
    }

    /** @return true if anything is journalled */
    public boolean dirty() throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            return files.iterator().hasNext();
        }
    }

    private static List<Object> version(Path f) throws IOException {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toInstant());
    }

    /** @return git-annex's journal file name for a branch path ({@code journalFile}) */
    public static String journalName(String branchPath) {
        StringBuilder b = new StringBuilder(branchPath.length() + 8);
        for (char c : branchPath.toCharArray()) {
            if (c == '/') {
                b.append('_');
            } else if (c == '_') {
                b.append("__");
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** @return the branch path of a journal file name ({@code fileJournal}) */
    public static String branchPath(String journalName) {
        StringBuilder b = new StringBuilder(journalName.length());
        for (int i = 0; i < journalName.length(); i++) {
            char c = journalName.charAt(i);
            if (c != '_') {
                b.append(c);
            } else if (i + 1 < journalName.length() && journalName.charAt(i + 1) == '_') {
                b.append('_');
                i++;
            } else {
                b.append('/');
            }
        }
        return b.toString();
    }

    private static void requireProof(Locked proof) {
        if (proof == null) {
            throw new IllegalStateException("the journal must be locked");
        }
    }
}
