package org.annexhost.peer;

import java.io.IOException;

/**
 * A peer cannot take another conversation now: every one it may hold is in use. The caller may
 * retry later (HTTP answers 503 with Retry-After); nothing failed.
 */
public final class PeerBusyException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message which peer, and how busy */
    public PeerBusyException(String message) {
        super(message);
    }
}
