package org.annexhost.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.annexhost.external.ExternalBackendFactory;
import org.annexhost.peer.PeerThreads;
import org.annexhost.plugin.BackendTypeRegistry;
import org.annexhost.plugin.PluginHost;
import org.annexhost.remote.ConfiguredRemotes;
import org.annexhost.remote.ServedRemotes;
import org.annexhost.repo.HostRepository;
import org.annexhost.time.MonotonicClock;

/**
 * The pieces every command needs around one repository: plugins loaded, remote types known,
 * remotes configured and served. Plugin folders: the repository's {@code annex/annexhost/plugins},
 * then each folder in {@code ANNEXHOST_PLUGINS} (colon-separated), then the plugins shipped with
 * annexhost ({@code ANNEXHOST_SHIPPED_PLUGINS}, set by the launcher).
 *
 * <p>One per command invocation; closes what it opened.
 */
final class HostSetup implements AutoCloseable {
    final HostRepository repo;
    final PluginHost plugins;
    final BackendTypeRegistry types;
    final ConfiguredRemotes remotes;
    final ServedRemotes served;
    private final PeerThreads nodeThreads = new PeerThreads("cluster-node", 256);
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "backend-call");
        t.setDaemon(true);
        return t;
    });

    /**
     * Who is told what the repository's remotes do, for an operator: nobody, for a command that
     * runs once; the host's metrics and status for {@code serve}.
     *
     * @param nodes how each cluster node did its part of each request
     * @param backends what each remote's backend (by the remote's name) tells of its helper processes
     */
    record Observers(org.annexhost.proxy.NodeEvents nodes,
                     java.util.function.Function<String, org.annexhost.api.BackendEvents> backends) {
        static final Observers NONE = new Observers(org.annexhost.proxy.NodeEvents.NONE,
                name -> org.annexhost.api.BackendEvents.NONE);
    }

    HostSetup(HostRepository repo) {
        this(repo, Observers.NONE);
    }

    HostSetup(HostRepository repo, Observers observers) {
        this.repo = repo;
        this.plugins = new PluginHost(pluginFolders(repo));
        this.types = plugins.start(List.of(new ExternalBackendFactory()));
        this.remotes = new ConfiguredRemotes(repo, types, Clock.systemUTC(), observers.backends());
        this.served = new ServedRemotes(repo, remotes, types, new ServedRemotes.Resources(Clock.systemUTC(),
                MonotonicClock.system(), nodeThreads, calls, RepositoryOpener.LOCK_RETENTION, observers.nodes()));
    }

    static HostSetup open(Path path) throws IOException {
        return open(path, Observers.NONE);
    }

    /** Opens the repository, telling the observers what its remotes and clusters do. */
    static HostSetup open(Path path, Observers observers) throws IOException {
        HostRepository repo = HostRepository.open(path);
        if (!repo.isAnnex()) {
            throw new IOException("not a git-annex repository: " + path + " (run annexhost init)");
        }
        return new HostSetup(repo, observers);
    }

    static List<Path> pluginFolders(HostRepository repo) {
        List<Path> folders = new ArrayList<>();
        folders.add(repo.hostDir().resolve("plugins"));
        for (String env : new String[] {"ANNEXHOST_PLUGINS", "ANNEXHOST_SHIPPED_PLUGINS"}) {
            String v = System.getenv(env);
            if (v != null) {
                for (String p : v.split(File.pathSeparator)) {
                    if (!p.isBlank()) {
                        folders.add(Path.of(p));
                    }
                }
            }
        }
        return folders;
    }

    /** Commits what the command journalled, then closes what it opened. */
    @Override
    public void close() {
        try {
            repo.branch().commit("update");
        } catch (IOException e) {
            System.err.println("annexhost: the git-annex branch changes of this command stay journalled"
                    + " (committed by the next one): " + e.getMessage());
        } finally {
            served.close();
            nodeThreads.close();
            calls.shutdownNow();
            plugins.close();
        }
    }
}
