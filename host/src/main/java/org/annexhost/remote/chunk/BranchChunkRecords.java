package org.annexhost.remote.chunk;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.repo.branch.AnnexBranch;

/** A remote's chunk log entries in the host repository's git-annex branch, where clients read them. */
public final class BranchChunkRecords implements ChunkRecords {
    private final AnnexBranch branch;
    private final Uuid uuid;
    private final Clock clock;

    /**
     * @param branch the host repository's branch
     * @param uuid the remote the entries are about
     * @param clock stamps new entries
     */
    public BranchChunkRecords(AnnexBranch branch, Uuid uuid, Clock clock) {
        this.branch = branch;
        this.uuid = uuid;
        this.clock = clock;
    }

    @Override
    public List<ChunkLog.Chunking> recorded(Key key) throws IOException {
        return ChunkLog.current(branch.read(path(key)).orElse(""), uuid);
    }

    @Override
    public void record(Key key, long chunkSize, long count) throws IOException {
        branch.change(Map.of(path(key), log -> ChunkLog.update(log, uuid, chunkSize, count, clock.instant())));
    }

    /** git-annex's {@code chunkLogFile}: beside the location log, named for the whole key. */
    static String path(Key key) {
        Key whole = key.withoutChunk();
        return KeyPaths.hashDirLower(whole) + KeyPaths.keyFile(whole) + ".log.cnk";
    }
}
