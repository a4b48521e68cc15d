package org.annexhost.api.content;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The base of our stream decorators, as Okio's {@code ForwardingSource} is of its: it forwards
 * to the stream it wraps ({@link #in}), and a decorator overrides only what it changes, usually
 * just {@link #read(byte[], int, int)}. Unlike a plain {@link FilterInputStream}, every byte
 * passes through that one method: the single-byte {@link #read()} is written once in terms of it,
 * and {@link #skip} reads and discards through it, so a decorator that counts or hashes cannot be
 * bypassed. {@link #available()} and {@link #close()} are forwarded. Mark and reset are not
 * supported, even if the wrapped stream supports them. A stream that is a source rather than a
 * decorator extends {@link SourceInputStream}.
 *
 * <p>One reader; not thread-safe unless a subclass says otherwise.
 *
 * @since 0.1.2
 */
public abstract class ForwardingInputStream extends FilterInputStream {
    private static final int SKIP_BUFFER = 8192;

    /** @param in the stream to forward to */
    protected ForwardingInputStream(InputStream in) {
        super(Objects.requireNonNull(in, "in"));
    }

    /** Reads one byte through {@link #read(byte[], int, int)}. */
    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    /** Reads from the wrapped stream; every other read of this stream comes through here. */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    /** Reads up to {@code n} bytes through {@link #read(byte[], int, int)} and discards them. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        byte[] buf = new byte[(int) Math.min(SKIP_BUFFER, n)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    /** @return false: bytes that were counted or hashed cannot be taken back */
    @Override
    public final boolean markSupported() {
        return false;
    }

    /** Does nothing: marks are not supported. */
    @Override
    public final void mark(int readlimit) {
        // not supported; see markSupported
    }

    /** @throws IOException always: marks are not supported */
    @Override
    public final void reset() throws IOException {
        throw new IOException("mark and reset are not supported");
    }
}
