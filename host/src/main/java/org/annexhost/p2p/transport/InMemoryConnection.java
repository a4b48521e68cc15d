package org.annexhost.p2p.transport;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentLengthException;
import org.annexhost.api.content.FileBacked;
import org.annexhost.p2p.codec.MessageCodec;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The internal transport: message records handed between two threads, never serialized. DATA
 * hands over the sender's own stream, read lazily by the receiver, which counts it: a stream that
 * ends short or runs long breaks the connection on both sides. The sender waits until the receiver
 * has consumed the content before it sends anything else, as git-annex's in-memory runner waits.
 *
 * <p>Created in pairs by {@link #pair}. Each end is owned by one thread; {@link #close()} may be
 * called from any thread and wakes both ends.
 */
public final class InMemoryConnection implements P2PConnection {
    private static final Logger LOG = LoggerFactory.getLogger(InMemoryConnection.class);

    /** Deadlines for the waits of the internal transport. */
    public record Timeouts(Duration receive, Duration send, Duration contentIdle) {
        /** Generous defaults: an idle backend may wait a day for its next request. */
        public static final Timeouts DEFAULT =
                new Timeouts(Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofMinutes(5));
    }

    private record Envelope(Optional<Message> message, Content content) {
    }

    private final String name;
    private final Rendezvous<Envelope> inbox;
    private final Rendezvous<Envelope> outbox;
    private final Timeouts timeouts;
    private volatile ProtocolVersion version = ProtocolVersion.V0;
    private Content pending;
    private Handoff pendingHandoff;

    private InMemoryConnection(String name, Rendezvous<Envelope> inbox, Rendezvous<Envelope> outbox,
                               Timeouts timeouts) {
        this.name = name;
        this.inbox = inbox;
        this.outbox = outbox;
        this.timeouts = timeouts;
    }

    /** Two connected ends, each the other's peer. */
    public record Pair(InMemoryConnection client, InMemoryConnection server) {
    }

    /** @return a connected pair named after the link, with default timeouts */
    public static Pair pair(String name) {
        return pair(name, Timeouts.DEFAULT);
    }

    /** @return a connected pair with the given deadlines */
    public static Pair pair(String name, Timeouts timeouts) {
        Rendezvous<Envelope> toServer = new Rendezvous<>(name + " to server", 16);
        Rendezvous<Envelope> toClient = new Rendezvous<>(name + " to client", 16);
        return new Pair(new InMemoryConnection(name + "/client", toClient, toServer, timeouts),
                new InMemoryConnection(name + "/server", toServer, toClient, timeouts));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Message> receive() throws IOException {
        if (pendingHandoff != null && !pendingHandoff.finished()) {
            breakLink("DATA was not read to its end before the next message");
            throw new ProtocolException(name + ": DATA was not read to its end before the next message");
        }
        pendingHandoff = null;
        pending = null;
        Envelope e = inbox.take(timeouts.receive());
        LOG.debug("P2P < {} {}", name, e.message().map(MessageCodec::format).orElse("<unparsable>"));
        if (e.content() != null) {
            pending = e.content();
            pendingHandoff = (Handoff) e.content().stream();
        }
        return e.message();
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
        LOG.debug("P2P > {} {}", name, MessageCodec.format(message));
        outbox.put(new Envelope(Optional.of(message), null), timeouts.send());
    }

    /**
     * Sends a line as the serialized transport would deliver it: parsed, or as an unparsable line.
     * Lets one transcript drive both transports.
     */
    public void sendLine(String line) throws IOException {
        outbox.put(new Envelope(MessageCodec.parse(line), null), timeouts.send());
    }

    @Override
    public void sendContent(Content content) throws IOException {
        LOG.debug("P2P > {} DATA {}", name, content.length());
        Handoff handoff = new Handoff(content.stream(), content.length());
        outbox.put(new Envelope(Optional.of(new Message.Data(content.length())),
                new Content(content.length(), handoff)), timeouts.send());
        outbox.awaitUntil(handoff::finished, timeouts.contentIdle(), handoff::count);
        if (handoff.failure != null) {
            throw new ConnectionClosedException(name + ": content was not delivered: " + handoff.failure);
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
        return inbox.isClosed();
    }

    @Override
    public void close() {
        breakLink("connection closed");
    }

    private void breakLink(String reason) {
        inbox.close(name + ": " + reason);
        outbox.close(name + ": " + reason);
    }

    /**
     * The sender's stream as the receiver sees it: exactly the declared bytes, counted, with the
     * sender told when the receiver is done with it.
     */
    private final class Handoff extends org.annexhost.api.content.SourceInputStream implements FileBacked {
        private final InputStream source;
        private final long length;
        private final AtomicInteger state = new AtomicInteger(); // 0 reading, 1 done, 2 failed
        private volatile long count;
        private volatile String failure;

        Handoff(InputStream source, long length) {
            this.source = source;
            this.length = length;
            if (length == 0) {
                // Nothing to read; a zero-length DATA is consumed on arrival.
                state.set(1);
            }
        }

        boolean finished() {
            return state.get() != 0;
        }

        @Override
        public boolean inFile() {
            return source instanceof FileBacked f && f.inFile() && state.get() == 0;
        }

        @Override
        public java.nio.channels.FileChannel channel() {
            return ((FileBacked) source).channel();
        }

        @Override
        public void consumed(long n) throws IOException {
            if (n < 0 || count + n > length) {
                fail("delivered past the declared length of " + length + " bytes");
                throw new ContentLengthException(length, count + n);
            }
            ((FileBacked) source).consumed(n);
            count += n;
            if (count == length) {
                finish();
            }
        }

        long count() {
            return count;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (state.get() == 2) {
                throw new ConnectionClosedException(name + ": content stream failed: " + failure);
            }
            if (len == 0) {
                return 0;
            }
            if (count >= length) {
                finish();
                return -1;
            }
            int n;
            try {
                n = source.read(b, off, (int) Math.min(len, length - count));
            } catch (IOException | RuntimeException e) {
                fail("sender's stream failed: " + (e.getMessage() == null ? "it broke without saying why" : e.getMessage()));
                throw new ContentLengthException(length, count);
            }
            if (n < 0) {
                fail("content ended after " + count + " of " + length + " bytes");
                throw new ContentLengthException(length, count);
            }
            count += n;
            if (count == length) {
                finish();
            }
            // No signal per read: a waiting sender looks at the count on its own every 200 ms,
            // and waking it for every buffer cost a futex round trip per few KiB.
            return n;
        }

        private void finish() throws IOException {
            if (state.get() != 0) {
                return;
            }
            int extra;
            try {
                extra = source.read();
            } catch (IOException | RuntimeException e) {
                extra = -1;
            }
            if (extra >= 0) {
                fail("content ran past its declared length of " + length + " bytes");
                throw new ContentLengthException(length, length + 1);
            }
            state.set(1);
            closeSource();
            signalBoth();
        }

        private void fail(String why) {
            failure = why;
            state.set(2);
            closeSource();
            breakLink(why);
        }

        private void closeSource() {
            try {
                source.close();
            } catch (IOException ignored) {
                // the sender's stream is done with either way
            }
        }

        private void signalBoth() {
            outbox.signal();
            inbox.signal();
        }

        @Override
        public void close() {
            if (state.get() == 0 && count < length) {
                fail("receiver closed the content after " + count + " of " + length + " bytes");
            }
        }
    }
}
