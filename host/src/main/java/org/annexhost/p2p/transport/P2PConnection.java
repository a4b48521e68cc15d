package org.annexhost.p2p.transport;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.ProtocolVersion;

/**
 * One side of a P2P protocol conversation. The protocol code ({@code ProtocolServer},
 * {@code ProtocolClient}) is written against this interface only, so it runs unchanged over a
 * byte stream ({@link StreamConnection}) or between threads ({@link InMemoryConnection}).
 *
 * <p>Content: after {@link #receive()} returns a {@link Message.Data}, {@link #receivedContent()}
 * gives its bytes, which must be read to the end before the next receive; a connection whose
 * content was not fully consumed, or ended short or long, is broken and closed, never reused.
 *
 * <p>Lifecycle: {@code OPEN → IN_DATA → OPEN → … → BROKEN | CLOSED}. Owned by one thread at a
 * time; {@link #close()} may be called from any thread and wakes a blocked receive.
 */
public interface P2PConnection extends Closeable {
    /** @return a name for logs, e.g. {@code p2p-stdio-1} */
    String name();

    /**
     * @return the next message, or empty for a line that is not a known message (the server
     *     answers it with {@code ERROR unknown command} and carries on)
     * @throws ConnectionClosedException when the peer has gone or the connection was closed
     * @throws ProtocolException when the framing is broken
     */
    Optional<Message> receive() throws IOException;

    /** Sends one message; for DATA use {@link #sendContent}. */
    void send(Message message) throws IOException;

    /**
     * Sends {@code DATA length} and exactly that many bytes from the content. If the content's
     * stream ends short, the connection is closed (the protocol has no other way to say so) and
     * {@link org.annexhost.api.content.ContentLengthException} is thrown.
     */
    void sendContent(Content content) throws IOException;

    /**
     * @return the bytes of the DATA message just received, counted: reading past their end or
     *     finding them short throws {@link org.annexhost.api.content.ContentLengthException}
     * @throws IllegalStateException if the last message received was not DATA
     */
    Content receivedContent();

    /** @return the protocol version in use on this connection */
    ProtocolVersion version();

    /** Records the version negotiated on this connection. */
    void setVersion(ProtocolVersion version);

    /** @return true once closed or broken */
    boolean isClosed();
}
