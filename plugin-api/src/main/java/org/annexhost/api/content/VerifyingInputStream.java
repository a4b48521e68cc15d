package org.annexhost.api.content;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes bytes through to a {@link ContentVerifier} as they are read.
 *
 * <p>One reader; not thread-safe.
 *
 * @since 0.1
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final ContentVerifier verifier;

    /**
     * @param in the stream to read
     * @param verifier told about every byte read
     */
    public VerifyingInputStream(InputStream in, ContentVerifier verifier) {
        super(in);
        this.verifier = verifier;
    }

    @Override
    public int read() throws IOException {
        int c = in.read();
        if (c >= 0) {
            verifier.update(new byte[] {(byte) c}, 0, 1);
        }
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            verifier.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("skipping would bypass verification");
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
