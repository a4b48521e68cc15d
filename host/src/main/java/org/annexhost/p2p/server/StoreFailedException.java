package org.annexhost.p2p.server;

import java.io.IOException;

/**
 * An upload failed on the storing side while the incoming content was intact: the protocol can
 * read the rest of the DATA, answer FAILURE and keep the connection, instead of closing it.
 */
public class StoreFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, for the log and the client */
    public StoreFailedException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause the storage's own error
     */
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
