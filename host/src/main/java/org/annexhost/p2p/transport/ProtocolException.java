package org.annexhost.p2p.transport;

import java.io.IOException;

/**
 * The peer broke the protocol's framing or rules in a way that leaves the connection unusable
 * (an over-long line, a line cut short). The connection is closed; nothing else is affected.
 */
public class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what was expected and what arrived */
    public ProtocolException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
