package org.annexhost.remote;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.BackendException;
import org.annexhost.api.ConfigParameter;
import org.annexhost.api.StorageBackendFactory;
import org.annexhost.api.Uuid;
import org.annexhost.plugin.BackendTypeRegistry;
import org.annexhost.remote.chunk.ChunkConfig;
import org.annexhost.repo.GitConfig;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.branch.ProxyLog;
import org.annexhost.repo.branch.RemoteLog;

/**
 * The special remotes configured on the host, as git-annex keeps them: the configuration in the
 * branch's {@code remote.log}, and the local choice to use a remote in git config
 * ({@code remote.NAME.annex-uuid}). Only remotes in git config are served: what clients push into
 * the branch can never make the host serve something new. Secrets go to private files, never to
 * the branch. Publishing ({@code remote.NAME.annex-proxy}) rewrites the branch's proxy.log.
 *
 * <p>Not thread-safe; used by one command at a time.
 */
public final class ConfiguredRemotes {
    private final HostRepository repo;
    private final BackendTypeRegistry types;
    private final Clock clock;
    private final GitRemotes git;
    private final java.util.function.Function<String, org.annexhost.api.BackendEvents> backendEvents;

    /**
     * @param repo the host repository
     * @param types the remote types this host can open
     * @param clock for log timestamps
     */
    public ConfiguredRemotes(HostRepository repo, BackendTypeRegistry types, Clock clock) {
        this(repo, types, clock, name -> org.annexhost.api.BackendEvents.NONE);
    }

    /**
     * @param backendEvents what each remote's backend, by the remote's name, tells of its helper processes
     */
    public ConfiguredRemotes(HostRepository repo, BackendTypeRegistry types, Clock clock,
                             java.util.function.Function<String, org.annexhost.api.BackendEvents> backendEvents) {
        this.repo = repo;
        this.types = types;
        this.clock = clock;
        this.backendEvents = backendEvents;
        this.git = new GitRemotes(repo);
    }

    /** @return the git remotes among them: probing, their peers, what they proxy onward */
    public GitRemotes git() {
        return git;
    }

    /** @return every remote the host uses, in name order */
    public List<RemoteDefinition> list() throws IOException {
        Map<String, Map<String, String>> log = RemoteLog.parse(repo.branch().read("remote.log").orElse(""));
        List<RemoteDefinition> out = new ArrayList<>();
        List<String> gitRemotes = new ArrayList<>();
        for (GitConfig.Entry setting : repo.git().config().matching("^remote\\..*\\.annex-uuid$")) {
            String[] kv = {setting.key(), setting.value()};
            if (kv[1].isBlank()) {
                continue;
            }
            String name = kv[0].substring("remote.".length(), kv[0].length() - ".annex-uuid".length());
            Map<String, String> params = log.get(kv[1].trim());
            if (params == null) {
                gitRemotes.add(name);
                continue;
            }
            boolean proxied = "true".equals(gitConfig("remote." + name + ".annex-proxy").orElse("false"));
            Map<String, String> all = new TreeMap<>(localSettings(name));
            all.putAll(params);
            out.add(new RemoteDefinition.Special(name, new Uuid(kv[1].trim()), all.getOrDefault("type", ""), all, proxied));
        }
        for (String name : gitRemotes) {
            git.read(name).ifPresent(out::add);
        }
        addOnward(out);
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /**
     * Adds the remotes that other gateways behind this one proxy, named {@code GATEWAY-NAME} and
     * reached through that gateway. Anything this host reaches directly, and this host itself,
     * is left out: that is how a cycle of gateways proxying each other ends.
     */
    private void addOnward(List<RemoteDefinition> out) throws IOException {
        Set<Uuid> direct = new HashSet<>();
        direct.add(repo.uuid());
        out.forEach(r -> direct.add(r.uuid()));
        ClusterConfig.list(repo.git()).forEach(c -> direct.add(c.uuid()));
        out.addAll(git.onward(out, direct));
    }

    /**
     * The nodes of a cluster that other gateways of it serve: remotes proxied onward through a
     * remote whose {@code annex-cluster-gateway} names the cluster, and which that gateway's
     * cluster log lists as nodes of it (git-annex's "remote proxied nodes" of
     * {@code Command/UpdateProxy.hs}). Each is addressed by its own uuid, so the other gateway
     * serves that node alone and never fans out again; what the other gateway reaches through
     * this host, this host reaches directly ({@link #addOnward}), which ends a cycle.
     */
    public List<RemoteDefinition> clusterNodesViaGateways(ClusterConfig.Definition cluster) throws IOException {
        List<RemoteDefinition> out = new ArrayList<>();
        List<RemoteDefinition> all = list();
        for (String gateway : cluster.gateways()) {
            Set<Uuid> theirs = ClusterConfig.nodesLoggedBy(repo.git(), gateway, cluster.uuid());
            for (RemoteDefinition r : all) {
                if (r instanceof RemoteDefinition.Onward o && o.gateway().name().equals(gateway) && theirs.contains(r.uuid())
                        && !r.uuid().equals(cluster.uuid())) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /**
     * Settings git-annex keeps in git config rather than in remote.log, such as a directory
     * remote's {@code remote.NAME.annex-directory}.
     */
    private Map<String, String> localSettings(String name) throws IOException {
        Map<String, String> out = new TreeMap<>();
        String prefix = "remote." + name + ".annex-";
        String regex = "^" + prefix.replace(".", "\\.");
        for (GitConfig.Entry setting : repo.git().config().matching(regex)) {
            String[] kv = {setting.key(), setting.value()};
            if (kv[0].startsWith(prefix)) {
                String k = kv[0].substring(prefix.length());
                if (!Set.of("uuid", "proxy", "ignore", "cost", "readonly", "sync", "cluster-node", "cluster-gateway").contains(k)) {
                    out.put(k, kv[1].trim());
                }
            }
        }
        return out;
    }

    /** @return the remote with this name */
    public Optional<RemoteDefinition> byName(String name) throws IOException {
        return list().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** @return the remote with this uuid */
    public Optional<RemoteDefinition> byUuid(Uuid uuid) throws IOException {
        return list().stream().filter(r -> r.uuid().equals(uuid)).findFirst();
    }

    /**
     * Creates a special remote with a new uuid, as {@code git annex initremote} does, and
     * publishes it through the gateway.
     *
     * @throws BackendException for an unknown type, a missing required parameter, a taken name, or
     *     the backend's own refusal
     */
    public RemoteDefinition initRemote(String name, Map<String, String> given) throws IOException, BackendException {
        requireLegalName(name);
        if (byName(name).isPresent() || gitConfig("remote." + name + ".url").isPresent()) {
            throw new BackendException("there is already a remote named " + name);
        }
        if (RemoteDefinition.GIT_TYPE.equals(given.get("type"))) {
            git.add(name, given);
            publish();
            return byName(name).orElseThrow();
        }
        return configure(name, Uuid.random(), given);
    }

    /** Changes an existing remote's configuration, as {@code git annex enableremote} does. */
    public RemoteDefinition enableRemote(String name, Map<String, String> changes) throws IOException, BackendException {
        RemoteDefinition old = byName(name).orElseThrow(() -> new BackendException("there is no remote named " + name));
        if (!(old instanceof RemoteDefinition.Special special)) {
            if (!changes.isEmpty() || !(old instanceof RemoteDefinition.Git g)) {
                throw new BackendException("remote " + name + " is a git remote: change its url with git config remote."
                        + name + ".url; enableremote without parameters re-reads what it proxies");
            }
            git.refreshOnward(g);
            publish();
            return byName(name).orElseThrow();
        }
        Map<String, String> merged = new HashMap<>(special.params());
        merged.putAll(changes);
        merged.remove("name");
        return configure(name, old.uuid(), merged);
    }

    private RemoteDefinition configure(String name, Uuid uuid, Map<String, String> given)
            throws IOException, BackendException {
        String type = Optional.ofNullable(given.get("type"))
                .orElseThrow(() -> new BackendException("specify the remote's type=; known types: " + String.join(", ", types.names())));
        StorageBackendFactory factory = types.factory(type).orElseThrow(() -> new BackendException(
                "unknown remote type " + type + "; known types: " + String.join(", ", types.names())));
        Set<String> secrets = factory.parameters().stream().filter(ConfigParameter::secret)
                .map(ConfigParameter::name).collect(Collectors.toSet());
        for (ConfigParameter p : factory.parameters()) {
            if (p.required() && (!given.containsKey(p.name()) || given.get(p.name()).isEmpty())) {
                throw new BackendException("remote type " + type + " needs " + p.name() + "= (" + p.description() + ")");
            }
        }
        Map<String, String> params = new TreeMap<>(given);
        params.put("name", name);
        ChunkConfig.of(new BackendConfig(name, params, secrets)); // refuses a bad chunk= before anything is recorded
        BackendContext context = context(name, uuid, new BackendConfig(name, params, secrets));
        BackendConfig initialized = factory.initialize(new BackendConfig(name, params, secrets), context);
        Map<String, String> recorded = new TreeMap<>();
        initialized.values().forEach((k, v) -> {
            if (secrets.contains(k)) {
                context.setCredential(k, v);
            } else {
                recorded.put(k, v);
            }
        });
        repo.branch().changeAndCommit(Map.of("remote.log", log -> RemoteLog.update(log, uuid.value(), recorded, clock.instant())),
                "update");
        repo.git().run("config", "remote." + name + ".annex-uuid", uuid.value());
        if (gitConfig("remote." + name + ".annex-proxy").isEmpty()) {
            repo.git().run("config", "remote." + name + ".annex-proxy", "true");
        }
        publish();
        return byName(name).orElseThrow();
    }

    /** Shows or hides a remote from clients, then republishes the proxy log. */
    public void setProxied(String name, boolean proxied) throws IOException, BackendException {
        byName(name).orElseThrow(() -> new BackendException("there is no remote named " + name));
        repo.git().run("config", "remote." + name + ".annex-proxy", Boolean.toString(proxied));
        publish();
    }

    /** Writes the proxy log from the remotes that are proxied. */
    public void publish() throws IOException {
        List<Map.Entry<String, String>> proxied = new ArrayList<>();
        for (RemoteDefinition r : list()) {
            if (published(r)) {
                proxied.add(Map.entry(r.uuid().value(), r.name()));
            }
        }
        for (ClusterConfig.Definition c : ClusterConfig.list(repo.git())) {
            proxied.add(Map.entry(c.uuid().value(), c.name()));
        }
        repo.branch().changeAndCommit(Map.of("proxy.log",
                log -> ProxyLog.update(log, repo.uuid().value(), proxied, clock.instant())), "update");
    }

    /**
     * @return whether clients may reach the remote through the gateway: proxied, or a node of a
     *     cluster (git-annex proxies cluster nodes whatever their proxy setting)
     */
    public boolean published(RemoteDefinition r) throws IOException {
        return r.proxied() || gitConfig("remote." + r.name() + ".annex-cluster-node").filter(v -> !v.isBlank()).isPresent();
    }

    /** @return the configuration a backend of this remote gets, secrets restored from private files */
    public BackendConfig backendConfig(RemoteDefinition.Special r) {
        StorageBackendFactory factory = types.factory(r.type()).orElse(null);
        Set<String> secrets = factory == null ? Set.of() : factory.parameters().stream()
                .filter(ConfigParameter::secret).map(ConfigParameter::name).collect(Collectors.toSet());
        Map<String, String> values = new HashMap<>(r.params());
        BackendContext ctx = context(r.name(), r.uuid(), new BackendConfig(r.name(), r.params(), secrets));
        for (String s : secrets) {
            ctx.credential(s).ifPresent(v -> values.put(s, v));
        }
        return new BackendConfig(r.name(), values, secrets);
    }

    /** @return the context a backend of this remote gets */
    public BackendContext context(String name, Uuid uuid, BackendConfig config) {
        return new RemoteContext(uuid, config, repo.hostDir().resolve("remotes").resolve(uuid.value()), repo,
                backendEvents.apply(name));
    }

    private Optional<String> gitConfig(String key) throws IOException {
        return repo.git().config().get(key).map(String::strip);
    }

    /** git's rules for a remote name, which git-annex also applies to proxied names. */
    static void requireLegalName(String name) throws BackendException {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || name.contains("..") || name.endsWith(".lock")) {
            throw new BackendException("not a legal remote name: \"" + name + "\" (letters, digits, . _ - only)");
        }
    }
}
