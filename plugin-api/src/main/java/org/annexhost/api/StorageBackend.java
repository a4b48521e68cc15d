package org.annexhost.api;

import java.io.IOException;
import java.util.OptionalLong;
import java.util.Set;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;

/**
 * Storage for the content of git-annex keys: one instance per configured remote. The host calls
 * it from several threads at once, for different keys and for the same key; implementations must
 * be thread-safe.
 *
 * <p>Content streams: {@link #store} reads a length-declared stream and must not buffer the whole
 * object in memory. Content counts as stored only once all of it arrived: a store interrupted by
 * an exception must leave nothing that {@link #checkPresent} reports as present.
 *
 * @since 0.1
 */
public interface StorageBackend extends AutoCloseable {
    /** @return optional abilities the host may use */
    Set<Capability> capabilities();

    /**
     * Stores the content of a key. The content's stream yields exactly {@link Content#length()}
     * bytes or throws; if it throws, propagate the exception and keep nothing visible. Storing a
     * key that is already present must succeed (and may skip the write).
     *
     * @param key the key; already validated as safe for use as a file name
     * @param content the bytes, from offset {@code offset}
     * @param offset where the content starts: 0, or (with {@link Capability#RESUMABLE_STORE}) the
     *     value {@link #partialSize} returned
     * @throws IOException if the content could not be stored
     */
    void store(Key key, Content content, long offset) throws IOException;

    /**
     * With {@link Capability#RESUMABLE_STORE}: how many bytes an interrupted store left for the
     * key, to resume from.
     *
     * @return the resumable size; 0 or empty when there is nothing to resume
     */
    default OptionalLong partialSize(Key key) throws IOException {
        return OptionalLong.empty();
    }

    /**
     * Reads a key's content from an offset.
     *
     * @return the content from {@code offset} to the end; its length is the remaining size
     * @throws ContentNotFoundException if the key is not stored
     * @throws IOException if it cannot be read
     */
    Content retrieve(Key key, long offset) throws IOException;

    /**
     * @return whether the key's content is stored; {@link Presence#unknown(String)} when it cannot
     *     be told (never guess "absent": that would let a client drop its last copy elsewhere)
     */
    Presence checkPresent(Key key);

    /**
     * Removes a key's content. Removing an absent key succeeds.
     *
     * @throws IOException if the content may still be there
     */
    void remove(Key key) throws IOException;

    /** Releases resources; the host calls it once, after the last request. */
    @Override
    default void close() throws IOException {
    }
}
