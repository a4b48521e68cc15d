package org.annexhost.api.content;

import java.io.IOException;
import java.io.InputStream;

/**
 * Passes bytes through to a {@link ContentVerifier} as they are read, as Okio's
 * {@code HashingSource} does, and judges them when the wrapped stream ends. Two uses:
 * <ul>
 *   <li>{@link #failingAtEnd}: for a consumer that must never see a clean end of bad content (a
 *       storage backend, which makes content visible once its stream ends). When the bytes do
 *       not match the key, the read that would have returned -1 throws instead, and so does
 *       every read after it.
 *   <li>the constructor: for an owner that asks {@link #matched()} (or the verifier) itself
 *       before it keeps the content, and decides what a mismatch means.
 * </ul>
 * Skipping is refused: skipped bytes would not be hashed, and bytes the consumer never saw would
 * not be verified either.
 *
 * <p>One reader; not thread-safe.
 *
 * @since 0.1
 */
public final class VerifyingInputStream extends ForwardingInputStream {
    private final ContentVerifier verifier;
    private final boolean failsAtEnd;
    private boolean ended;

    /**
     * A stream that hashes and never fails for a mismatch.
     *
     * @param in the stream to read
     * @param verifier told about every byte read
     */
    public VerifyingInputStream(InputStream in, ContentVerifier verifier) {
        this(in, verifier, false);
    }

    private VerifyingInputStream(InputStream in, ContentVerifier verifier, boolean failsAtEnd) {
        super(in);
        this.verifier = verifier;
        this.failsAtEnd = failsAtEnd;
    }

    /**
     * @param in the stream to read
     * @param verifier told about every byte read
     * @return a stream whose end throws an {@link IOException} naming the key if what was read
     *     does not hash to it
     * @since 0.1.2
     */
    public static VerifyingInputStream failingAtEnd(InputStream in, ContentVerifier verifier) {
        return new VerifyingInputStream(in, verifier, true);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
            requireMatchIfFailing();
            return -1;
        }
        int n = in.read(b, off, len);
        if (n > 0) {
            verifier.update(b, off, n);
        } else if (n < 0) {
            ended = true;
            requireMatchIfFailing();
        }
        return n;
    }

    private void requireMatchIfFailing() throws IOException {
        if (failsAtEnd && !verifier.matches()) {
            throw new IOException("content does not match key " + verifier.key());
        }
    }

    /**
     * @return true once the wrapped stream has ended and every byte read hashed to the key
     * @since 0.1.2
     */
    public boolean matched() {
        return ended && verifier.matches();
    }

    /** @throws UnsupportedOperationException always: skipping would bypass verification */
    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("skipping would bypass verification");
    }
}
