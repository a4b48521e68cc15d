package org.annexhost.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
    private final ConcurrentHashMap<Long, KeyLock> threadLocks = new ConcurrentHashMap<>();
    /** The shared lock file, and the inode it was opened at; guarded by {@code channelGuard}. */
    private final Object channelGuard = new Object();
    private FileChannel channel;
    private Object channelInode;

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

    /** A held key exclusion; close it on the thread that acquired it (again: nothing). */
    public interface Exclusion extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * Takes the key's exclusion: a thread lock, then a file lock for other processes. Waits at
     * most a minute.
     *
     * <p>The file lock is one byte of one file shared by every key ({@code keys.lck}), at an
     * offset drawn from the key's name, so a key never seen before creates no file: on the
     * per-file hot path a new inode costs more than everything else an upload does to the file
     * system. Two keys whose offsets collide (one chance in 2^62 for keys not crafted to) only wait for each other: the
     * thread locks are kept per offset, too. The file is opened once and kept open, because
     * closing any descriptor of a file drops all of the process's locks on it.
     */
    public Exclusion acquire(Key key) throws IOException {
        long slot = slot(key);
        KeyLock entry = threadLocks.compute(slot, (n, e) -> {
            KeyLock k = e == null ? new KeyLock() : e;
            k.users++;
            return k;
        });
        ReentrantLock threadLock = entry.lock;
        try {
            if (!threadLock.tryLock(exclusionWait.toMillis(), TimeUnit.MILLISECONDS)) {
                release(slot);
                throw new IOException("key " + key + " stayed busy for " + exclusionWait.toSeconds() + "s");
            }
        } catch (InterruptedException e) {
            release(slot);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for key " + key);
        }
        try {
            FileLock fileLock = lockFile(slot, key);
            java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
            return () -> {
                if (!open.getAndSet(false)) {
                    return; // closed already
                }
                try {
                    fileLock.release();
                } finally {
                    threadLock.unlock();
                    release(slot);
                }
            };
        } catch (IOException | RuntimeException e) {
            threadLock.unlock();
            release(slot);
            throw e;
        }
    }

    /**
     * @return the key's byte in the lock file: a 62-bit FNV-1a hash of its name. Keys that
     *     collide (crafted or not) only wait for each other, so no cryptographic hash is needed.
     */
    static long slot(Key key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.toString().getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h >>> 2;
    }

    /**
     * The shared lock file's channel, opened on first use. If the file was removed or replaced
     * meanwhile (another process then locks a different file), a new one is opened; the old one's
     * locks still release through their own channel.
     */
    private FileChannel channel() throws IOException {
        synchronized (channelGuard) {
            Path file = dir.resolve("keys.lck");
            Object now = lockDir.run(() -> {
                try {
                    return Files.getAttribute(file, "unix:ino");
                } catch (java.nio.file.NoSuchFileException gone) {
                    return null;
                }
            });
            if (channel == null || now == null || !now.equals(channelInode)) {
                channel = lockDir.run(() -> FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE));
                channelInode = Files.getAttribute(file, "unix:ino");
            }
            return channel;
        }
    }

    /** One user fewer of the slot's thread lock; the last one removes it. */
    private void release(long slot) {
        threadLocks.computeIfPresent(slot, (n, e) -> --e.users == 0 ? null : e);
    }

    /** @return how many keys have a thread lock in use now (for tests: none grow unused) */
    int keysInUse() {
        return threadLocks.size();
    }

    private FileLock lockFile(long slot, Key key) throws IOException {
        long deadline = System.nanoTime() + exclusionWait.toNanos();
        while (true) {
            FileLock l;
            try {
                l = channel().tryLock(slot, 1, false);
            } catch (java.nio.channels.OverlappingFileLockException heldHere) {
                l = null; // another table on the same directory in this process holds it: wait, as for a process
            }
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
