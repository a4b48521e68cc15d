package org.annexhost.repo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentVerifier;
import org.annexhost.api.content.VerifyingInputStream;
import org.annexhost.api.key.Key;
import org.annexhost.api.content.FileBacked;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.ContentListener;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.repo.branch.LocationLog;
import org.annexhost.time.MonotonicClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repository's own content, in git-annex's layout. Uploads go to {@code annex/tmp/KEY} (kept
 * after a broken connection, so the next PUT resumes), are verified against hashing keys as they
 * arrive, and only then move into place, read-only, with the location log updated.
 *
 * <p>Thread-safe, and safe between processes: uploads, locks and removals of one key take its
 * exclusion in the {@link LockTable}.
 */
public final class RepositoryStore implements LocalStore {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryStore.class);

    private final HostRepository repo;
    private final LockTable locks;
    private final LockTable uploads;
    private final MonotonicClock clock;
    private final ContentListener locations;
    /** {@code annex/tmp}, where uploads are written. */
    private final org.annexhost.lock.KeptDirectory tmpDir;

    /**
     * @param repo the repository
     * @param locks content locks (shared with every process serving the repository)
     * @param clock for REMOVE-BEFORE deadlines
     * @param wallClock for location log timestamps
     */
    public RepositoryStore(HostRepository repo, LockTable locks, MonotonicClock clock, Clock wallClock) {
        this(repo, locks, clock, wallClock, new LocationLog(repo.branch(), wallClock));
    }

    /**
     * @param locations told of every key stored and removed here (the location log)
     */
    public RepositoryStore(HostRepository repo, LockTable locks, MonotonicClock clock, Clock wallClock,
                           ContentListener locations) {
        this.repo = repo;
        this.locks = locks;
        this.uploads = new LockTable(repo.hostDir().resolve("uploads"), wallClock, java.time.Duration.ZERO);
        this.clock = clock;
        this.locations = locations;
        this.tmpDir = new org.annexhost.lock.KeptDirectory(repo.annexDir().resolve("tmp"));
    }

    @Override
    public boolean isPresent(Key key) {
        return repo.existingObject(key).isPresent();
    }

    @Override
    public OptionalLong contentSize(Key key) throws IOException {
        Optional<Path> p = repo.existingObject(key);
        return p.isPresent() ? OptionalLong.of(Files.size(p.get())) : OptionalLong.empty();
    }

    @Override
    public Optional<InputStream> openContent(Key key, long offset) throws IOException {
        Optional<Path> p = repo.existingObject(key);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        FileChannel ch = FileChannel.open(p.get(), StandardOpenOption.READ);
        ch.position(offset);
        return Optional.of(new FileBacked.Stream(ch));
    }

    @Override
    public Upload beginUpload(Key key, AssociatedFile file) throws IOException {
        LockTable.Exclusion exclusion = uploads.acquire(key);
        try {
            return new RepositoryUpload(this, key, repo.tmpObject(key), exclusion);
        } catch (IOException | RuntimeException e) {
            exclusion.close();
            throw e;
        }
    }

    @Override
    public Optional<ContentLock> lockContent(Key key) throws IOException {
        return locks.lockIfPresent(key, () -> isPresent(key));
    }

    @Override
    public Reach remove(Key key, OptionalLong deadlineSeconds) throws IOException {
        return Reach.of(removeHere(key, deadlineSeconds));
    }

    private boolean removeHere(Key key, OptionalLong deadlineSeconds) throws IOException {
        return locks.exclusively(key, () -> {
            Optional<Path> p = repo.existingObject(key);
            if (p.isEmpty()) {
                return true;
            }
            if (locks.isLocked(key)) {
                LOG.info("not removing {}: it is locked", key);
                return false;
            }
            // git-annex checks the deadline only once the content is locked for removal.
            if (deadlineSeconds.isPresent() && clock.seconds() >= deadlineSeconds.getAsLong()) {
                return false;
            }
            // The record first: a crash in between leaves a copy the log does not claim, never a
            // claimed copy that is gone (which could let a client drop the last one).
            locations.removed(key, List.of(repo.uuid()));
            Path keyDir = p.get().getParent();
            try {
                keyDir.toFile().setWritable(true, true);
                Files.delete(p.get());
            } catch (IOException e) {
                locations.added(key, List.of(repo.uuid()));
                throw e;
            }
            Files.deleteIfExists(keyDir);
            deleteIfEmpty(keyDir.getParent());
            deleteIfEmpty(keyDir.getParent().getParent());
            return true;
        });
    }

    /**
     * Moves verified content into place, read-only, and records it, in that order: a crash in
     * between leaves a copy the log does not claim yet, never a claim without the copy. The record
     * is in the journal, on disk, when this returns, so before the client hears SUCCESS.
     */
    void install(Key key, Path tmp) throws IOException {
        Path target = repo.newObject(key);
        Files.createDirectories(target.getParent());
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        target.toFile().setWritable(false, false);
        target.getParent().toFile().setWritable(false, false);
        locations.added(key, List.of(repo.uuid()));
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException notEmpty) {
            // other keys share the hash directory
        }
    }

    /** Opens a temp file for appending. */
    OutputStream append(Path tmp) throws IOException {
        return tmpDir.run(() -> Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE));
    }

    /** @return the file's size, or -1 if it does not exist: one stat */
    static long sizeIfExists(Path file) throws IOException {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).size();
        } catch (java.nio.file.NoSuchFileException absent) {
            return -1;
        }
    }

    /** @return a verifier primed with the bytes already in the temp file, for a resumed upload */
    static Optional<ContentVerifier> primedVerifier(Key key, Path tmp) throws IOException {
        Optional<ContentVerifier> v = ContentVerifier.forKey(key);
        if (v.isPresent()) {
            InputStream opened;
            try {
                opened = Files.newInputStream(tmp);
            } catch (java.nio.file.NoSuchFileException absent) {
                return v;
            }
            try (InputStream in = opened) {
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    v.get().update(buf, 0, n);
                }
            }
        }
        return v;
    }

    /** Writes received content to the temp file through the verifier. */
    static long copy(Content data, OutputStream out, Optional<ContentVerifier> verifier) throws IOException {
        InputStream in = data.counted();
        if (verifier.isEmpty() || data.length() < PARALLEL_HASH_FROM) {
            // The verdict is the upload's to take at commit (a mismatch is FAILURE, not a broken
            // connection), so this stream hashes and does not fail at the end.
            InputStream hashed = verifier.isPresent() ? new VerifyingInputStream(in, verifier.get()) : in;
            // A small upload gets a buffer its size (plus one read to see the end), not 256 KiB.
            byte[] buf = new byte[(int) Math.min(256 * 1024, Math.max(8192, data.length() + 1))];
            long total = 0;
            int n;
            while ((n = hashed.read(buf)) >= 0) {
                out.write(buf, 0, n);
                total += n;
            }
            return total;
        }
        // Large content: hash on another thread while this one receives and writes, so the
        // upload costs the slower of the two instead of their sum.
        try (ParallelDigest digest = new ParallelDigest(verifier.get())) {
            long total = 0;
            while (true) {
                byte[] buf = digest.buffer();
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    digest.recycle(buf);
                    break;
                }
                out.write(buf, 0, n);
                digest.update(buf, n);
                total += n;
            }
            digest.finish();
            return total;
        }
    }

    /** Content at least this large is hashed on a second thread. */
    static final long PARALLEL_HASH_FROM = 8L << 20;
}
