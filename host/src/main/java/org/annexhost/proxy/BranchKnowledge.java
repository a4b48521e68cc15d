package org.annexhost.proxy;

import java.io.IOException;
import java.time.Clock;
import java.util.Collection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.repo.branch.AnnexBranch;
import org.annexhost.repo.branch.LocationLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Location logs, preferred content ({@code preferred-content.log}) and groups ({@code group.log})
 * read from the host repository's git-annex branch, where clients' {@code git annex wanted} and
 * {@code group} settings arrive when they sync. Thread-safe.
 */
public final class BranchKnowledge implements ClusterKnowledge {
    private static final Logger LOG = LoggerFactory.getLogger(BranchKnowledge.class);

    private final AnnexBranch branch;
    private final LocationLog locations;

    /**
     * @param branch the host repository's branch
     * @param clock stamps location log changes
     */
    public BranchKnowledge(AnnexBranch branch, Clock clock) {
        this.branch = branch;
        this.locations = new LocationLog(branch, clock);
    }

    @Override
    public void refresh() throws IOException {
        branch.mergePushed();
    }

    @Override
    public Set<Uuid> locations(Key key) throws IOException {
        return locations.locations(key);
    }

    @Override
    public void record(Key key, Uuid where, boolean present) throws IOException {
        recordAll(key, Set.of(where), present);
    }

    @Override
    public void recordAll(Key key, Collection<Uuid> where, boolean present) throws IOException {
        if (present) {
            locations.added(key, where);
        } else {
            locations.removed(key, where);
        }
    }

    @Override
    public boolean wants(Uuid node, Key key, AssociatedFile file, Set<Uuid> locations) throws IOException {
        return !wanting(List.of(node), key, file, locations).isEmpty();
    }

    @Override
    public List<Uuid> wanting(List<Uuid> nodes, Key key, AssociatedFile file, Set<Uuid> locations) throws IOException {
        Map<String, String> expressions = oldStyleLog(branch.read("preferred-content.log").orElse(""));
        Map<String, Set<Uuid>> groups = null;
        List<Uuid> out = new ArrayList<>();
        for (Uuid node : nodes) {
            String text = expressions.get(node.value());
            if (text == null || text.isBlank()) {
                out.add(node);
                continue;
            }
            PreferredContent expr;
            try {
                expr = PreferredContent.parse(text);
            } catch (IllegalArgumentException e) {
                // An expression we cannot evaluate must not starve the node: treat it as wanting.
                LOG.warn("node {}: {}; treating it as wanting everything", node, e.getMessage());
                out.add(node);
                continue;
            }
            if (groups == null) {
                groups = groups();
            }
            if (expr.matches(new PreferredContent.Facts(node, key.size(), file.path(), locations, groups))) {
                out.add(node);
            }
        }
        return out;
    }

    private Map<String, Set<Uuid>> groups() throws IOException {
        Map<String, Set<Uuid>> groups = new HashMap<>();
        oldStyleLog(branch.read("group.log").orElse("")).forEach((uuid, names) -> {
            for (String g : names.trim().split("\\s+")) {
                if (!g.isEmpty()) {
                    groups.computeIfAbsent(g, x -> new LinkedHashSet<>()).add(new Uuid(uuid));
                }
            }
        });
        return groups;
    }


    /**
     * git-annex's old uuid-based log format ({@code Logs/UUIDBased.hs}), lines
     * {@code UUID VALUE timestamp=SECONDSs}, the newest per uuid.
     */
    static Map<String, String> oldStyleLog(String log) {
        Map<String, String> value = new HashMap<>();
        Map<String, Double> when = new HashMap<>();
        for (String line : log.split("\n")) {
            String[] w = line.trim().split(" ", 2);
            if (w.length == 0 || w[0].isEmpty()) {
                continue;
            }
            String rest = w.length > 1 ? w[1] : "";
            double t = 0;
            int ts = rest.lastIndexOf("timestamp=");
            if (ts >= 0) {
                String stamp = rest.substring(ts + "timestamp=".length()).trim();
                try {
                    t = Double.parseDouble(stamp.endsWith("s") ? stamp.substring(0, stamp.length() - 1) : stamp);
                } catch (NumberFormatException ignored) {
                    // an unreadable stamp is oldest
                }
                rest = rest.substring(0, ts).trim();
            }
            if (!when.containsKey(w[0]) || t >= when.get(w[0])) {
                when.put(w[0], t);
                value.put(w[0], rest);
            }
        }
        return value;
    }
}
