package org.annexhost.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.annexhost.api.BackendException;
import org.annexhost.api.Uuid;
import org.annexhost.remote.git.AnnexHttpUrl;
import org.annexhost.remote.git.GitPeer;
import org.annexhost.remote.git.GitUrl;
import org.annexhost.remote.git.HttpRepositoryConfig;
import org.annexhost.remote.git.OnwardProxies;
import org.annexhost.remote.git.P2pHttpBackend;
import org.annexhost.repo.HostRepository;

/**
 * The host's git remotes: other git-annex repositories, as git-annex records them (git config
 * only: {@code remote.NAME.url}, {@code annex-uuid}, {@code annexurl}). Here they are probed over
 * the three kinds of url (ssh or a path through git-annex-shell p2pstdio, an http(s) repository
 * that serves {@code annex.url}, an {@code annex+http} url), read back as definitions, and, for a
 * remote that is itself a gateway, what it proxies is learnt so this host proxies it onward.
 *
 * <p>Not thread-safe; used by one command at a time.
 */
public final class GitRemotes {
    /** The type of remotes that are other git-annex repositories, reached over p2pstdio or HTTP. */
    public static final String TYPE = "git";
    /** A git remote's annex API, when it is reached over HTTP. */
    public static final String ANNEX_URL = "annexurl";
    /** A git remote's parameter: what it proxies itself, {@code UUID:NAME ...}. */
    static final String PROXIED_THERE = "proxied-there";
    /** An onward remote's parameter: the gateway behind this host it is reached through. */
    public static final String VIA = "via";

    private final HostRepository repo;

    GitRemotes(HostRepository repo) {
        this.repo = repo;
    }

    /** @return true for a git remote reached through its annex HTTP API rather than git-annex-shell */
    public static boolean overHttp(RemoteDefinition r) {
        return r.type().equals(TYPE) && r.params().containsKey(ANNEX_URL);
    }

    /** @return true for a git remote reached through git-annex-shell: a peer of its own */
    public static boolean overShell(RemoteDefinition r) {
        return r.type().equals(TYPE) && !r.params().containsKey(ANNEX_URL);
    }

    /** @return the git remote of this name, from git config, if it is one */
    Optional<RemoteDefinition> read(String name) throws IOException {
        Optional<String> url = gitConfig("remote." + name + ".url");
        Optional<String> uuid = gitConfig("remote." + name + ".annex-uuid");
        if (url.isEmpty() || uuid.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> params = new TreeMap<>(Map.of("type", TYPE, "name", name, "url", url.get()));
        gitConfig("remote." + name + ".annexurl").ifPresent(u -> params.put(ANNEX_URL, u));
        if (url.get().startsWith("annex+http")) {
            params.put(ANNEX_URL, url.get());
        }
        gitConfig("remote." + name + ".annexhost-proxied").ifPresent(p -> params.put(PROXIED_THERE, p));
        boolean proxied = "true".equals(gitConfig("remote." + name + ".annex-proxy").orElse("false"));
        return Optional.of(new RemoteDefinition(name, new Uuid(uuid.get()), TYPE, params, proxied));
    }

    /**
     * The remotes that the gateways among {@code remotes} proxy, named {@code GATEWAY-NAME} and
     * reached through that gateway. Anything in {@code direct} (what this host reaches directly,
     * and itself) is left out: that is how a cycle of gateways proxying each other ends.
     */
    List<RemoteDefinition> onward(List<RemoteDefinition> remotes, Set<Uuid> direct) {
        List<RemoteDefinition> onward = new ArrayList<>();
        for (RemoteDefinition gateway : remotes) {
            String there = gateway.params().get(PROXIED_THERE);
            if (there == null) {
                continue;
            }
            for (OnwardProxies.Entry e : OnwardProxies.entries(there)) {
                if (direct.add(e.uuid())) {
                    Map<String, String> params = new TreeMap<>(gateway.params());
                    params.remove(PROXIED_THERE);
                    params.put("name", gateway.name() + "-" + e.name());
                    params.put(VIA, gateway.name());
                    onward.add(new RemoteDefinition(gateway.name() + "-" + e.name(), e.uuid(), TYPE, params, gateway.proxied()));
                }
            }
        }
        return onward;
    }

    /**
     * Adds a git-annex repository elsewhere: its uuid is asked of it, then it is recorded as
     * git-annex records git remotes, in git config only, proxied unless git config says
     * otherwise, and what it proxies itself is learnt.
     */
    void add(String name, Map<String, String> given) throws IOException, BackendException {
        String url = Optional.ofNullable(given.get("url")).filter(u -> !u.isBlank())
                .orElseThrow(() -> new BackendException("remote type git needs url= (ssh://host/path, host:path, a local path,"
                        + " an http(s) url of a repository that serves annex.url, or an annex+http(s) url with uuid=)"));
        Uuid uuid;
        Optional<String> annexUrl = Optional.empty();
        if (url.startsWith("annex+http")) {
            String u = Optional.ofNullable(given.get("uuid")).orElseThrow(() -> new BackendException(
                    "remote " + name + ": an annex+http url serves many repositories; say which with uuid="));
            try {
                uuid = new Uuid(u);
                new P2pHttpBackend(AnnexHttpUrl.parse(url), uuid, repo.uuid()).probe();
            } catch (IllegalArgumentException e) {
                throw new BackendException("remote " + name + ": " + e.getMessage());
            }
        } else if (url.startsWith("http://") || url.startsWith("https://")) {
            HttpRepositoryConfig served = HttpRepositoryConfig.fetch(url);
            uuid = served.uuid();
            annexUrl = Optional.of(served.annexUrl());
            new P2pHttpBackend(AnnexHttpUrl.parse(served.annexUrl()), uuid, repo.uuid()).probe();
        } else {
            GitUrl parsed;
            try {
                parsed = GitUrl.parse(url);
            } catch (IllegalArgumentException e) {
                throw new BackendException("remote " + name + ": " + e.getMessage());
            }
            uuid = GitPeer.probe(parsed, name, repo.uuid(), errorLog());
        }
        if (uuid.equals(repo.uuid())) {
            throw new BackendException("remote " + name + " at " + url + " is this repository itself");
        }
        repo.git().run("config", "remote." + name + ".url", url);
        repo.git().run("config", "remote." + name + ".annex-uuid", uuid.value());
        if (annexUrl.isPresent()) {
            repo.git().run("config", "remote." + name + ".annexurl", annexUrl.get());
        }
        if (gitConfig("remote." + name + ".annex-proxy").isEmpty()) {
            repo.git().run("config", "remote." + name + ".annex-proxy", "true");
        }
        refreshOnward(read(name).orElseThrow());
    }

    /**
     * Learns what a git remote that is itself a gateway proxies, from its git-annex branch, so
     * this host proxies those remotes onward. A remote that proxies this host back is a cycle:
     * those entries are dropped here, with a warning.
     */
    public void refreshOnward(RemoteDefinition r) throws IOException {
        String url = r.params().get("url");
        if (url.startsWith("annex+http")) {
            return; // only the annex API there: no git branch to read
        }
        List<OnwardProxies.Entry> there;
        try {
            there = OnwardProxies.fetch(repo.git(), r.name(), url, r.uuid());
        } catch (IOException e) {
            System.err.println("annexhost: cannot read what " + r.name() + " proxies (" + e.getMessage().strip()
                    + "); proxying it alone");
            return;
        }
        List<String> kept = new ArrayList<>();
        for (OnwardProxies.Entry e : there) {
            if (e.uuid().equals(repo.uuid())) {
                System.err.println("annexhost: " + r.name() + " proxies this repository back (as " + e.name()
                        + "): a cycle; not proxying through it what it reaches through us");
                continue;
            }
            kept.add(e.toString());
        }
        if (kept.isEmpty()) {
            repo.git().succeeds("config", "--unset", "remote." + r.name() + ".annexhost-proxied");
        } else {
            repo.git().run("config", "remote." + r.name() + ".annexhost-proxied", String.join(" ", kept));
        }
    }

    /** @return the peer of a git remote reached through git-annex-shell */
    public GitPeer peer(RemoteDefinition r) throws IOException {
        return new GitPeer(r.name(), r.uuid(), GitUrl.parse(r.params().get("url")), repo.uuid(), errorLog());
    }

    /** @return where git remotes' git-annex-shell processes write their stderr */
    Path errorLog() throws IOException {
        Path log = repo.hostDir().resolve("logs").resolve("git-remotes.log");
        Files.createDirectories(log.getParent());
        return log;
    }

    private Optional<String> gitConfig(String key) throws IOException {
        return repo.git().config().get(key).map(String::strip);
    }
}
