package org.annexhost.cluster;

import java.io.IOException;
import java.util.Set;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;

/** What the gateway knows about where content is and which nodes want it: the branch, or memory in tests. */
public interface ClusterKnowledge {
    /** Takes in what clients have pushed since (their {@code git annex wanted} settings, for one). */
    default void refresh() throws IOException {
    }

    /** @return the repositories the location log says have the key */
    Set<Uuid> locations(Key key) throws IOException;

    /** Records that a repository now has, or no longer has, the key. */
    void record(Key key, Uuid where, boolean present) throws IOException;

    /** @return whether a node wants the key, by its preferred content expression (all, if none is set) */
    boolean wants(Uuid node, Key key, AssociatedFile file, Set<Uuid> locations) throws IOException;
}
