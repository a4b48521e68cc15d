package org.annexhost.p2p.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentLengthException;
import org.annexhost.p2p.codec.BoundedLineReader;
import org.annexhost.p2p.codec.MessageCodec;
import org.annexhost.p2p.codec.TextCodec;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The P2P protocol's line serialization over a pair of byte streams: stdio, a socket, an ssh
 * channel. DATA payloads are read lazily from the same input stream, bounded to their declared
 * length.
 *
 * <p>One per stream pair; owned by one thread, except that {@link #send} and
 * {@link #sendContent} may be called from a second thread while a relay runs ({@code CONNECT}).
 */
public final class StreamConnection implements P2PConnection {
    private static final Logger LOG = LoggerFactory.getLogger(StreamConnection.class);
    private static final int BUFFER = 64 * 1024;

    private enum State { OPEN, IN_DATA, BROKEN, CLOSED }

    private final String name;
    private final InputStream in;
    private final OutputStream out;
    private final BoundedLineReader lines;
    private final Object writeLock = new Object();
    private volatile State state = State.OPEN;
    private volatile ProtocolVersion version = ProtocolVersion.V0;
    private Content pending;

    /**
     * @param name for logs
     * @param in bytes from the peer
     * @param out bytes to the peer
     */
    public StreamConnection(String name, InputStream in, OutputStream out) {
        this.name = name;
        this.in = new BufferedInputStream(in, BUFFER);
        this.out = new BufferedOutputStream(out, BUFFER);
        this.lines = new BoundedLineReader(this.in);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Message> receive() throws IOException {
        requireUsable();
        if (state == State.IN_DATA) {
            fail();
            throw new ProtocolException(name + ": DATA was not read to its end before the next message");
        }
        Optional<String> line;
        try {
            line = lines.readLine();
        } catch (ProtocolException e) {
            fail();
            throw e;
        }
        if (line.isEmpty()) {
            state = State.CLOSED;
            throw new ConnectionClosedException(name + ": peer closed the connection");
        }
        LOG.debug("P2P < {} {}", name, redact(line.get()));
        Optional<Message> message = MessageCodec.parse(line.get());
        if (message.isPresent() && message.get() instanceof Message.Data data) {
            pending = new Content(data.length(), new DataStream(data.length()));
            state = data.length() == 0 ? State.OPEN : State.IN_DATA;
        } else {
            pending = null;
            if (message.isEmpty()) {
                LOG.debug("{}: cannot parse {}: {}", name, redact(line.get()), MessageCodec.diagnose(line.get()));
            }
        }
        return message;
    }

    @Override
    public Content receivedContent() {
        if (pending == null) {
            throw new IllegalStateException(name + ": no DATA was received");
        }
        Content c = pending;
        pending = null;
        return c;
    }

    @Override
    public void send(Message message) throws IOException {
        if (message instanceof Message.Data) {
            throw new IllegalArgumentException("DATA is sent with sendContent");
        }
        requireUsable();
        String line = MessageCodec.format(message);
        LOG.debug("P2P > {} {}", name, redact(line));
        synchronized (writeLock) {
            try {
                out.write(TextCodec.encode(line));
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                fail();
                throw new ConnectionClosedException(name + ": cannot send to peer: " + e.getMessage());
            }
        }
    }

    @Override
    public void sendContent(Content content) throws IOException {
        requireUsable();
        long length = content.length();
        LOG.debug("P2P > {} DATA {}", name, length);
        synchronized (writeLock) {
            out.write(("DATA " + length + "\n").getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[BUFFER];
            long sent = 0;
            try (InputStream src = content.stream()) {
                while (sent < length) {
                    int n = src.read(buf, 0, (int) Math.min(buf.length, length - sent));
                    if (n < 0) {
                        // git-annex: a sender that cannot send what it promised can only hang up.
                        fail();
                        throw new ContentLengthException(length, sent);
                    }
                    out.write(buf, 0, n);
                    sent += n;
                }
            } catch (ContentLengthException e) {
                throw e;
            } catch (IOException e) {
                fail();
                throw e;
            }
            out.flush();
        }
    }

    @Override
    public ProtocolVersion version() {
        return version;
    }

    @Override
    public void setVersion(ProtocolVersion version) {
        this.version = version;
    }

    @Override
    public boolean isClosed() {
        return state == State.CLOSED || state == State.BROKEN;
    }

    @Override
    public void close() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        try {
            synchronized (writeLock) {
                out.flush();
            }
        } catch (IOException ignored) {
            // The peer may already be gone; closing must still proceed.
        } finally {
            try {
                in.close();
            } finally {
                out.close();
            }
        }
    }

    private void fail() {
        state = State.BROKEN;
        try {
            in.close();
        } catch (IOException ignored) {
            // already broken
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    private void requireUsable() throws ConnectionClosedException {
        if (state == State.CLOSED || state == State.BROKEN) {
            throw new ConnectionClosedException(name + ": connection is " + state.name().toLowerCase());
        }
    }

    static String redact(String line) {
        return line.startsWith("AUTH ") ? line.replaceFirst("^(AUTH \\S+) .*$", "$1 <redacted>") : line;
    }

    /** The bytes of one DATA message, read from the shared input and bounded to their length. */
    private final class DataStream extends org.annexhost.api.content.SourceInputStream {
        private final long length;
        private long remaining;

        DataStream(long length) {
            this.length = length;
            this.remaining = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (state != State.IN_DATA) {
                throw new ConnectionClosedException(name + ": connection " + state.name().toLowerCase() + " during DATA");
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, remaining));
            } catch (IOException e) {
                fail();
                throw new ContentLengthException(length, length - remaining);
            }
            if (n < 0) {
                fail();
                throw new ContentLengthException(length, length - remaining);
            }
            remaining -= n;
            if (remaining == 0) {
                state = State.OPEN;
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return remaining == 0 ? 0 : (int) Math.min(in.available(), remaining);
        }
    }
}
