package org.annexhost.p2p.transport;

import java.io.IOException;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.ProtocolVersion;

/**
 * A connection that hands everything to another one: subclasses override what they add (watching
 * messages, ending a process on close) and leave the rest as it is.
 */
public abstract class ForwardingConnection implements P2PConnection {
    /** The connection everything goes to. */
    protected final P2PConnection delegate;

    /** @param delegate the connection everything goes to */
    protected ForwardingConnection(P2PConnection delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Optional<Message> receive() throws IOException {
        return delegate.receive();
    }

    @Override
    public void send(Message message) throws IOException {
        delegate.send(message);
    }

    @Override
    public void sendContent(Content content) throws IOException {
        delegate.sendContent(content);
    }

    @Override
    public Content receivedContent() {
        return delegate.receivedContent();
    }

    @Override
    public ProtocolVersion version() {
        return delegate.version();
    }

    @Override
    public void setVersion(ProtocolVersion version) {
        delegate.setVersion(version);
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
