package org.annexhost.repo.branch;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * git-annex's journal of changes to the {@code git-annex} branch not yet committed, in its own
 * place and format ({@code Annex/Journal.hs}): one file per branch file, directly in
 * {@code annex/journal/}, named by the branch path with {@code _} written {@code __} and
 * {@code /} written {@code _}; each holds the file's whole new content and is replaced atomically
 * (written aside, then renamed). git-annex run in the same repository reads and commits these
 * files, and annexhost reads and commits git-annex's. Writers and committers take
 * {@code annex/journal.lck}, the lock git-annex takes (an fcntl lock, which Java's file locks are
 * on Linux), so changes from either never overwrite each other.
 *
 * <p>Thread-safe: threads of one process take turns on the lock before the file lock, which
 * belongs to the process.
 */
public final class Journal {
    private static final ConcurrentHashMap<Path, ReentrantLock> THREADS = new ConcurrentHashMap<>();
    private static final long LOCK_WAIT_SECONDS = 120;

    private final Path dir;
    private final Path lockFile;
    private final Path tmpDir;

    /**
     * @param annexDir the repository's {@code annex} directory
     * @param tmpDir a directory of ours on the same filesystem, where files are written before
     *     they are renamed into the journal
     */
    public Journal(Path annexDir, Path tmpDir) {
        this.dir = annexDir.resolve("journal");
        this.lockFile = annexDir.resolve("journal.lck");
        this.tmpDir = tmpDir;
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
        Files.createDirectories(lockFile.getParent());
        ReentrantLock threads = THREADS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        try {
            if (!threads.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("the git-annex journal stayed locked for " + LOCK_WAIT_SECONDS + "s: " + lockFile);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the journal lock " + lockFile);
        }
        try (RandomAccessFile f = new RandomAccessFile(lockFile.toFile(), "rw");
             FileChannel ch = f.getChannel();
             FileLock lock = ch.lock()) {
            return work.run(new Locked());
        } finally {
            threads.unlock();
        }
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

    /** Replaces the journalled content of a branch file atomically. */
    public void write(Locked proof, String branchPath, String content) throws IOException {
        requireProof(proof);
        Files.createDirectories(tmpDir);
        Files.createDirectories(dir);
        Path tmp = tmpDir.resolve("journal-" + UUID.randomUUID());
        try {
            Files.write(tmp, content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Files.move(tmp, dir.resolve(journalName(branchPath)), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A journalled file: its branch path and where it is. */
    public record Entry(String branchPath, Path file) {
    }

    /** @return the files in the journal now; with the lock held, exactly what a commit stages */
    public List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(f)) {
                    out.add(new Entry(branchPath(name), f));
                }
            }
        }
        return out;
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

    /** Removes committed entries; call with the lock held since before they were staged. */
    public void remove(Locked proof, List<Entry> committed) throws IOException {
        requireProof(proof);
        for (Entry e : committed) {
            Files.deleteIfExists(e.file());
        }
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
