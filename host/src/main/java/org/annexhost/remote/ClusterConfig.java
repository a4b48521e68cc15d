package org.annexhost.remote;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.annexhost.api.Uuid;
import org.annexhost.repo.Git;
import org.annexhost.repo.GitConfig;
import org.annexhost.repo.branch.ClusterLog;

/**
 * Clusters as the gateway's git config records them, in git-annex's own settings:
 * {@code annex.cluster.NAME = CLUSTERUUID}, {@code remote.NODE.annex-cluster-node = NAME ...}
 * and, for other gateways of the same cluster, {@code remote.GATEWAY.annex-cluster-gateway =
 * CLUSTERUUID}. Stateless.
 */
public final class ClusterConfig {
    /**
     * One cluster.
     *
     * @param name its name (clients see GATEWAY-NAME)
     * @param uuid its uuid, of git-annex's cluster form
     * @param nodes the names of the gateway's remotes that are its nodes
     * @param gateways the names of remotes that are other gateways of it
     */
    public record Definition(String name, Uuid uuid, List<String> nodes, List<String> gateways) {
    }

    private ClusterConfig() {
    }

    /** @return true for a uuid of git-annex's cluster form ({@code Types/Cluster.hs}) */
    public static boolean isClusterUuid(Uuid uuid) {
        String v = uuid.value();
        return v.startsWith("ac") && v.length() > 14 && v.charAt(14) == '8';
    }

    /** @return a new cluster uuid, made from a random uuid as git-annex's {@code genClusterUUID} does */
    public static Uuid newClusterUuid() {
        String u = Uuid.random().value();
        return new Uuid("ac" + u.substring(2, 14) + "8" + u.substring(15));
    }

    /** @return every cluster configured on the gateway, in name order */
    public static List<Definition> list(Git git) throws IOException {
        Map<String, Uuid> clusters = new LinkedHashMap<>();
        for (String[] kv : regexp(git, "^annex\\.cluster\\.")) {
            clusters.put(kv[0].substring("annex.cluster.".length()), new Uuid(kv[1]));
        }
        Map<String, List<String>> nodes = new LinkedHashMap<>();
        for (String[] kv : regexp(git, "^remote\\..*\\.annex-cluster-node$")) {
            String remote = kv[0].substring("remote.".length(), kv[0].length() - ".annex-cluster-node".length());
            for (String cluster : kv[1].trim().split("\\s+")) {
                nodes.computeIfAbsent(cluster, c -> new ArrayList<>()).add(remote);
            }
        }
        Map<String, List<String>> gateways = new LinkedHashMap<>();
        for (String[] kv : regexp(git, "^remote\\..*\\.annex-cluster-gateway$")) {
            String remote = kv[0].substring("remote.".length(), kv[0].length() - ".annex-cluster-gateway".length());
            for (String cu : kv[1].trim().split("\\s+")) {
                gateways.computeIfAbsent(cu, c -> new ArrayList<>()).add(remote);
            }
        }
        List<Definition> out = new ArrayList<>();
        clusters.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out.add(new Definition(
                e.getKey(), e.getValue(), nodes.getOrDefault(e.getKey(), List.of()),
                gateways.getOrDefault(e.getValue().value(), List.of()))));
        return out;
    }

    /** @return the cluster with this uuid */
    public static Optional<Definition> byUuid(Git git, Uuid uuid) throws IOException {
        if (!isClusterUuid(uuid)) {
            return Optional.empty();
        }
        return list(git).stream().filter(d -> d.uuid().equals(uuid)).findFirst();
    }

    /** @return the cluster with this name */
    public static Optional<Definition> byName(Git git, String name) throws IOException {
        return list(git).stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /**
     * The nodes another gateway of a cluster records for it, in its own {@code cluster.log} as
     * last fetched from it (into {@code refs/annexhost/gateways/REMOTE}, with what it proxies).
     * git-annex's {@code findRemoteProxiedClusterNodes} uses the merged log the same way: a node
     * proxied by another gateway counts when that log lists it as a node of the cluster.
     *
     * @param git the gateway repository
     * @param gatewayRemote the other gateway's remote name here
     * @param cluster the cluster's uuid
     * @return the node uuids; empty if nothing was fetched from it
     */
    public static Set<Uuid> nodesLoggedBy(Git git, String gatewayRemote, Uuid cluster) throws IOException {
        String file = "refs/annexhost/gateways/" + gatewayRemote + ":cluster.log";
        Set<Uuid> out = new LinkedHashSet<>();
        if (!git.succeeds("cat-file", "-e", file)) {
            return out;
        }
        for (String u : ClusterLog.clusters(git.run("show", file)).getOrDefault(cluster.value(), List.of())) {
            try {
                out.add(new Uuid(u));
            } catch (IllegalArgumentException e) {
                // not a uuid: nothing to route to
            }
        }
        return out;
    }

    private static List<String[]> regexp(Git git, String regex) throws IOException {
        List<String[]> out = new ArrayList<>();
        for (GitConfig.Entry e : git.config().matching(regex)) {
            if (!e.value().isEmpty()) {
                out.add(new String[] {e.key(), e.value().trim()});
            }
        }
        return out;
    }
}
