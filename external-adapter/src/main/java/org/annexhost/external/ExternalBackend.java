package org.annexhost.external;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.external.message.Direction;
import org.annexhost.external.message.Request;
import org.annexhost.external.message.Response;
import org.annexhost.external.process.LineChannel;

/**
 * An external special remote program as a storage backend. TRANSFER needs a file, so content is
 * spooled to a temporary file (one owner, deleted in {@code finally}); the host verified it on the
 * way. A remote that crashes, hangs or talks nonsense fails the request with its own words, its
 * process is replaced, and nothing counts as stored.
 *
 * <p>Thread-safe: each request takes its own process from the pool.
 */
final class ExternalBackend implements StorageBackend {
    /** Free space kept for the rest of the system when spooling. */
    private static final long RESERVE = 64L * 1024 * 1024;

    private final String remote;
    private final ProcessPool pool;
    private final Path spool;
    private volatile Boolean ordered;

    ExternalBackend(String remote, ProcessPool pool, Path spool) {
        this.remote = remote;
        this.pool = pool;
        this.spool = spool;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public void store(Key key, Content content, long offset) throws IOException {
        requireSafe(key);
        if (offset != 0) {
            throw new IOException("external remote " + remote + " cannot resume a store");
        }
        Path file = spoolFile("store", key);
        try {
            requireSpace(content.length());
            try (OutputStream out = Files.newOutputStream(file); InputStream in = content.counted()) {
                in.transferTo(out);
            }
            Response r = run(new Request.Transfer(Direction.STORE, key.toString(), file.toString()));
            if (r instanceof Response.TransferSuccess s && s.direction() == Direction.STORE && s.key().equals(key.toString())) {
                return;
            }
            throw new IOException(failure("TRANSFER STORE " + key, r));
        } finally {
            deleteSpooled(file);
        }
    }

    @Override
    public Content retrieve(Key key, long offset) throws IOException {
        requireSafe(key);
        if (key.size().isPresent() && ordered()) {
            return streamingRetrieve(key, offset);
        }
        Path file = spoolFile("retrieve", key);
        boolean handedOver = false;
        try {
            Response r = run(new Request.Transfer(Direction.RETRIEVE, key.toString(), file.toString()));
            if (!(r instanceof Response.TransferSuccess s && s.direction() == Direction.RETRIEVE)) {
                // The protocol cannot say "not here" for a retrieve; ask, so callers can tell.
                if (checkPresent(key).state() == org.annexhost.api.Presence.State.ABSENT) {
                    throw new org.annexhost.api.ContentNotFoundException(key);
                }
                throw new IOException(failure("TRANSFER RETRIEVE " + key, r));
            }
            long size = Files.size(file);
            if (key.size().isPresent() && key.size().getAsLong() != size) {
                throw new IOException("external remote " + remote + " retrieved " + size + " bytes for " + key);
            }
            InputStream in = new DeletingInputStream(Files.newInputStream(file), file);
            in.skipNBytes(Math.min(offset, size));
            handedOver = true;
            return new Content(Math.max(0, size - offset), in);
        } finally {
            if (!handedOver) {
                deleteSpooled(file);
            }
        }
    }

    /** @return whether the remote writes retrieved files in order (asked once, GETORDERED) */
    private boolean ordered() throws IOException {
        Boolean known = ordered;
        if (known == null) {
            known = run(new Request.GetOrdered()) instanceof Response.Ordered;
            ordered = known;
        }
        return known;
    }

    /**
     * The remote writes in order, so the content streams on while it is written. Presence is
     * checked first: once streaming starts, a missing key could only break the connection.
     */
    private Content streamingRetrieve(Key key, long offset) throws IOException {
        if (checkPresent(key).state() == Presence.State.ABSENT) {
            throw new ContentNotFoundException(key);
        }
        long size = key.size().getAsLong();
        Path file = spoolFile("retrieve", key);
        java.util.concurrent.CompletableFuture<Response> transfer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return run(new Request.Transfer(Direction.RETRIEVE, key.toString(), file.toString()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        InputStream in = new GrowingFileInputStream(file, transfer, size, remote);
        in.skipNBytes(Math.min(offset, size));
        return new Content(Math.max(0, size - offset), in);
    }

    @Override
    public Presence checkPresent(Key key) {
        try {
            requireSafe(key);
            Response r = run(new Request.CheckPresent(key.toString()));
            if (r instanceof Response.CheckPresentSuccess) {
                return Presence.present();
            } else if (r instanceof Response.CheckPresentFailure) {
                return Presence.absent();
            } else if (r instanceof Response.CheckPresentUnknown u) {
                return Presence.unknown(u.error());
            }
            return Presence.unknown(failure("CHECKPRESENT " + key, r));
        } catch (IOException e) {
            return Presence.unknown(e.getMessage());
        }
    }

    @Override
    public void remove(Key key) throws IOException {
        requireSafe(key);
        Response r = run(new Request.Remove(key.toString()));
        if (!(r instanceof Response.RemoveSuccess)) {
            throw new IOException(failure("REMOVE " + key, r));
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private Response run(Request request) throws IOException {
        LineChannel p = pool.acquire();
        boolean healthy = false;
        try {
            Response r = pool.conversation(p).request(request);
            healthy = true;
            return r;
        } finally {
            pool.release(p, healthy);
        }
    }

    private String failure(String what, Response r) {
        if (r instanceof Response.TransferFailure f) {
            return "external remote " + remote + ": " + what + " failed: " + f.error();
        } else if (r instanceof Response.RemoveFailure f) {
            return "external remote " + remote + ": " + what + " failed: " + f.error();
        } else if (r instanceof Response.UnsupportedRequest) {
            return "external remote " + remote + " does not support " + what;
        }
        return "external remote " + remote + " answered " + what + " with " + r;
    }

    private static void requireSafe(Key key) throws IOException {
        // git-annex's SafeKey: the protocol cannot carry a key name with whitespace.
        if (key.name().chars().anyMatch(Character::isWhitespace)) {
            throw new IOException("Sorry, this file cannot be stored on an external special remote because its key's "
                    + "name contains a space. To avoid this problem, you can run: git-annex migrate --backend="
                    + key.backend() + " and pass it the name of the file");
        }
    }

    /**
     * A spool file named after the key, in a directory of its own: git-annex hands remotes object
     * files named so, and some remotes (git-annex-remote-rclone) rely on it.
     */
    private Path spoolFile(String what, Key key) throws IOException {
        Files.createDirectories(spool);
        return Files.createTempDirectory(spool, what + "-").resolve(org.annexhost.api.key.KeyPaths.keyFile(key));
    }

    private static void deleteSpooled(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.getParent());
    }

    private void requireSpace(long length) throws IOException {
        long usable = Files.getFileStore(spool).getUsableSpace();
        if (usable - RESERVE < length) {
            throw new IOException("not enough temporary space in " + spool + " for " + length
                    + " bytes to external remote " + remote + " (" + usable + " bytes free)");
        }
    }

    /** Deletes the spooled file once the reader is done with it. */
    private static final class DeletingInputStream extends FilterInputStream {
        private final Path file;

        DeletingInputStream(InputStream in, Path file) {
            super(in);
            this.file = file;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                deleteSpooled(file);
            }
        }
    }
}
