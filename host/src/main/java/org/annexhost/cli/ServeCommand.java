package org.annexhost.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.annexhost.http.HttpAccess;
import org.annexhost.http.HttpOptions;
import org.annexhost.http.HttpRepository;
import org.annexhost.http.P2pHttpServer;
import org.annexhost.lock.LockTable;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.peer.PeerThreads;
import org.annexhost.repo.GitServices;
import org.annexhost.repo.HostRepository;
import org.annexhost.shell.ShellListener;
import org.annexhost.repo.branch.AnnexBranch;
import org.annexhost.repo.branch.CommitPacing;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServeCommand.class);

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

    @Option(names = "--authenv", description = {"users log in (over HTTPS) with GIT_ANNEX_P2PHTTP_PASSWORD_name,",
            "their permission from GIT_ANNEX_P2PHTTP_PERMISSIONS_name (readonly, appendonly; default full)"})
    private boolean authenv;

    @Option(names = "--authenv-http", description = "like --authenv, also over plain HTTP (not secure)")
    private boolean authenvHttp;

    @Option(names = "--auth-http", description = {"accept the host's users' passwords and tokens over plain HTTP too",
            "(not secure; by default only over HTTPS)"})
    private boolean authHttp;

    @Option(names = "--trusted-proxy", arity = "0..1", fallbackValue = "", paramLabel = "ADDR,...", description = {
            "believe X-Forwarded-User and X-Annexhost-Access (none|read|append|full) from a forge in front:",
            "alone, from every connection on --socket; with addresses, from those only"})
    private String trustedProxy;

    @Option(names = "--unauth-nolocking", description = "unauthenticated users may not lock content")
    private boolean unauthNolocking;

    @Option(names = "--directory", description = "serve every git-annex repository below this directory, new ones too (repeatable)")
    private List<Path> directories = new ArrayList<>();

    @Option(names = "--socket", description = "listen on this unix socket instead of a TCP port")
    private Path socket;

    @Option(names = "--certfile", description = "TLS certificate (PEM); serves HTTPS")
    private Path certfile;

    @Option(names = "--privatekeyfile", description = "TLS private key (PEM, PKCS#8)")
    private Path privatekeyfile;

    @Option(names = "--chainfile", description = "TLS certificate chain (PEM)")
    private Path chainfile;

    @Option(names = "--lockedfiles", description = "the most content locks held for clients at once (default 100)")
    private int lockedfiles = 100;

    @Option(names = "--client-timeout", description = {"seconds a client may send or read nothing before it is cut off",
            "(default 60; a lock kept by keeplocked is exempt)"})
    private int clientTimeout = (int) HttpOptions.DEFAULT_CLIENT_IDLE.toSeconds();

    @Option(names = "--proxyconnections", description = "idle conversations kept open with each proxied remote (default 1)")
    private int proxyconnections = 1;

    @Option(names = "--clusterjobs", description = "accepted for git-annex compatibility; a cluster PUT writes to all its chosen nodes at once")
    private int clusterjobs = 1;

    @Option(names = "--metrics-token-file", description = {"a file holding the bearer token that lets clients beyond",
            "loopback read /metrics (or set ANNEXHOST_METRICS_TOKEN); without it only loopback may"})
    private Path metricsTokenFile;

    @Option(names = "--public-url", description = "the base url clients use, when behind a reverse proxy")
    private String publicUrl;

    @Option(names = "--metrics-bind", paramLabel = "HOST:PORT", description = {"also serve /metrics, the status and health",
            "(nothing else) on this address, to anyone who reaches it: for a monitoring network"})
    private String metricsBind;

    @Option(names = "--log-format", paramLabel = "text|json", description = {"the log's format: text (the default) or json,",
            "one object per line with each field of a request, conversation or content change (or ANNEXHOST_LOG_FORMAT)"})
    private String logFormat;

    @Option(names = "--no-shell-socket", description = {"do not take over ssh clients' conversations: each annexhost shell",
            "then serves its own (by default it hands them to this running host over a private local socket)"})
    private boolean noShellSocket;

    private final Map<org.annexhost.api.Uuid, HttpAccess> accessByPeer = new java.util.concurrent.ConcurrentHashMap<>();
    /** The repositories ssh clients' shells may hand over, by real path. */
    private final Map<Path, ServedHostRepository> warm = new java.util.concurrent.ConcurrentHashMap<>();
    private ShellListener shells;
    private HostOperations ops;

    @Override
    public Integer call() throws Exception {
        if (logFormat != null) {
            LogSetup.useFormat(logFormat);
        }
        LogSetup.logActivity();
        Optional<HttpOptions.TlsFiles> tls = certfile == null ? Optional.empty() : Optional.of(new HttpOptions.TlsFiles(
                certfile, Optional.ofNullable(privatekeyfile).orElseThrow(() -> new IllegalArgumentException("--certfile needs --privatekeyfile")),
                Optional.ofNullable(chainfile)));
        HttpOptions options = new HttpOptions(bind, port, jobs, 60, access(), Optional.ofNullable(publicUrl),
                Optional.ofNullable(socket), tls, lockedfiles, proxyconnections, java.time.Duration.ofSeconds(clientTimeout),
                trustedProxy == null ? org.annexhost.http.TrustedProxy.none() : org.annexhost.http.TrustedProxy.parse(trustedProxy));
        ops = new HostOperations(new org.annexhost.metrics.HostMetrics(metricsToken()));
        repos.addAll(RepositoryDirectories.find(directories));
        if (repos.isEmpty() && directories.isEmpty()) {
            Path dflt = Path.of("data", "default.git");
            if (!Files.exists(dflt)) {
                HostRepository.init(dflt, Optional.of("annexhost default repository"));
            }
            repos.add(dflt);
        }
        PeerRegistry peers = new PeerRegistry();
        Map<String, HttpRepository> byName = new java.util.concurrent.ConcurrentHashMap<>();
        List<HostSetup> setups = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (Path p : repos) {
            serveRepository(p, peers, byName, setups);
        }
        if (!noShellSocket) {
            try {
                shells = ShellListener.start(System.getenv(), this::warmRepository, jobs * 4 + 8, ops.activity);
            } catch (java.io.IOException e) {
                // Serving goes on; ssh clients' shells then serve themselves.
                LOG.warn("no shell socket ({}): ssh connections will not be handed to this host", e.getMessage());
            }
        }
        java.util.concurrent.ScheduledExecutorService rescans = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "directory-rescan");
            t.setDaemon(true);
            return t;
        });
        org.annexhost.http.Operations operations = ops.forHttp(byName);
        if (metricsBind != null) {
            int colon = metricsBind.lastIndexOf(':');
            if (colon <= 0 || !metricsBind.substring(colon + 1).matches("[0-9]{1,5}")) {
                throw new IllegalArgumentException("--metrics-bind " + metricsBind + ": expected HOST:PORT");
            }
            operations = operations.withOperatorBind(new java.net.InetSocketAddress(
                    metricsBind.substring(0, colon).replaceAll("^\\[|\\]$", ""), Integer.parseInt(metricsBind.substring(colon + 1))));
        }
        try (P2pHttpServer server = new P2pHttpServer(options, peers, byName, RepositoryOpener.LOCK_RETENTION, accessByPeer, operations)) {
            server.start();
            String where = socket != null ? "unix socket " + socket : (tls.isPresent() ? "https://" : "http://") + bind + ":" + server.port();
            ops.listeningAt(publicUrl != null ? publicUrl : where);
            for (String name : byName.keySet()) {
                System.out.println("serving " + where + "/" + name + " (annex+" + where + "/git-annex/)");
            }
            if (server.operatorPort() > 0) {
                System.out.println("metrics, status and health also at http://" + metricsBind.substring(0, metricsBind.lastIndexOf(':'))
                        + ":" + server.operatorPort() + "/");
            }
            System.out.flush();
            Warmup.start();
            rescans.scheduleWithFixedDelay(() -> commitJournals(byName), 250, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!directories.isEmpty()) {
                // New repositories below --directory are served without a restart.
                rescans.scheduleWithFixedDelay(() -> rescan(peers, byName, setups), 2, 2, java.util.concurrent.TimeUnit.SECONDS);
            }
            server.join();
        } finally {
            rescans.shutdownNow();
            if (shells != null) {
                shells.close();
            }
            setups.forEach(HostSetup::close);
            ops.close();
        }
        return 0;
    }

    /** The token from its file or the environment, never from the command line, where ps shows it to everyone. */
    private Optional<String> metricsToken() throws java.io.IOException {
        String t = metricsTokenFile != null ? Files.readString(metricsTokenFile).strip() : System.getenv("ANNEXHOST_METRICS_TOKEN");
        if (t == null) {
            return Optional.empty();
        }
        if (t.length() < 16) {
            throw new IllegalArgumentException("the metrics token must have at least 16 characters");
        }
        return Optional.of(t);
    }

    private Optional<org.annexhost.shell.ServedRepository> warmRepository(Path dir) {
        try {
            return Optional.ofNullable(warm.get(dir.toRealPath()));
        } catch (java.io.IOException noSuchDirectory) {
            return Optional.empty();
        }
    }

    /**
     * A long-running server commits each repository's journal within seconds of a change, so the
     * branch a client fetches, or git-annex reads, is never far behind (the journal is read first
     * by every reader of ours and of git-annex, so this only bounds how stale the branch itself is):
     * once changes pause for a second, and at least every five seconds while they keep coming
     * ({@link CommitPacing}). Asked four times a second; an empty journal costs one directory read.
     */
    private void commitJournals(Map<String, HttpRepository> byName) {
        for (HttpRepository r : byName.values()) {
            Paced paced = pacedBranches.get(r.name());
            try {
                if (paced != null && !paced.pacing().due(paced.branch().journalDirty(), paced.branch().lastChange(), System.nanoTime())) {
                    continue;
                }
                if (paced != null) {
                    paced.pacing().committed();
                }
                r.branch().commit();
            } catch (Exception e) {
                LOG.warn("committing the git-annex journal of {} failed (it stays journalled): {}", r.name(), e.getMessage());
            }
        }
    }

    /** A served repository's branch and when to commit it; only the commit thread paces. */
    private record Paced(AnnexBranch branch, CommitPacing pacing) {
    }

    private final Map<String, Paced> pacedBranches = new java.util.concurrent.ConcurrentHashMap<>();

    private void serveRepository(Path p, PeerRegistry peers, Map<String, HttpRepository> byName, List<HostSetup> setups)
            throws Exception {
        String name = p.toAbsolutePath().normalize().getFileName().toString(); // as the repository names itself
        HostOperations.Repository observed = ops.new Repository(name);
        HostSetup setup = HostSetup.open(p, observed.observers());
        setups.add(setup);
        HostRepository repo = setup.repo;
        LockTable locks = new LockTable(repo.hostDir().resolve("locks"), java.time.Clock.systemUTC(), RepositoryOpener.LOCK_RETENTION);
        RepositoryStore store = new RepositoryStore(repo, locks, MonotonicClock.system(), java.time.Clock.systemUTC());
        GitServices services = new GitServices(repo);
        PeerThreads threads = new PeerThreads("peer-" + name, jobs * 4 + 8);
        // Conversations holding content locks for keeplocked: as many as --lockedfiles, apart.
        PeerThreads lockThreads = new PeerThreads("locks-" + name, lockedfiles + 4);
        RepositoryPeers repoPeers = new RepositoryPeers(repo, store, services, () -> setup.served, MonotonicClock.system(),
                threads, lockThreads, peer -> observed.server(name, peer));
        List<org.annexhost.api.Uuid> served = route(repo, setup.served, repoPeers, peers);
        observed.served(name, repo, setup.served);
        // ssh clients' shells hand their conversations to this warm host instead of starting one.
        // This host commits the journal within seconds and before every fetch: a conversation need not wait.
        warm.put(repo.path().toRealPath(), new ServedHostRepository(repo, services, repoPeers, true));
        HttpAccess rules = repositoryAccess(setup.repo);
        for (org.annexhost.api.Uuid u : served) {
            accessByPeer.put(u, rules);
        }
        // A client reaching a proxied remote or cluster needs the right on it, by its name.
        for (org.annexhost.remote.ServedRemotes.Listed l : setup.served.listing()) {
            if (served.contains(l.uuid())) {
                accessByPeer.put(l.uuid(), rules.forRemote(l.name()));
            }
        }
        AnnexBranch branch = setup.repo.branch();
        // What a killed host journalled is committed now; what this one journals, within seconds.
        branch.commit("update");
        pacedBranches.put(name, new Paced(branch, new CommitPacing()));
        byName.put(name, new HttpRepository(name, setup.repo.gitDir(), setup.repo.uuid(), rules, observed.timedCommit(name, branch)));
    }

    /**
     * The server's rules, with the host's users and the repository's grants ({@code annexhost
     * grant}); a repository may also narrow or widen what unauthenticated users may do in it,
     * with {@code git config annexhost.unauthenticated none|readonly|appendonly|full}.
     */
    private HttpAccess repositoryAccess(HostRepository repo) throws Exception {
        org.annexhost.access.Quotas quotas = org.annexhost.access.Quotas.of(repo.gitDir());
        // What a killed host had reserved or half counted is counted again from what each store counted.
        quotas.recount();
        HttpAccess server = access().withHostRules(org.annexhost.access.HostUsers.at(System.getenv()),
                org.annexhost.access.Grants.of(repo.gitDir()), quotas);
        java.util.Optional<String> setting = repo.git().config().get("annexhost.unauthenticated");
        if (setting.isEmpty()) {
            return server;
        }
        try {
            return server.withUnauthenticated(org.annexhost.access.Right.parse(setting.get()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(repo.path() + ": annexhost.unauthenticated=" + setting.get().strip()
                    + " (expected none, readonly, appendonly or full)");
        }
    }

    private void rescan(PeerRegistry peers, Map<String, HttpRepository> byName, List<HostSetup> setups) {
        try {
            for (Path p : RepositoryDirectories.find(directories)) {
                if (!byName.containsKey(p.getFileName().toString())) {
                    serveRepository(p, peers, byName, setups);
                    System.err.println("annexhost: now serving " + p);
                }
            }
        } catch (Exception e) {
            System.err.println("annexhost: rescanning --directory failed: " + e.getMessage());
        }
    }

    /** The host's own users are an access policy too: with them, nothing is open by default. */
    private static boolean hostUsersExist() {
        try {
            return org.annexhost.access.HostUsers.at(System.getenv()).any();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading the host's users", e);
        }
    }

    private HttpAccess access() {
        Map<String, HttpAccess.User> users = Map.of();
        if (authenv || authenvHttp) {
            users = HttpAccess.usersFromEnvironment(System.getenv());
            if (users.isEmpty()) {
                throw new IllegalArgumentException("--authenv needs users: set GIT_ANNEX_P2PHTTP_PASSWORD_name=password");
            }
        }
        boolean explicit = wideopen || unauthReadonly || unauthAppendonly || authenv || authenvHttp || unauthNolocking;
        // The host's users, or a forge in front deciding, are access policies too: nothing is open by default.
        explicit = explicit || trustedProxy != null || hostUsersExist();
        org.annexhost.access.Right anon = wideopen || !explicit ? org.annexhost.access.Right.FULL
                : unauthAppendonly ? org.annexhost.access.Right.APPEND
                : unauthReadonly ? org.annexhost.access.Right.READ : org.annexhost.access.Right.NONE;
        if (wideopen && !unauthNolocking) {
            return HttpAccess.open(true);
        }
        return new HttpAccess(anon, !unauthNolocking, users, authenvHttp || authHttp, explicit);
    }

    /**
     * Routes every uuid the repository serves (itself, each remote and cluster it proxies) to its
     * peers, opening each now so that a remote that cannot open is reported at start.
     *
     * @return the uuids routed
     */
    private static List<org.annexhost.api.Uuid> route(HostRepository repo, org.annexhost.remote.ServedRemotes remotes,
                                                      RepositoryPeers repoPeers, PeerRegistry peers) throws Exception {
        List<org.annexhost.api.Uuid> routed = new ArrayList<>();
        routed.add(repo.uuid());
        routed.addAll(remotes.proxiedUuids());
        for (org.annexhost.api.Uuid u : routed) {
            if (repoPeers.resolve(u, org.annexhost.p2p.server.ServerMode.READ_WRITE).isPresent()) {
                peers.route(u, repoPeers);
            }
        }
        return routed;
    }
}
