package org.annexhost.repo.branch;

import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.p2p.server.ContentListener;

/**
 * The location log of the git-annex branch ({@code Logs/Location.hs}): one presence log per key,
 * {@code HASHDIR/KEY.log} with the key's chunk fields left off, one line per repository. The one
 * writer of location knowledge: every path reports to it as a {@link ContentListener}, and it
 * writes through the branch's journal, so a record costs two file operations and is on disk when
 * the call returns. Thread-safe.
 */
public final class LocationLog implements ContentListener {
    private final AnnexBranch branch;
    private final Clock clock;

    /**
     * @param branch the host repository's branch
     * @param clock stamps the lines
     */
    public LocationLog(AnnexBranch branch, Clock clock) {
        this.branch = branch;
        this.clock = clock;
    }

    /** @return the path of the key's location log in the branch */
    public static String path(Key key) {
        Key whole = key.withoutChunk();
        return KeyPaths.hashDirLower(whole) + KeyPaths.keyFile(whole) + ".log";
    }

    /** @return the repositories the log says have the key (journalled changes included) */
    public Set<Uuid> locations(Key key) throws IOException {
        Set<Uuid> out = new LinkedHashSet<>();
        for (String u : PresenceLog.present(branch.read(path(key)).orElse(""))) {
            out.add(new Uuid(u));
        }
        return out;
    }

    @Override
    public void added(Key key, Collection<Uuid> at) throws IOException {
        record(key, at, true);
    }

    @Override
    public void removed(Key key, Collection<Uuid> at) throws IOException {
        record(key, at, false);
    }

    private void record(Key key, Collection<Uuid> at, boolean present) throws IOException {
        if (at.isEmpty()) {
            return;
        }
        branch.change(Map.of(path(key), log -> {
            String out = log;
            for (Uuid u : at) {
                out = PresenceLog.update(out, u, present, clock.instant());
            }
            return out;
        }));
    }
}
