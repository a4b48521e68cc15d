package org.annexhost.http;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.annexhost.metrics.HostMetrics;
import org.annexhost.peer.PeerResolver;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: the annex API (p2phttp, versions 0 to 4) and git smart HTTP for the same
 * repositories on one port. Requests beyond {@code --jobs} wait, bounded, then get 503 with
 * Retry-After rather than hanging; long-polling keeplocked requests do not take a job slot.
 * One per process; start once, stop at exit.
 */
public final class P2pHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(P2pHttpServer.class);

    private final HttpOptions options;
    private final Server server;
    private final Conversations conversations;
    private final KeptLocks locks;
    private final Admission admission;
    private final HostMetrics metrics;
    private final boolean ownsMetrics;
    /** The request attribute naming its endpoint for metrics (a bounded set of words). */
    private static final String ENDPOINT = "annexhost.endpoint";

    /**
     * @param options how to run
     * @param peers every peer served, by uuid (repositories and the remotes they proxy)
     * @param repositories the repositories served for git, by path segment
     * @param lockRetention how long a lock outlives its holder
     */
    public P2pHttpServer(HttpOptions options, PeerResolver peers, Map<String, HttpRepository> repositories,
                         Duration lockRetention) {
        this(options, peers, repositories, lockRetention, Map.of(), null);
    }

    /**
     * @param accessByPeer rules of repositories that have their own, by the uuid of each peer they serve
     *     (may change while running)
     * @param metrics where the server's measures go and {@code /metrics} reads (the caller closes
     *     it), or null for metrics of this server's own, readable from loopback
     */
    public P2pHttpServer(HttpOptions options, PeerResolver peers, Map<String, HttpRepository> repositories,
                         Duration lockRetention, Map<org.annexhost.api.Uuid, HttpAccess> accessByPeer, HostMetrics metrics) {
        this.options = options;
        this.ownsMetrics = metrics == null;
        this.metrics = metrics == null ? HostMetrics.loopbackOnly() : metrics;
        int perRepository = Math.max(4, options.jobs());
        this.conversations = new Conversations(uuid -> repositories.values().stream().anyMatch(r -> r.uuid().equals(uuid))
                ? perRepository : options.proxyConnections());
        this.locks = new KeptLocks(lockRetention, options.lockedFiles());
        this.admission = new Admission(options.jobs(), transfers(options.jobs()), options.queueWaitSeconds());
        // Waiting requests hold a thread each, and Jetty needs free threads to feed request bodies
        // to the ones being served: the pool must stay well above jobs plus the queue.
        QueuedThreadPool threads = new QueuedThreadPool(256, 4, 60_000);
        threads.setName("http");
        this.server = new Server(threads);
        server.addConnector(connector(options));
        AnnexApi api = new AnnexApi(peers, conversations, options.access(), locks, accessByPeer);
        GitSmartHttp git = new GitSmartHttp(repositories, options.publicUrl());
        this.metrics.gauge("annexhost.http.jobs.busy", "job slots in use (--jobs)", admission::jobsBusy);
        this.metrics.gauge("annexhost.http.jobs.waiting", "requests waiting for a job slot", admission::waiting);
        this.metrics.gauge("annexhost.http.transfers.busy", "transfer slots in use", admission::transfersBusy);
        this.metrics.gauge("annexhost.http.conversations.open", "P2P conversations open, idle or lent", conversations::open);
        this.metrics.gauge("annexhost.http.locks.held", "content locks kept for keeplocked", locks::held);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                long start = System.nanoTime();
                Callback measured = new Callback.Nested(callback) {
                    @Override
                    public void succeeded() {
                        measure(request, response.getStatus(), start);
                        super.succeeded();
                    }

                    @Override
                    public void failed(Throwable x) {
                        measure(request, 0, start); // status 0: the answer did not complete
                        super.failed(x);
                    }
                };
                if (operatorRequest(request, response, measured, repositories)) {
                    return true;
                }
                return route(request, response, measured, api, git);
            }
        });
    }

    private void measure(Request request, int status, long start) {
        Object endpoint = request.getAttribute(ENDPOINT);
        metrics.httpRequest(endpoint == null ? "other" : endpoint.toString(), status, System.nanoTime() - start);
    }

    /** Client transfers at once: four per job, at least 16. */
    static int transfers(int jobs) {
        return Math.max(16, 4 * jobs);
    }

    /**
     * A TCP connector (HTTPS when TLS files are given) or a unix socket connector. Its idle
     * timeout is the client deadline: a client that sends or reads nothing for that long is cut
     * off, and an idle kept-alive connection closed.
     */
    private org.eclipse.jetty.server.Connector connector(HttpOptions options) {
        long idle = options.clientIdle().toMillis();
        if (options.socket().isPresent()) {
            org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector unix =
                    new org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector(server);
            unix.setUnixDomainPath(options.socket().get());
            unix.setIdleTimeout(idle);
            return unix;
        }
        ServerConnector connector;
        if (options.tls().isPresent()) {
            try {
                connector = new ServerConnector(server, TlsContext.from(options.tls().get()));
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot use the TLS certificate or key: " + e.getMessage(), e);
            }
        } else {
            connector = new ServerConnector(server);
        }
        connector.setHost(options.bind());
        connector.setPort(options.port());
        connector.setIdleTimeout(idle);
        return connector;
    }

    /**
     * {@code GET /healthz}, {@code /readyz} and {@code /metrics}, answered before admission: a
     * server busy with every job is still alive, says whether its repositories are usable, and
     * shows how busy it is. Metrics are for loopback (or a unix socket), else for the bearer of
     * {@code --metrics-token}.
     */
    private boolean operatorRequest(Request request, Response response, Callback callback,
                                    Map<String, HttpRepository> repositories) {
        String path = Request.getPathInContext(request);
        if (!path.equals("/healthz") && !path.equals("/readyz") && !path.equals("/metrics")) {
            return false;
        }
        request.setAttribute(ENDPOINT, path.substring(1));
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            HttpReplies.text(response, callback, 405, request.getMethod() + " " + path + ": only GET and HEAD");
            return true;
        }
        if (path.equals("/metrics")) {
            // A unix socket's peer has no internet address: it is local by construction.
            java.net.SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            java.net.InetAddress from = remote instanceof java.net.InetSocketAddress inet ? inet.getAddress() : null;
            Optional<String> authorization = Optional.ofNullable(request.getHeaders().get(HttpHeader.AUTHORIZATION));
            if (!metrics.mayRead(from, authorization)) {
                if (metrics.hasToken()) {
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"annexhost metrics\"");
                    HttpReplies.text(response, callback, 401, "metrics: a bearer token is needed from beyond loopback");
                } else {
                    HttpReplies.text(response, callback, 403, "metrics are served to loopback only (serve --metrics-token lets others in)");
                }
                return true;
            }
            HttpReplies.metrics(response, callback, metrics.scrape());
            return true;
        }
        HttpReplies.health(response, callback, path.equals("/healthz") ? Health.alive() : Health.ready(repositories));
        return true;
    }

    private boolean route(Request request, Response response, Callback callback, AnnexApi api, GitSmartHttp git)
            throws Exception {
        String path = Request.getPathInContext(request);
        Optional<ApiRequest> parsed;
        try {
            parsed = ApiRequest.parse(path, PercentCodec.parseQuery(request.getHttpURI().getQuery()));
        } catch (ApiRequest.BadRequest e) {
            HttpReplies.text(response, callback, 400, e.getMessage());
            return true;
        }
        request.setAttribute(ENDPOINT, parsed.map(a -> AnnexApi.isOperation(a.operation()) ? a.operation() : "unknown")
                .orElse(path.startsWith("/git-annex/") ? "unknown" : "git"));
        Admission.Kind kind = parsed.map(P2pHttpServer::kind).orElse(Admission.Kind.JOB);
        Optional<Admission.Slot> slot = admission.admit(kind);
        if (slot.isEmpty()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
            HttpReplies.text(response, callback, 503, admission.refusal(kind));
            return true;
        }
        try (Admission.Slot held = slot.get()) {
            if (parsed.isPresent()) {
                return api.handle(request, response, callback, parsed.get());
            }
            if (path.startsWith("/git-annex/")) {
                HttpReplies.text(response, callback, 404, "no such request: " + path);
                return true;
            }
            if (git.handle(request, response, callback)) {
                return true;
            }
            HttpReplies.text(response, callback, 404, "not found: " + path);
            return true;
        } catch (ApiRequest.BadRequest e) {
            HttpReplies.text(response, callback, 400, e.getMessage());
            return true;
        } catch (Exception e) {
            HttpFailure failure = HttpFailure.of(e);
            if (failure.status() == 500) {
                // Our own fault: the log gets the whole story, the client one line.
                LOG.error("{} {} failed", request.getMethod(), path, e);
            } else if (failure.status() > 500) {
                LOG.warn("{} {} failed: {}", request.getMethod(), path, e.toString());
            } else {
                LOG.debug("{} {}: {}", request.getMethod(), path, e.toString());
            }
            if (!response.isCommitted()) {
                if (failure.status() == 503) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
                }
                HttpReplies.text(response, callback, failure.status(), failure.message());
            } else {
                callback.failed(e);
            }
            return true;
        }
    }

    /** What admission a request needs; see {@link Admission}. */
    private static Admission.Kind kind(ApiRequest api) {
        return switch (api.operation()) {
            case "keeplocked" -> Admission.Kind.NONE;
            case "key" -> Admission.Kind.TRANSFER;
            case "put" -> api.optional("data-present").filter("true"::equals).isPresent()
                    ? Admission.Kind.JOB : Admission.Kind.TRANSFER;
            default -> Admission.Kind.JOB;
        };
    }

    /** Starts listening. */
    public void start() throws Exception {
        server.start();
    }

    /** @return the port actually bound (useful with port 0) */
    public int port() {
        return server.getConnectors()[0] instanceof ServerConnector c ? c.getLocalPort() : -1;
    }

    /** @return P2P conversations open now, for leak checks */
    public int openConversations() {
        return conversations.open();
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
        locks.close();
        conversations.close();
        if (ownsMetrics) {
            metrics.close();
        }
    }
}
