package org.annexhost.remote.chunk;

import java.io.IOException;
import java.util.List;
import org.annexhost.api.key.Key;

/** Where one remote's chunk log entries are read and written: the branch, or memory in tests. */
public interface ChunkRecords {
    /** @return the chunkings recorded for the key on this remote */
    List<ChunkLog.Chunking> recorded(Key key) throws IOException;

    /** Records that the key is stored as that many chunks of that size (0: removed). */
    void record(Key key, long chunkSize, long count) throws IOException;
}
