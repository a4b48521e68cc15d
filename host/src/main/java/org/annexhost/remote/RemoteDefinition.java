package org.annexhost.remote;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.remote.git.OnwardProxies;

/**
 * A remote configured on the host, one of three kinds: a {@link Special} remote that a plugin
 * opens, a {@link Git} remote (another git-annex repository), or an {@link Onward} remote that a
 * gateway behind this host proxies. Each carries what its kind has and nothing else.
 */
public sealed interface RemoteDefinition permits RemoteDefinition.Special, RemoteDefinition.Git, RemoteDefinition.Onward {
    /** The type git-annex gives remotes that are other git-annex repositories. */
    String GIT_TYPE = "git";

    /** @return the remote's name, a legal git remote name */
    String name();

    /** @return its uuid */
    Uuid uuid();

    /** @return its type as git-annex names it, e.g. {@code directory}, {@code git} */
    String type();

    /** @return whether clients see it as {@code GATEWAY-NAME} */
    boolean proxied();

    /**
     * @return the git-annex repository this remote is reached as, over git-annex-shell or its annex
     *     HTTP API: a git remote itself, an onward remote by its own uuid through its gateway;
     *     none for a special remote
     */
    Optional<Git> reachedAs();

    /**
     * A special remote: a type a plugin provides, configured as git-annex records it.
     *
     * @param params its configuration, {@code name} and {@code type} included, as in remote.log
     *     (secrets excluded) plus the settings git-annex keeps in git config
     */
    record Special(String name, Uuid uuid, String type, Map<String, String> params, boolean proxied)
            implements RemoteDefinition {
        /** Copies the parameters. */
        public Special {
            params = Map.copyOf(params);
        }

        @Override
        public Optional<Git> reachedAs() {
            return Optional.empty();
        }
    }

    /**
     * Another git-annex repository, recorded as git-annex records git remotes (git config only).
     *
     * @param url its git url: ssh, a path, http(s), or {@code annex+http(s)}
     * @param annexUrl its annex HTTP API, when it is reached over HTTP rather than git-annex-shell
     * @param proxiesThere what it proxies itself, when it is a gateway (learnt from its branch)
     */
    record Git(String name, Uuid uuid, String url, Optional<String> annexUrl, boolean proxied,
               List<OnwardProxies.Entry> proxiesThere) implements RemoteDefinition {
        /** Copies the list. */
        public Git {
            proxiesThere = List.copyOf(proxiesThere);
        }

        @Override
        public String type() {
            return GIT_TYPE;
        }

        /** @return true if reached through its annex HTTP API, false through git-annex-shell */
        public boolean overHttp() {
            return annexUrl.isPresent();
        }

        @Override
        public Optional<Git> reachedAs() {
            return Optional.of(this);
        }
    }

    /**
     * A remote that a gateway behind this host proxies, named {@code GATEWAY-NAME} and reached
     * through that gateway by its own uuid.
     *
     * @param gateway the git remote it is reached through
     */
    record Onward(String name, Uuid uuid, Git gateway) implements RemoteDefinition {
        @Override
        public String type() {
            return GIT_TYPE;
        }

        @Override
        public boolean proxied() {
            return gateway.proxied();
        }

        @Override
        public Optional<Git> reachedAs() {
            return Optional.of(new Git(name, uuid, gateway.url(), gateway.annexUrl(), gateway.proxied(), List.of()));
        }
    }
}
