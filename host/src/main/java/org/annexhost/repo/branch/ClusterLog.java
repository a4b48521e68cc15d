package org.annexhost.repo.branch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * git-annex's {@code cluster.log} ({@code Logs/Cluster.hs}): one line per cluster,
 * {@code TIMESTAMPs CLUSTERUUID NODEUUID NODEUUID ...}, the newest line per cluster counting. A
 * client that sees the cluster in a gateway's proxy log learns its nodes here. Stateless.
 */
public final class ClusterLog {
    private ClusterLog() {
    }

    /** @return each cluster uuid with its nodes, from the newest line per cluster */
    public static Map<String, List<String>> clusters(String log) {
        Map<String, String[]> newest = new LinkedHashMap<>();
        for (String line : log.split("\n")) {
            String[] w = line.trim().split(" +");
            if (w.length < 2) {
                continue;
            }
            String[] old = newest.get(w[1]);
            if (old == null || seconds(w[0]) >= seconds(old[0])) {
                newest.put(w[1], w);
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        newest.forEach((cluster, w) -> out.put(cluster, new ArrayList<>(Arrays.asList(w).subList(2, w.length))));
        return out;
    }

    /** @return the log with the cluster's nodes set, as of a time */
    public static String update(String log, String cluster, List<String> nodes, Instant now) {
        StringBuilder b = new StringBuilder();
        for (String line : log.split("\n")) {
            String[] w = line.trim().split(" +");
            if (!line.isBlank() && !(w.length >= 2 && w[1].equals(cluster))) {
                b.append(line).append('\n');
            }
        }
        b.append(PresenceLog.timestamp(now)).append(' ').append(cluster);
        for (String n : nodes) {
            b.append(' ').append(n);
        }
        return b.append('\n').toString();
    }

    private static double seconds(String stamp) {
        try {
            return Double.parseDouble(stamp.endsWith("s") ? stamp.substring(0, stamp.length() - 1) : stamp);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
