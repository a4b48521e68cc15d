package org.annexhost.proxy;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
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

    /** Records the same for several repositories; the branch does it in one commit. */
    default void recordAll(Key key, Collection<Uuid> where, boolean present) throws IOException {
        for (Uuid u : where) {
            record(key, u, present);
        }
    }

    /** @return whether a node wants the key, by its preferred content expression (all, if none is set) */
    boolean wants(Uuid node, Key key, AssociatedFile file, Set<Uuid> locations) throws IOException;

    /** @return those of the nodes that want the key, in their order; the branch reads its logs once for all */
    default List<Uuid> wanting(List<Uuid> nodes, Key key, AssociatedFile file, Set<Uuid> locations) throws IOException {
        List<Uuid> out = new java.util.ArrayList<>();
        for (Uuid n : nodes) {
            if (wants(n, key, file, locations)) {
                out.add(n);
            }
        }
        return out;
    }
}
