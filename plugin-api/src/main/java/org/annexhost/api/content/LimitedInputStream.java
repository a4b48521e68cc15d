package org.annexhost.api.content;

import java.io.IOException;
import java.io.InputStream;

/**
 * The next {@code limit} bytes of the stream it wraps, as Okio's {@code FixedLengthSource}: it
 * never reads past them, so the rest of the wrapped stream is left for whoever reads next (the
 * next window, the next protocol message). The wrapped stream ending before the limit is an
 * error: the read throws {@link ContentLengthException}, naming the limit and what arrived.
 *
 * <p>A {@link Hook} runs exactly once, when the limit is reached: inside the read that delivers
 * the last byte, before that read returns, or for a limit of 0 on the first read or on close.
 * That is the moment to give a connection back or to check that the wrapped stream ends there
 * too. If the hook throws, that read throws, and so does every later read. Closing closes the
 * wrapped stream; a window on a shared stream overrides {@link #close()} to leave it open.
 *
 * <p>One reader; not thread-safe.
 *
 * @since 0.1.2
 */
public class LimitedInputStream extends ForwardingInputStream {
    /** Runs once the limit is reached. */
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
            exhausted();
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new ContentLengthException(limit, limit - remaining);
        }
        remaining -= n;
        if (remaining == 0) {
            exhausted();
        }
        return n;
    }

    private void exhausted() throws IOException {
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

    /** Runs the hook if the limit is 0 and no read did, then closes the wrapped stream. */
    @Override
    public void close() throws IOException {
        try {
            if (remaining == 0) {
                exhausted();
            }
        } finally {
            in.close();
        }
    }
}
