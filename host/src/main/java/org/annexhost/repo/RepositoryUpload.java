package org.annexhost.repo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentVerifier;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.server.LocalStore;

/**
 * One PUT into the repository. It holds the key's upload exclusion from start to close, so a
 * second upload of the same key (another thread or ssh process) waits, then finds the content
 * there. Not thread-safe; one per PUT, opened and closed on the protocol thread.
 */
final class RepositoryUpload implements LocalStore.Upload {
    private final RepositoryStore store;
    private final Key key;
    private final Path tmp;
    private final LockTable.Exclusion exclusion;
    private final long offset;
    private Optional<ContentVerifier> verifier = Optional.empty();
    private boolean wrote;

    RepositoryUpload(RepositoryStore store, Key key, Path tmp, LockTable.Exclusion exclusion) throws IOException {
        this.store = store;
        this.key = key;
        this.tmp = tmp;
        this.exclusion = exclusion;
        long size = Math.max(0, RepositoryStore.sizeIfExists(tmp));
        if (key.size().isPresent() && size > key.size().getAsLong()) {
            Files.delete(tmp);
            size = 0;
        }
        this.offset = size;
    }
    @Override
    public long offset() {
        return offset;
    }

    @Override
    public Optional<List<Uuid>> alreadyStored() {
        return store.isPresent(key) ? Optional.of(List.of()) : Optional.empty();
    }

    @Override
    public void write(Content data) throws IOException {
        // Nothing to prime from when the upload starts at 0 (this upload holds the key's exclusion).
        verifier = offset > 0 ? RepositoryStore.primedVerifier(key, tmp) : ContentVerifier.forKey(key);
        wrote = true;
        try (OutputStream out = store.append(tmp)) {
            try {
                RepositoryStore.copy(data, out, verifier);
            } finally {
                // What arrived stays for a resume, even when the stream broke. Like git-annex, no
                // fsync: a killed host loses nothing the kernel already has; a machine crash is the
                // filesystem's to survive.
                out.flush();
            }
        }
    }

    @Override
    public LocalStore.Reach commit(Optional<Boolean> senderSaysValid) throws IOException {
        return LocalStore.Reach.of(commitHere(senderSaysValid));
    }

    private boolean commitHere(Optional<Boolean> senderSaysValid) throws IOException {
        long size = RepositoryStore.sizeIfExists(tmp);
        if (size < 0) {
            return false;
        }
        if (key.size().isPresent() && size != key.size().getAsLong()) {
            // Incomplete: keep it for a resume unless it is already too long.
            if (size > key.size().getAsLong()) {
                Files.delete(tmp);
            }
            return false;
        }
        if (!wrote) {
            verifier = RepositoryStore.primedVerifier(key, tmp);
        }
        boolean good;
        if (verifier.isPresent()) {
            good = verifier.get().matches();
        } else {
            // Nothing to check it against: trust VALID, refuse INVALID, take v0 on its size.
            good = senderSaysValid.orElse(key.size().isPresent());
        }
        if (!good) {
            Files.deleteIfExists(tmp);
            return false;
        }
        store.install(key, tmp);
        return true;
    }

    @Override
    public void close() throws IOException {
        exclusion.close();
    }
}
