package org.annexhost.api.content;

import java.io.InputStream;
import java.util.Objects;

/**
 * Bytes in transit: a declared length and a stream that is read once. Whoever receives a
 * {@code Content} must count what it reads (see {@link CountingInputStream}); a stream that ends
 * early or runs long is invalid content and is never stored.
 *
 * <p>Owned by exactly one reader; not thread-safe.
 *
 * @param length the number of bytes the sender promised
 * @param stream the bytes; read at most once
 * @since 0.1
 */
public record Content(long length, InputStream stream) {
    /** Rejects a negative length or a missing stream. */
    public Content {
        if (length < 0) {
            throw new IllegalArgumentException("negative content length " + length);
        }
        Objects.requireNonNull(stream, "stream");
    }

    /** @return empty content */
    public static Content empty() {
        return new Content(0, InputStream.nullInputStream());
    }

    /** @return the stream wrapped so that it yields exactly {@link #length()} bytes or throws */
    public CountingInputStream counted() {
        return stream instanceof CountingInputStream c && c.expected() == length
                ? c : new CountingInputStream(stream, length);
    }
}
