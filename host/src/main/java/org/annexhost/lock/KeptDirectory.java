package org.annexhost.lock;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Directories a store keeps its lock and temporary files in, made once rather than before every
 * file operation (a {@code mkdir} and a {@code stat} each time, on the per-file hot path). If one
 * was removed meanwhile, the operation that missed it makes them again and is tried once more.
 * Thread-safe.
 */
public final class KeptDirectory {
    /** A file operation in the directories. */
    @FunctionalInterface
    public interface Operation<T> {
        T run() throws IOException;
    }

    private final List<Path> dirs;
    private volatile boolean made;

    /** @param dirs the directories, made in this order */
    public KeptDirectory(Path... dirs) {
        this.dirs = List.of(dirs);
    }

    /** @return what the operation returns, the directories made first if not yet, and again if it missed them */
    public <T> T run(Operation<T> op) throws IOException {
        if (!made) {
            make();
        }
        try {
            return op.run();
        } catch (NoSuchFileException | FileNotFoundException removedMeanwhile) {
            make();
            return op.run();
        }
    }

    private void make() throws IOException {
        for (Path d : dirs) {
            Files.createDirectories(d);
        }
        made = true;
    }
}
