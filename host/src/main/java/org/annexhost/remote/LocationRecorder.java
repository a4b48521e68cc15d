package org.annexhost.remote;

import java.io.IOException;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;

/** Records in the host's location log that a repository behind it gained or lost a key. */
@FunctionalInterface
public interface LocationRecorder {
    /** @param present true when the repository now has the key, false when it no longer has it */
    void record(Key key, Uuid where, boolean present) throws IOException;
}
