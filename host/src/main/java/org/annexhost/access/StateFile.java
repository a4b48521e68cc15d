package org.annexhost.access;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A small tab-separated file of the host's own state (users, grants, quotas), private to the
 * serving account: written only by commands, whole, under a lock, through a temporary file renamed
 * into place (a reader sees the old file or the new one, never half of one), and read again by a
 * running host when it changed (a new file is a new inode), so that {@code annexhost grant} or
 * {@code user remove} takes effect within {@value #RECHECK_MILLIS} ms: the file is looked at no more
 * often than that, since a look costs a system call and a request is answered in tens of
 * microseconds. Thread-safe.
 *
 * @param <T> what the file's lines are read into
 */
final class StateFile<T> {
    private final Path path;
    private final Function<List<String[]>, T> reader;
    private final T empty;
    /** How stale what a running host holds may be. */
    static final long RECHECK_MILLIS = 50;
    private volatile Loaded<T> loaded;
    private volatile T last;
    private volatile long lastLook = Long.MIN_VALUE;

    private record Loaded<T>(Object fileKey, long modified, long size, T value) {
    }

    StateFile(Path path, Function<List<String[]>, T> reader) {
        this.path = path;
        this.reader = reader;
        this.empty = reader.apply(List.of());
    }

    Path path() {
        return path;
    }

    /** @return what the file holds now (nothing when there is no file) */
    T current() throws IOException {
        long now = System.nanoTime();
        T seen = last;
        if (seen != null && now - lastLook < RECHECK_MILLIS * 1_000_000) {
            return seen;
        }
        T v = look();
        last = v;
        lastLook = now;
        return v;
    }

    /** Forgets what was read, so that the next {@link #current} looks at the file (after this process changed it). */
    private void forget() {
        last = null;
    }

    private T look() throws IOException {
        if (!path.toFile().exists()) {
            // The common case for a repository with no grants: no exception thrown per request.
            return empty;
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            return empty;
        }
        Loaded<T> l = loaded;
        if (l != null && Objects.equals(l.fileKey(), a.fileKey()) && l.modified() == a.lastModifiedTime().toMillis()
                && l.size() == a.size()) {
            return l.value();
        }
        List<String[]> rows = read(path);
        T v = reader.apply(rows);
        loaded = new Loaded<>(a.fileKey(), a.lastModifiedTime().toMillis(), a.size(), v);
        return v;
    }

    /**
     * Changes the file: reads its rows under the lock, lets {@code change} give the new rows, and
     * writes them in place atomically.
     */
    void update(String header, UnaryOperator<List<String[]>> change) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            // A directory made for the host's state is the serving account's alone.
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path lockFile = dir.resolve(path.getFileName() + ".lock");
        try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            List<String[]> rows = Files.exists(path) ? read(path) : List.of();
            List<String[]> next = change.apply(new ArrayList<>(rows));
            StringBuilder text = new StringBuilder("# ").append(header).append('\n');
            for (String[] r : next) {
                for (String field : r) {
                    if (field.indexOf('\t') >= 0 || field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
                        throw new IllegalArgumentException("a tab or a newline cannot be part of a name");
                    }
                }
                text.append(String.join("\t", r)).append('\n');
            }
            Path tmp = dir.resolve("." + path.getFileName() + ".new");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                out.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            forget();
        }
    }

    private static List<String[]> read(Path path) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            rows.add(line.split("\t", -1));
        }
        return rows;
    }
}
