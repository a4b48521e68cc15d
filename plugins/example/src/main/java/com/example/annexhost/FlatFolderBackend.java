package com.example.annexhost;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.UUID;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;

/** Each key is one file named by git-annex's key file escaping; written aside, then renamed. */
final class FlatFolderBackend implements StorageBackend {
    private final Path folder;

    FlatFolderBackend(Path folder) {
        this.folder = folder;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.RETRIEVES_IN_ORDER);
    }

    @Override
    public void store(Key key, Content content, long offset) throws IOException {
        Path tmp = folder.resolve(".incoming-" + UUID.randomUUID());
        try (InputStream in = content.stream()) {
            Files.copy(in, tmp);
            Files.move(tmp, file(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Content retrieve(Key key, long offset) throws IOException {
        Path f = file(key);
        if (!Files.exists(f)) {
            throw new ContentNotFoundException(key);
        }
        long size = Files.size(f);
        InputStream in = Files.newInputStream(f);
        in.skipNBytes(Math.min(offset, size));
        return new Content(Math.max(0, size - offset), in);
    }

    @Override
    public Presence checkPresent(Key key) {
        return Presence.of(Files.exists(file(key)));
    }

    @Override
    public void remove(Key key) throws IOException {
        Files.deleteIfExists(file(key));
    }

    private Path file(Key key) {
        return folder.resolve(KeyPaths.keyFile(key));
    }
}
