package org.annexhost.p2p.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.annexhost.p2p.transport.ProtocolException;

/**
 * Reads one protocol line at a time from a byte stream, at most {@value #MAX_LINE} bytes, as
 * git-annex's {@code getProtocolLine} does, decoded byte-exact by {@link TextCodec}. The stream is shared with DATA payloads, so this reads
 * byte by byte from a buffered stream and never reads past the newline.
 *
 * <p>One per connection; not thread-safe.
 */
public final class BoundedLineReader {
    /** The longest line accepted, in bytes, without its newline. */
    public static final int MAX_LINE = 32 * 1024;

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(128);

    /** @param in a buffered stream */
    public BoundedLineReader(InputStream in) {
        this.in = in;
    }

    /**
     * @return the next line without its newline (a trailing CR is kept, as git-annex keeps it),
     *     or empty at a clean end of stream
     * @throws ProtocolException if the line is too long, or the stream ends inside a line
     */
    public Optional<String> readLine() throws IOException {
        line.reset();
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (line.size() == 0) {
                    return Optional.empty();
                }
                throw new ProtocolException("connection closed in the middle of a protocol line");
            }
            if (c == '\n') {
                return Optional.of(TextCodec.decode(line.toByteArray()));
            }
            if (line.size() >= MAX_LINE) {
                throw new ProtocolException("protocol line longer than " + MAX_LINE + " bytes");
            }
            line.write(c);
        }
    }
}
