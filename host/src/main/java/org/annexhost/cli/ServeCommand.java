package org.annexhost.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.annexhost.http.HttpAccess;
import org.annexhost.http.HttpOptions;
import org.annexhost.http.HttpRepository;
import org.annexhost.http.P2pHttpServer;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.peer.PeerThreads;
import org.annexhost.remote.RemoteDefinition;
import org.annexhost.repo.GitServices;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.RepositoryStore;
import org.annexhost.time.MonotonicClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code annexhost serve}: the HTTP server (annex API and git smart HTTP on one port). With no
 * repository given it serves {@code data/default.git}, created on first run, on 127.0.0.1:9417.
 */
@Command(name = "serve", description = {"Serve repositories over HTTP: git at http://HOST:PORT/NAME and the",
        "git-annex API at annex+http://HOST:PORT/git-annex/ (what git annex p2phttp serves)."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--repo", description = "a repository to serve (repeatable); default data/default.git, created if missing")
    private List<Path> repos = new ArrayList<>();

    @Option(names = "--bind", description = "address to listen on (default 127.0.0.1)")
    private String bind = "127.0.0.1";

    @Option(names = "--port", description = "port (default 9417)")
    private int port = HttpOptions.DEFAULT_PORT;

    @Option(names = {"--jobs", "-J"}, description = "requests served at once; more wait in a bounded queue (default 16)")
    private int jobs = 16;

    @Option(names = "--wideopen", description = "anyone may do anything")
    private boolean wideopen;

    @Option(names = "--unauth-readonly", description = "unauthenticated users may read")
    private boolean unauthReadonly;

    @Option(names = "--unauth-appendonly", description = "unauthenticated users may read and store")
    private boolean unauthAppendonly;

    @Option(names = "--authenv", description = "users log in with GIT_ANNEX_P2PHTTP_USERNAME and GIT_ANNEX_P2PHTTP_PASSWORD")
    private boolean authenv;

    @Option(names = "--public-url", description = "the base url clients use, when behind a reverse proxy")
    private String publicUrl;

    @Override
    public Integer call() throws Exception {
        HttpOptions options = new HttpOptions(bind, port, jobs, 60, access(), Optional.ofNullable(publicUrl));
        if (repos.isEmpty()) {
            Path dflt = Path.of("data", "default.git");
            if (!Files.exists(dflt)) {
                HostRepository.init(dflt, Optional.of("annexhost default repository"));
            }
            repos.add(dflt);
        }
        PeerRegistry peers = new PeerRegistry();
        Map<String, HttpRepository> byName = new LinkedHashMap<>();
        List<HostSetup> setups = new ArrayList<>();
        for (Path p : repos) {
            HostSetup setup = HostSetup.open(p);
            setups.add(setup);
            addPeers(setup, peers);
            byName.put(setup.repo.path().getFileName().toString(),
                    new HttpRepository(setup.repo.path().getFileName().toString(), setup.repo.gitDir(), setup.repo.uuid()));
        }
        try (P2pHttpServer server = new P2pHttpServer(options, peers, byName, RepositoryOpener.LOCK_RETENTION)) {
            server.start();
            for (String name : byName.keySet()) {
                System.out.println("serving http://" + bind + ":" + server.port() + "/" + name
                        + " (annex+http://" + bind + ":" + server.port() + "/git-annex/)");
            }
            System.out.flush();
            server.join();
        } finally {
            setups.forEach(HostSetup::close);
        }
        return 0;
    }

    private HttpAccess access() {
        java.util.Optional<String> user = java.util.Optional.empty();
        java.util.Optional<String> pass = java.util.Optional.empty();
        if (authenv) {
            user = java.util.Optional.ofNullable(System.getenv("GIT_ANNEX_P2PHTTP_USERNAME"));
            pass = java.util.Optional.ofNullable(System.getenv("GIT_ANNEX_P2PHTTP_PASSWORD"));
            if (user.isEmpty()) {
                throw new IllegalArgumentException("--authenv needs GIT_ANNEX_P2PHTTP_USERNAME and GIT_ANNEX_P2PHTTP_PASSWORD");
            }
        }
        boolean explicit = wideopen || unauthReadonly || unauthAppendonly || authenv;
        HttpAccess.Permission anon = wideopen || !explicit ? HttpAccess.Permission.FULL
                : unauthAppendonly ? HttpAccess.Permission.APPEND
                : unauthReadonly ? HttpAccess.Permission.READ : HttpAccess.Permission.NONE;
        return new HttpAccess(anon, user, pass, explicit);
    }

    private void addPeers(HostSetup setup, PeerRegistry peers) throws Exception {
        HostRepository repo = setup.repo;
        PeerThreads threads = new PeerThreads("peer-" + repo.path().getFileName(), jobs * 4 + 8);
        LockTable locks = new LockTable(repo.hostDir().resolve("locks"), java.time.Clock.systemUTC(), RepositoryOpener.LOCK_RETENTION);
        RepositoryStore store = new RepositoryStore(repo, locks, MonotonicClock.system(), java.time.Clock.systemUTC());
        peers.add(new LocalPeer(repo.path().getFileName().toString(), new ProtocolServer(repo.uuid(), store,
                ServerMode.READ_WRITE, MonotonicClock.system(), new GitServices(repo), ProtocolVersion.LATEST),
                threads, InMemoryConnection.Timeouts.DEFAULT));
        for (RemoteDefinition r : setup.remotes.list()) {
            if (!r.proxied()) {
                continue;
            }
            setup.served.proxiedStore(r.uuid()).ifPresent(s -> peers.add(new LocalPeer(r.name(),
                    new ProtocolServer(r.uuid(), s, ServerMode.READ_WRITE, MonotonicClock.system(), null, ProtocolVersion.LATEST),
                    threads, InMemoryConnection.Timeouts.DEFAULT)));
        }
    }
}
