package org.annexhost.api.content;

import java.io.IOException;
import java.io.InputStream;

/**
 * The next {@code limit} bytes of the stream it wraps, as Okio's {@code FixedLengthSource}: it
 * never reads past them, and closing it leaves the wrapped stream open, so the rest belongs to
 * whoever reads next (the next window, the next protocol message). The wrapped stream ending
 * before the limit is an error: the read throws {@link ContentLengthException}, naming the limit
 * and what arrived.
 *
 * <p>A {@link Hook} hears how the stream ended, exactly once. {@link Hook#exhausted()} runs when
 * the limit is reached: inside the read that delivers the last byte, before that read returns (for
 * a limit of 0, on the first read or on close). That is the moment to give a connection back or
 * to check that the wrapped stream ends there too. If it throws, that read throws, and so does
 * every later one. {@link Hook#closedEarly()} runs instead if the stream is closed before the
 * limit was reached (the connection is mid-content and cannot be reused).
 *
 * <p>One reader; not thread-safe.
 *
 * @since 0.1.2
 */
public final class LimitedInputStream extends ForwardingInputStream {
    /** Told once how a {@link LimitedInputStream} ended. */
    @FunctionalInterface
    public interface Hook {
        /** A hook that does nothing. */
        Hook NONE = () -> { };

        /**
         * Called once, when the last byte of the limit has been read from the wrapped stream.
         *
         * @throws IOException to fail the read that reached the limit
         */
        void exhausted() throws IOException;

        /**
         * Called once instead of {@link #exhausted()}, when the stream is closed before the limit
         * was reached. Does nothing unless overridden.
         *
         * @throws IOException to fail the close
         */
        default void closedEarly() throws IOException {
        }
    }

    private final long limit;
    private final Hook hook;
    private long remaining;
    private boolean hookRan;
    private IOException hookFailure;

    /**
     * @param in the stream to read from
     * @param limit how many bytes to read
     * @param hook what to do once they have been read
     */
    public LimitedInputStream(InputStream in, long limit, Hook hook) {
        super(in);
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        this.limit = limit;
        this.remaining = limit;
        this.hook = hook;
    }

    /** @return the number of bytes this stream yields */
    public long limit() {
        return limit;
    }

    /** @return bytes still to read before the limit */
    public long remaining() {
        return remaining;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (hookFailure != null) {
            throw hookFailure;
        }
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            reachedLimit();
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new ContentLengthException(limit, limit - remaining);
        }
        remaining -= n;
        if (remaining == 0) {
            reachedLimit();
        }
        return n;
    }

    private void reachedLimit() throws IOException {
        if (hookRan) {
            return;
        }
        hookRan = true;
        try {
            hook.exhausted();
        } catch (IOException e) {
            hookFailure = e;
            throw e;
        }
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    /**
     * Tells the hook, unless it was told already: {@link Hook#exhausted()} if the limit is reached
     * (a limit of 0 that no read reached), {@link Hook#closedEarly()} if not. Leaves the wrapped
     * stream open.
     */
    @Override
    public void close() throws IOException {
        if (remaining == 0) {
            reachedLimit();
        } else if (!hookRan) {
            hookRan = true;
            hook.closedEarly();
        }
    }
}
