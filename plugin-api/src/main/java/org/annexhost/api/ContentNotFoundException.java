package org.annexhost.api;

import java.io.IOException;
import org.annexhost.api.key.Key;

/**
 * A key asked for that the backend does not store.
 *
 * @since 0.1
 */
public final class ContentNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param key the missing key */
    public ContentNotFoundException(Key key) {
        super("content not present: " + key);
    }
}
