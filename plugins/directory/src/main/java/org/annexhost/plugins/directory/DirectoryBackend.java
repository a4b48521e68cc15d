package org.annexhost.plugins.directory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;

/**
 * Content in a directory as git-annex's directory special remote lays it out
 * ({@code Remote/Directory.hs}): {@code DIR/HASH/KEYFILE/KEYFILE}, written to
 * {@code DIR/tmp/KEYFILE/KEYFILE} first and renamed into place as a directory, so a half-written
 * key is never visible. Reads look in the lower-case hash layout, then the mixed-case one.
 *
 * <p>Thread-safe: concurrent stores of one key each write their own temporary directory.
 */
final class DirectoryBackend implements StorageBackend {
    private static final int WRITE_BUFFER = 128 * 1024;

    private final Path dir;
    private final boolean fsync;

    DirectoryBackend(Path dir) {
        this(dir, false);
    }

    /**
     * @param dir the directory
     * @param fsync flush each stored file to disk before it becomes visible; git-annex's own
     *     directory remote does not, and it costs the disk's write time on every store
     */
    DirectoryBackend(Path dir, boolean fsync) {
        this.dir = dir;
        this.fsync = fsync;
    }

    /**
     * Copies in buffers big enough that a GiB is a few thousand writes, small enough to stay in
     * the CPU's cache (InputStream.transferTo's 8 KiB made it 131,072 writes).
     */
    private static void write(InputStream in, FileChannel out) throws IOException {
        byte[] buf = new byte[WRITE_BUFFER];
        ByteBuffer wrapped = ByteBuffer.wrap(buf);
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            wrapped.clear().limit(n);
            while (wrapped.hasRemaining()) {
                out.write(wrapped);
            }
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.RETRIEVES_IN_ORDER);
    }

    @Override
    public void store(Key key, Content content, long offset) throws IOException {
        if (offset != 0) {
            throw new IOException("directory remote " + dir + " does not resume stores");
        }
        String kf = KeyPaths.keyFile(key);
        // A private temporary directory per store, so concurrent stores of one key cannot collide.
        Path tmp = dir.resolve("tmp").resolve(kf + "." + UUID.randomUUID());
        Files.createDirectories(tmp);
        try {
            Path file = tmp.resolve(kf);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 InputStream in = content.stream()) {
                write(in, out);
            }
            if (fsync) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            Path dest = dir.resolve(KeyPaths.hashDirLower(key)).resolve(kf);
            Files.createDirectories(dest.getParent());
            if (present(key).isPresent()) {
                return;
            }
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                // rename(2) onto a directory another store just put in place fails with
                // ENOTEMPTY, which Java reports as a plain FileSystemException.
                if (present(key).isPresent()) {
                    return; // a concurrent store of the same key won the race
                }
                throw e;
            }
            file = dest.resolve(kf);
            file.toFile().setWritable(false, false);
            dest.toFile().setWritable(false, false);
        } finally {
            deleteTree(tmp);
        }
    }

    @Override
    public Content retrieve(Key key, long offset) throws IOException {
        Path file = present(key).orElseThrow(() -> new ContentNotFoundException(key));
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        long size = ch.size();
        ch.position(Math.min(offset, size));
        return new Content(Math.max(0, size - offset), Channels.newInputStream(ch));
    }

    @Override
    public Presence checkPresent(Key key) {
        if (!Files.isDirectory(dir)) {
            return Presence.unknown("directory " + dir + " is not available (not mounted?)");
        }
        return Presence.of(present(key).isPresent());
    }

    @Override
    public void remove(Key key) throws IOException {
        String kf = KeyPaths.keyFile(key);
        for (String hash : List.of(KeyPaths.hashDirLower(key), KeyPaths.hashDirMixed(key))) {
            Path keyDir = dir.resolve(hash).resolve(kf);
            if (Files.exists(keyDir)) {
                keyDir.toFile().setWritable(true, true);
                deleteTree(keyDir);
                deleteIfEmpty(keyDir.getParent());
                deleteIfEmpty(keyDir.getParent().getParent());
            }
        }
    }

    private Optional<Path> present(Key key) {
        String kf = KeyPaths.keyFile(key);
        for (String hash : List.of(KeyPaths.hashDirLower(key), KeyPaths.hashDirMixed(key))) {
            Path f = dir.resolve(hash).resolve(kf).resolve(kf);
            if (Files.isRegularFile(f)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.deleteIfExists(q);
                } catch (NoSuchFileException ignored) {
                    // removed concurrently
                }
            }
        }
    }

    private static void deleteIfEmpty(Path d) {
        try {
            Files.deleteIfExists(d);
        } catch (DirectoryNotEmptyException ignored) {
            // other keys share it
        } catch (IOException ignored) {
            // best effort, as git-annex's removeDirGeneric
        }
    }
}
