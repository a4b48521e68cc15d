package org.annexhost.api.content;

import java.io.IOException;

/**
 * Content that ended before its declared length, or ran past it. Such content is invalid and is
 * never stored; the connection it arrived on is closed.
 *
 * @since 0.1
 */
public final class ContentLengthException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long expected;
    private final long actual;

    /**
     * @param expected the declared length
     * @param actual how many bytes arrived (for a long stream, at least this many)
     */
    public ContentLengthException(long expected, long actual) {
        super(actual < expected
                ? "content ended after " + actual + " of " + expected + " declared bytes"
                : "content ran past its declared length of " + expected + " bytes");
        this.expected = expected;
        this.actual = actual;
    }

    /** @return the declared length */
    public long expected() {
        return expected;
    }

    /** @return how many bytes arrived */
    public long actual() {
        return actual;
    }
}
