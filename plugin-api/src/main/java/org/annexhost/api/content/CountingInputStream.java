package org.annexhost.api.content;

import java.io.IOException;
import java.io.InputStream;

/**
 * Yields exactly the declared number of bytes of the stream it wraps, or throws
 * {@link ContentLengthException}: when the stream ends early, and when it still has bytes once
 * the declared length has been read.
 *
 * <p>One reader; not thread-safe.
 *
 * @since 0.1
 */
public final class CountingInputStream extends ForwardingInputStream {
    private final long expected;
    private long count;
    private boolean checkedEnd;

    /**
     * @param in the stream to count
     * @param expected the declared length
     */
    public CountingInputStream(InputStream in, long expected) {
        super(in);
        this.expected = expected;
    }

    /** @return the declared length */
    public long expected() {
        return expected;
    }

    /** @return bytes read so far */
    public long count() {
        return count;
    }

    /** @return true once every declared byte was read and the stream was found to end there */
    public boolean complete() {
        return checkedEnd;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long remaining = expected - count;
        if (remaining <= 0) {
            checkEnd();
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new ContentLengthException(expected, count);
        }
        count += n;
        return n;
    }

    private void checkEnd() throws IOException {
        if (!checkedEnd) {
            if (in.read() >= 0) {
                throw new ContentLengthException(expected, count + 1);
            }
            checkedEnd = true;
        }
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), expected - count);
    }

    /**
     * Reads what is left, discarding it, so the stream's end is checked.
     *
     * @throws ContentLengthException if the stream was short or long
     */
    public void drain() throws IOException {
        skip(Long.MAX_VALUE);
        checkEnd();
    }
}
