package org.annexhost.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.annexhost.api.key.Key;
import org.annexhost.repo.HostRepository;

/**
 * A repository's content as files in git-annex's layout, set up and checked from outside the
 * server that serves it (ours or git-annex's own).
 */
public final class RepositoryFiles {
    private RepositoryFiles() {
    }

    /** Puts content in place, as if stored earlier. */
    public static void have(HostRepository repo, Key key, byte[] content) throws IOException {
        write(repo.newObject(key), content);
    }

    /** Leaves partial data where an interrupted upload leaves it. */
    public static void partial(HostRepository repo, Key key, byte[] content) throws IOException {
        write(repo.tmpObject(key), content);
    }

    /** @return the whole stored content, if present */
    public static Optional<byte[]> content(HostRepository repo, Key key) throws IOException {
        Optional<Path> p = repo.existingObject(key);
        return p.isPresent() ? Optional.of(Files.readAllBytes(p.get())) : Optional.empty();
    }

    /** @return how many bytes of an interrupted upload are kept */
    public static long partialSize(HostRepository repo, Key key) throws IOException {
        Path p = repo.tmpObject(key);
        return Files.exists(p) ? Files.size(p) : 0;
    }

    private static void write(Path p, byte[] content) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, content);
    }
}
