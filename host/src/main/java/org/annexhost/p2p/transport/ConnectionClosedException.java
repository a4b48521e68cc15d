package org.annexhost.p2p.transport;

/** The connection ended: the peer hung up, a timeout fired, or it was closed from this side. */
public final class ConnectionClosedException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /** @param message why and where the connection ended */
    public ConnectionClosedException(String message) {
        super(message);
    }
}
