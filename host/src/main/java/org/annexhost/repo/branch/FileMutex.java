package org.annexhost.repo.branch;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.annexhost.lock.KeptDirectory;

/**
 * A lock file held against this process's other threads and against other processes: an fcntl
 * lock (what Java's file locks are on Linux, and what git-annex takes), which belongs to the
 * process, so threads first take turns on an in-process lock. Not reentrant across the file
 * lock: a thread holding it must not take it again. Thread-safe.
 */
final class FileMutex {
    private static final ConcurrentHashMap<Path, ReentrantLock> THREADS = new ConcurrentHashMap<>();
    private static final long WAIT_SECONDS = 120;

    private final Path file;
    private final String what;
    private final KeptDirectory parent;

    /**
     * @param file the lock file (created when first taken)
     * @param what what it guards, for the message when it stays taken
     */
    FileMutex(Path file, String what) {
        this.file = file;
        this.what = what;
        this.parent = new KeptDirectory(file.getParent());
    }

    /** Work done with the lock held. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws IOException;
    }

    /** Opens the lock file. */
    private RandomAccessFile open() throws IOException {
        return parent.run(() -> new RandomAccessFile(file.toFile(), "rw"));
    }

    <T> T locked(Work<T> work) throws IOException {
        ReentrantLock threads = THREADS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
        try {
            if (!threads.tryLock(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException(what + " stayed locked for " + WAIT_SECONDS + "s: " + file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the lock of " + what + ": " + file);
        }
        try (RandomAccessFile f = open();
             FileChannel ch = f.getChannel();
             FileLock lock = ch.lock()) {
            return work.run();
        } finally {
            threads.unlock();
        }
    }
}
