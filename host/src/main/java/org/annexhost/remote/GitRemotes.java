package org.annexhost.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private final HostRepository repo;

    GitRemotes(HostRepository repo) {
        this.repo = repo;
    }

    /** @return the git remote of this name, from git config, if it is one */
    Optional<RemoteDefinition.Git> read(String name) throws IOException {
        Optional<String> url = gitConfig("remote." + name + ".url");
        Optional<String> uuid = gitConfig("remote." + name + ".annex-uuid");
        if (url.isEmpty() || uuid.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> annexUrl = url.get().startsWith("annex+http") ? url : gitConfig("remote." + name + ".annexurl");
        List<OnwardProxies.Entry> there = gitConfig("remote." + name + ".annexhost-proxied").map(OnwardProxies::entries)
                .orElse(List.of());
        boolean proxied = "true".equals(gitConfig("remote." + name + ".annex-proxy").orElse("false"));
        return Optional.of(new RemoteDefinition.Git(name, new Uuid(uuid.get()), url.get(), annexUrl, proxied, there));
    }

    /**
     * The remotes that the gateways among {@code remotes} proxy, named {@code GATEWAY-NAME} and
     * reached through that gateway. Anything in {@code direct} (what this host reaches directly,
     * and itself) is left out: that is how a cycle of gateways proxying each other ends.
     */
    List<RemoteDefinition> onward(List<RemoteDefinition> remotes, Set<Uuid> direct) {
        List<RemoteDefinition> onward = new ArrayList<>();
        for (RemoteDefinition r : remotes) {
            if (r instanceof RemoteDefinition.Git gateway) {
                for (OnwardProxies.Entry e : gateway.proxiesThere()) {
                    if (direct.add(e.uuid())) {
                        onward.add(new RemoteDefinition.Onward(gateway.name() + "-" + e.name(), e.uuid(), gateway));
                    }
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
    public void refreshOnward(RemoteDefinition.Git r) throws IOException {
        String url = r.url();
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
    public GitPeer peer(RemoteDefinition.Git r) throws IOException {
        return new GitPeer(r.name(), r.uuid(), GitUrl.parse(r.url()), repo.uuid(), errorLog());
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
