package org.annexhost.lock;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.peer.KeyLocks;

/**
 * Content locks that work across processes (every ssh connection is its own process) and survive
 * a crash: each lock is a record file, {@code held PID TAKEN} while its holder lives, rewritten to
 * {@code until EXPIRY} when the holder's connection breaks. A record whose process died expires
 * at TAKEN plus the retention period (10 minutes by default), as p2p_protocol.mdwn promises.
 * Taking and checking locks happens under a per-key exclusion: a thread lock plus a file lock.
 *
 * <p>Thread-safe. Wall time, because records must outlive the process that wrote them.
 */
public final class LockTable implements KeyLocks {
    private static final long PID = ProcessHandle.current().pid();

    private final Path dir;
    private final KeptDirectory lockDir;
    private final Clock clock;
    private final Duration retention;
    private final Duration exclusionWait;
    /** The thread locks of keys in use now, each with its count of users: gone when unused, so
     *  a long-running host holds none for the millions of keys it served. */
    private final ConcurrentHashMap<String, KeyLock> threadLocks = new ConcurrentHashMap<>();

    private static final class KeyLock {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    /**
     * @param dir where lock records live
     * @param clock wall time
     * @param retention how long a lock holds once its holder is gone
     */
    public LockTable(Path dir, Clock clock, Duration retention) {
        this.dir = dir;
        this.lockDir = new KeptDirectory(dir);
        this.clock = clock;
        this.retention = retention;
        this.exclusionWait = Duration.ofSeconds(60);
    }

    /** Work done while holding a key's exclusion. */
    @FunctionalInterface
    public interface Exclusive<T> {
        T run() throws IOException;
    }

    /** Runs the work with the key's exclusion held, against threads and other processes. */
    public <T> T exclusively(Key key, Exclusive<T> work) throws IOException {
        try (Exclusion ignored = acquire(key)) {
            return work.run();
        }
    }

    /** A held key exclusion; close it on the thread that acquired it. */
    public interface Exclusion extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Takes the key's exclusion: a thread lock, then a file lock for other processes. Waits at
     * most a minute.
     */
    public Exclusion acquire(Key key) throws IOException {
        String name = KeyPaths.keyFile(key);
        KeyLock entry = threadLocks.compute(name, (n, e) -> {
            KeyLock k = e == null ? new KeyLock() : e;
            k.users++;
            return k;
        });
        ReentrantLock threadLock = entry.lock;
        try {
            if (!threadLock.tryLock(exclusionWait.toMillis(), TimeUnit.MILLISECONDS)) {
                release(name);
                throw new IOException("key " + key + " stayed busy for " + exclusionWait.toSeconds() + "s");
            }
        } catch (InterruptedException e) {
            release(name);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for key " + key);
        }
        RandomAccessFile f = null;
        try {
            f = openLockFile(name);
            FileLock fileLock = lockFile(f.getChannel(), key);
            RandomAccessFile file = f;
            return () -> {
                try {
                    fileLock.release();
                    file.close();
                } finally {
                    threadLock.unlock();
                    release(name);
                }
            };
        } catch (IOException | RuntimeException e) {
            if (f != null) {
                f.close();
            }
            threadLock.unlock();
            release(name);
            throw e;
        }
    }

    /** Opens the key's lock file. */
    private RandomAccessFile openLockFile(String name) throws IOException {
        java.io.File file = dir.resolve(name + ".lck").toFile();
        return lockDir.run(() -> new RandomAccessFile(file, "rw"));
    }

    /** One user fewer of the key's thread lock; the last one removes it. */
    private void release(String name) {
        threadLocks.computeIfPresent(name, (n, e) -> --e.users == 0 ? null : e);
    }

    /** @return how many keys have a thread lock in use now (for tests: none grow unused) */
    int keysInUse() {
        return threadLocks.size();
    }

    private FileLock lockFile(FileChannel ch, Key key) throws IOException {
        long deadline = System.nanoTime() + exclusionWait.toNanos();
        while (true) {
            FileLock l = ch.tryLock();
            if (l != null) {
                return l;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("key " + key + " stayed busy in another process for " + exclusionWait.toSeconds() + "s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for key " + key);
            }
        }
    }

    /** @return true if some live or retained lock holds the key; expired records are removed */
    public boolean isLocked(Key key) throws IOException {
        Path keyDir = dir.resolve(KeyPaths.keyFile(key));
        if (!Files.isDirectory(keyDir)) {
            return false;
        }
        boolean locked = false;
        try (DirectoryStream<Path> records = Files.newDirectoryStream(keyDir)) {
            for (Path r : records) {
                if (holds(r)) {
                    locked = true;
                } else {
                    Files.deleteIfExists(r);
                }
            }
        }
        return locked;
    }

    /** Records a lock; call under {@link #exclusively}. */
    public LocalStore.ContentLock hold(Key key) throws IOException {
        Path keyDir = dir.resolve(KeyPaths.keyFile(key));
        Files.createDirectories(keyDir);
        Path record = keyDir.resolve(UUID.randomUUID().toString());
        long taken = clock.millis();
        Files.writeString(record, "held " + PID + " " + taken + "\n");
        return new Held(record, taken);
    }

    @Override
    public Optional<LocalStore.ContentLock> lockIfPresent(Key key, PresenceCheck check) throws IOException {
        return exclusively(key, () -> check.present() ? Optional.of(hold(key)) : Optional.empty());
    }

    @Override
    public boolean removeUnlessLocked(Key key, Removal removal) throws IOException {
        return exclusively(key, () -> !isLocked(key) && removal.remove());
    }

    private boolean holds(Path record) {
        String[] w;
        try {
            w = Files.readString(record, StandardCharsets.UTF_8).trim().split(" ");
        } catch (IOException e) {
            return false;
        }
        long now = clock.millis();
        if (w.length == 2 && w[0].equals("until")) {
            return now < Long.parseLong(w[1]);
        }
        if (w.length == 3 && w[0].equals("held")) {
            long pid = Long.parseLong(w[1]);
            long taken = Long.parseLong(w[2]);
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive || now < taken + retention.toMillis();
        }
        return false;
    }

    /** A lock this process holds. */
    private final class Held implements LocalStore.ContentLock {
        private final Path record;
        private final long taken;

        Held(Path record, long taken) {
            this.record = record;
            this.taken = taken;
        }

        @Override
        public void close() throws IOException {
            Files.deleteIfExists(record);
        }

        @Override
        public void abandon() throws IOException {
            Files.writeString(record, "until " + (taken + retention.toMillis()) + "\n");
        }
    }
}
