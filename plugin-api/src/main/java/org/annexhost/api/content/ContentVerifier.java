package org.annexhost.api.content;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.annexhost.api.key.HashAlgorithm;
import org.annexhost.api.key.Key;

/**
 * Checks content against a hashing key incrementally, as bytes pass, so verification costs no
 * second read. For a key that cannot be verified by hashing, {@link #forKey} returns empty.
 *
 * <p>One per transfer; not thread-safe.
 *
 * @since 0.1
 */
public final class ContentVerifier {
    private final Key key;
    private final String expectedHex;
    private final MessageDigest digest;
    private Boolean verdict;

    private ContentVerifier(Key key, HashAlgorithm algorithm, String expectedHex) {
        this.key = key;
        this.digest = algorithm.newDigest();
        this.expectedHex = expectedHex;
    }

    /**
     * @param key the key whose content will be checked
     * @return a verifier, if the key's backend is a hashing backend this host can verify
     */
    public static Optional<ContentVerifier> forKey(Key key) {
        Optional<HashAlgorithm> algorithm = key.hashAlgorithm();
        Optional<String> expected = key.expectedDigest();
        if (algorithm.isEmpty() || expected.isEmpty() || key.isChunk()) {
            // A chunk key names the digest of the whole content, not of the chunk.
            return Optional.empty();
        }
        return Optional.of(new ContentVerifier(key, algorithm.get(), expected.get().toLowerCase(java.util.Locale.ROOT)));
    }

    /**
     * Feeds bytes to the digest.
     *
     * @throws IllegalStateException once {@link #matches()} was asked: the verdict is final
     */
    public void update(byte[] b, int off, int len) {
        if (verdict != null) {
            throw new IllegalStateException("the content of " + key + " was judged already; no more bytes can count");
        }
        digest.update(b, off, len);
    }

    /**
     * Judges the bytes fed so far; no more may be fed after it. Asking again gives the same
     * answer (since 0.1.2; before, a second call judged the empty input), so a stream that
     * verifies and its owner can both ask.
     *
     * @return true if the bytes fed hash to the key's digest
     */
    public boolean matches() {
        if (verdict == null) {
            verdict = HexFormat.of().formatHex(digest.digest()).equals(expectedHex);
        }
        return verdict;
    }

    /** @return the key being verified */
    public Key key() {
        return key;
    }
}
