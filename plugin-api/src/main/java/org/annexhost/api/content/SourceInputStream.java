package org.annexhost.api.content;

import java.io.IOException;
import java.io.InputStream;

/**
 * The base of a stream that is a source, not a decorator (bytes from a queue, a channel, a file
 * that grows, a sequence of chunks): a subclass writes only {@link #read(byte[], int, int)}, and
 * the single-byte {@link #read()} goes through it, so there is one place every byte comes from.
 * A decorator of another stream extends {@link ForwardingInputStream} instead.
 *
 * @since 0.1.3
 */
public abstract class SourceInputStream extends InputStream {
    /** For subclasses. */
    protected SourceInputStream() {
    }

    /** Reads one byte through {@link #read(byte[], int, int)}. */
    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
