package org.annexhost.api.key;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A git-annex key, {@code BACKEND[-sSIZE][-mMTIME][-SCHUNKSIZE-CCHUNK]--NAME}.
 *
 * <p>A {@code Key} is always safe to use as one file name component: its constructor refuses path
 * separators, control characters and over-long keys (see {@link KeySyntax}). Immutable and
 * thread-safe.
 *
 * @param backend the backend name, e.g. {@code SHA256E}
 * @param size the content size in bytes, when the key records it
 * @param mtime the modification time, when the key records it (WORM keys)
 * @param chunkSize the chunk size, for a chunk key
 * @param chunkNumber the chunk number (from 1), for a chunk key
 * @param name the key name (for hashing backends the hex digest, plus extension for E backends)
 * @since 0.1
 */
public record Key(String backend, OptionalLong size, OptionalLong mtime,
                  OptionalLong chunkSize, OptionalLong chunkNumber, String name) {

    /** Validates every field; see {@link KeySyntax}. */
    public Key {
        KeySyntax.requireValid(backend, size, mtime, chunkSize, chunkNumber, name);
    }

    /**
     * Parses a serialized key.
     *
     * @param text the key as git-annex writes it
     * @return the key
     * @throws InvalidKeyException naming the text and what is wrong with it
     */
    public static Key parse(String text) {
        return KeySyntax.parse(text);
    }

    /** @return a key with only a backend and a name */
    public static Key of(String backend, String name) {
        return new Key(backend, OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), name);
    }

    /** @return this key with its size set */
    public Key withSize(long newSize) {
        return new Key(backend, OptionalLong.of(newSize), mtime, chunkSize, chunkNumber, name);
    }

    /** @return this key without its chunk fields, as git-annex's {@code nonChunkKey} */
    public Key withoutChunk() {
        return new Key(backend, size, mtime, OptionalLong.empty(), OptionalLong.empty(), name);
    }

    /** @return true if this key names one chunk of a larger object */
    public boolean isChunk() {
        return chunkNumber.isPresent();
    }

    /** @return the hash function that verifies this key's content, for verifiable hashing backends */
    public Optional<HashAlgorithm> hashAlgorithm() {
        return HashAlgorithm.forBackend(backend);
    }

    /**
     * @return the expected digest in lower-case hex, for verifiable hashing backends; for the E
     *     variants that is the name up to its first dot, as git-annex's {@code keyHash}
     */
    public Optional<String> expectedDigest() {
        if (hashAlgorithm().isEmpty()) {
            return Optional.empty();
        }
        int dot = backend.endsWith("E") ? name.indexOf('.') : -1;
        return Optional.of(dot < 0 ? name : name.substring(0, dot));
    }

    /** @return the UTF-8 bytes of {@link #toString()} */
    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return the key serialized exactly as git-annex writes it */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(backend);
        size.ifPresent(v -> b.append("-s").append(v));
        mtime.ifPresent(v -> b.append("-m").append(v));
        chunkSize.ifPresent(v -> b.append("-S").append(v));
        chunkNumber.ifPresent(v -> b.append("-C").append(v));
        return b.append("--").append(name).toString();
    }
}
