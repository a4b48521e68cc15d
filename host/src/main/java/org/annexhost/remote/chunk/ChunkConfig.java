package org.annexhost.remote.chunk;

import java.util.Optional;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.DataSize;

/**
 * How a remote chunks new content, from its {@code chunk=} setting as git-annex's
 * {@code getChunkConfig} reads it: absent or 0 means no chunking. The deprecated {@code chunksize=}
 * stored content in per-remote layouts of its own, which the host does not implement; such a remote
 * is refused with a message, never silently served unchunked.
 *
 * @param chunkSize bytes per chunk, or empty for unchunked
 */
public record ChunkConfig(Optional<Long> chunkSize) {
    /** A remote that does not chunk. */
    public static final ChunkConfig NONE = new ChunkConfig(Optional.empty());

    /** @return the chunking a remote's configuration asks for */
    public static ChunkConfig of(BackendConfig config) throws BackendException {
        if (config.get("chunksize").isPresent()) {
            throw new BackendException("remote " + config.remoteName() + " uses the deprecated chunksize="
                    + config.get("chunksize").get() + " (git-annex's legacy chunk layout), which annexhost cannot read;"
                    + " use chunk= for new remotes");
        }
        Optional<String> chunk = config.get("chunk");
        if (chunk.isEmpty()) {
            return NONE;
        }
        long size;
        try {
            size = DataSize.parse(chunk.get());
        } catch (IllegalArgumentException e) {
            throw new BackendException("remote " + config.remoteName() + ": bad configuration chunk=" + chunk.get()
                    + ": " + e.getMessage());
        }
        return size <= 0 ? NONE : new ChunkConfig(Optional.of(size));
    }

    /** @return true if new content is stored in chunks */
    public boolean chunked() {
        return chunkSize.isPresent();
    }
}
