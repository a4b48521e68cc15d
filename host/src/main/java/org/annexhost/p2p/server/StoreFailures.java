package org.annexhost.p2p.server;

import java.io.IOException;
import org.annexhost.api.key.Key;

/**
 * Store failures a client must hear named, because they are the server's and not the client's:
 * a full disk (or quota). The ERROR text starts with {@link #DISK_FULL}, which the HTTP API turns
 * into 507 Insufficient Storage. Stateless.
 */
public final class StoreFailures {
    /** How the ERROR for a full disk begins. */
    public static final String DISK_FULL = "not stored: the server's disk is full";

    private StoreFailures() {
    }

    /** @return true if the failure, or one of its causes, is ENOSPC or EDQUOT */
    public static boolean isDiskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // The message of a file system's exception ends with the system's own reason.
            String m = t.getMessage();
            if (t instanceof IOException && m != null
                    && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** @return the ERROR text for a key not stored because the disk is full */
    public static String diskFull(Key key) {
        return DISK_FULL + " (" + key + ")";
    }
}
