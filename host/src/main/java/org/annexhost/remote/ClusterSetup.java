package org.annexhost.remote;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.annexhost.api.BackendException;
import org.annexhost.api.Uuid;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.branch.ClusterLog;

/**
 * Creates and changes clusters the way git-annex's {@code initcluster}, {@code updatecluster} and
 * {@code extendcluster} do, in the same git config settings and branch logs (cluster log, uuid
 * log description, proxy log), so a git-annex client sees {@code GATEWAY-NAME} for the cluster
 * and for each node. Any configured remote can be a node.
 */
public final class ClusterSetup {
    private final HostRepository repo;
    private final ConfiguredRemotes remotes;
    private final Clock clock;

    /**
     * @param repo the gateway repository
     * @param remotes its configured remotes
     * @param clock stamps the logs
     */
    public ClusterSetup(HostRepository repo, ConfiguredRemotes remotes, Clock clock) {
        this.repo = repo;
        this.remotes = remotes;
        this.clock = clock;
    }

    /** Creates a cluster of configured remotes, with a new cluster uuid. */
    public ClusterConfig.Definition init(String name, List<String> nodes) throws IOException, BackendException {
        ConfiguredRemotes.requireLegalName(name);
        if (ClusterConfig.byName(repo.git(), name).isPresent()) {
            throw new BackendException("there is already a cluster named " + name);
        }
        if (remotes.byName(name).isPresent()) {
            throw new BackendException("there is already a remote named " + name + "; a cluster needs a name of its own");
        }
        for (String n : nodes) {
            requireRemote(n);
        }
        Uuid uuid = ClusterConfig.newClusterUuid();
        repo.git().run("config", "annex.cluster." + name, uuid.value());
        repo.branch().changeAndCommit(Map.of("uuid.log", log -> log + uuid.value() + " cluster " + name + " timestamp="
                + clock.instant().getEpochSecond() + "s\n"), "update");
        for (String n : nodes) {
            addNodeSetting(n, name);
        }
        return record(name);
    }

    /** Adds and removes nodes of a cluster. */
    public ClusterConfig.Definition update(String name, List<String> add, List<String> remove) throws IOException, BackendException {
        for (String gateway : requireCluster(name).gateways()) {
            refreshGateway(gateway);
        }
        for (String n : add) {
            requireRemote(n);
            addNodeSetting(n, name);
        }
        for (String n : remove) {
            Set<String> names = nodeSetting(n);
            if (!names.remove(name)) {
                throw new BackendException("remote " + n + " is not a node of cluster " + name);
            }
            setNodeSetting(n, names);
        }
        return record(name);
    }

    /**
     * Records that a remote is another gateway of the cluster, as {@code git annex extendcluster}
     * does. A gateway that does not serve the cluster yet takes its uuid from the other gateway,
     * where it is proxied as {@code GATEWAY-NAME}. What the other gateway proxies and its cluster
     * log are fetched again first, so the nodes it serves become nodes here too.
     */
    public ClusterConfig.Definition extend(String name, String gatewayRemote) throws IOException, BackendException {
        Optional<RemoteDefinition> gateway = remotes.byName(gatewayRemote);
        if (repo.git().config().get("remote." + gatewayRemote + ".annex-uuid").isEmpty() && gateway.isEmpty()) {
            throw new BackendException("there is no remote named " + gatewayRemote);
        }
        refreshGateway(gatewayRemote);
        Optional<ClusterConfig.Definition> mine = ClusterConfig.byName(repo.git(), name);
        Uuid uuid;
        if (mine.isPresent()) {
            uuid = mine.get().uuid();
        } else {
            String proxied = gatewayRemote + "-" + name;
            uuid = remotes.byName(proxied).map(RemoteDefinition::uuid).filter(ClusterConfig::isClusterUuid)
                    .orElseThrow(() -> new BackendException("there is no cluster named " + name + " here, and "
                            + gatewayRemote + " proxies no cluster of that name (expected a remote " + proxied
                            + " with a cluster uuid; run updatecluster there, or enableremote " + gatewayRemote + " here)"));
            repo.git().run("config", "annex.cluster." + name, uuid.value());
            repo.branch().changeAndCommit(Map.of("uuid.log", log -> log.contains(uuid.value() + " ") ? log
                    : log + uuid.value() + " cluster " + name + " timestamp=" + clock.instant().getEpochSecond() + "s\n"),
                    "update");
        }
        repo.git().run("config", "remote." + gatewayRemote + ".annex-cluster-gateway", uuid.value());
        return record(name);
    }

    /** Fetches again what another gateway proxies and its cluster log, if it is a git remote. */
    private void refreshGateway(String gatewayRemote) throws IOException {
        Optional<RemoteDefinition> gateway = remotes.byName(gatewayRemote);
        if (gateway.isPresent() && gateway.get() instanceof RemoteDefinition.Git g) {
            remotes.git().refreshOnward(g);
        }
    }

    private ClusterConfig.Definition requireCluster(String name) throws IOException, BackendException {
        return ClusterConfig.byName(repo.git(), name)
                .orElseThrow(() -> new BackendException("there is no cluster named " + name));
    }

    private void requireRemote(String node) throws IOException, BackendException {
        if (remotes.byName(node).isEmpty()) {
            throw new BackendException("there is no remote named " + node + " to be a cluster node");
        }
    }

    private Set<String> nodeSetting(String node) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (String c : repo.git().config().get("remote." + node + ".annex-cluster-node").orElse("").trim().split("\\s+")) {
            if (!c.isEmpty()) {
                names.add(c);
            }
        }
        return names;
    }

    private void addNodeSetting(String node, String cluster) throws IOException {
        Set<String> names = nodeSetting(node);
        names.add(cluster);
        setNodeSetting(node, names);
    }

    private void setNodeSetting(String node, Set<String> clusters) throws IOException {
        String key = "remote." + node + ".annex-cluster-node";
        if (clusters.isEmpty()) {
            repo.git().succeeds("config", "--unset", key);
        } else {
            repo.git().run("config", key, String.join(" ", clusters));
        }
    }

    /**
     * Writes the cluster's nodes to the cluster log, with the nodes other gateways of it serve
     * (as git-annex's {@code updatecluster} keeps proxied nodes), and republishes the proxy log.
     */
    private ClusterConfig.Definition record(String name) throws IOException, BackendException {
        ClusterConfig.Definition d = requireCluster(name);
        List<String> uuids = new ArrayList<>();
        for (String n : d.nodes()) {
            remotes.byName(n).ifPresent(r -> uuids.add(r.uuid().value()));
        }
        for (RemoteDefinition r : remotes.clusterNodesViaGateways(d)) {
            if (!uuids.contains(r.uuid().value())) {
                uuids.add(r.uuid().value());
            }
        }
        repo.branch().changeAndCommit(Map.of("cluster.log", log -> ClusterLog.update(log, d.uuid().value(), uuids, clock.instant())),
                "update");
        remotes.publish();
        return d;
    }
}
