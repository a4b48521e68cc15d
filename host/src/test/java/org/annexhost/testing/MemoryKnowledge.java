package org.annexhost.testing;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.proxy.ClusterKnowledge;
import org.annexhost.proxy.PreferredContent;
import org.annexhost.p2p.message.AssociatedFile;

/** A cluster's location logs and wanted expressions, in memory. Thread-safe. */
public final class MemoryKnowledge implements ClusterKnowledge {
    /** Where each key is, as the cluster recorded it. */
    public final Map<Key, Set<Uuid>> locations = new ConcurrentHashMap<>();
    /** Each node's wanted expression; a node not named wants anything. */
    public final Map<Uuid, PreferredContent> wanted = new ConcurrentHashMap<>();

    @Override
    public Set<Uuid> locations(Key key) {
        return new HashSet<>(locations.getOrDefault(key, Set.of()));
    }

    @Override
    public void record(Key key, Uuid where, boolean present) {
        Set<Uuid> s = locations.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
        if (present) {
            s.add(where);
        } else {
            s.remove(where);
        }
    }

    @Override
    public boolean wants(Uuid node, Key key, AssociatedFile file, Set<Uuid> locs) {
        return wanted.getOrDefault(node, PreferredContent.ANYTHING)
                .matches(new PreferredContent.Facts(node, key.size(), file.path(), locs, Map.of()));
    }
}
