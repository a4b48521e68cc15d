package org.annexhost.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.annexhost.activity.Activity;
import org.annexhost.metrics.HostMetrics;
import org.annexhost.peer.PeerResolver;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Fields;
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
    private final Operations operations;
    /** The connector of {@code --metrics-bind}, which serves the operator's pages only, or null. */
    private final ServerConnector operatorConnector;
    /** The request attribute naming its endpoint for metrics (a bounded set of words). */
    private static final String ENDPOINT = "annexhost.endpoint";
    /** The request attribute holding its id (sent back as {@code X-Request-Id}). */
    static final String REQUEST_ID = "annexhost.request-id";

    /**
     * @param options how to run
     * @param peers every peer served, by uuid (repositories and the remotes they proxy)
     * @param repositories the repositories served for git, by path segment
     * @param lockRetention how long a lock outlives its holder
     */
    public P2pHttpServer(HttpOptions options, PeerResolver peers, Map<String, HttpRepository> repositories,
                         Duration lockRetention) {
        this(options, peers, repositories, lockRetention, Map.of(), (Operations) null);
    }

    /**
     * @param accessByPeer rules of repositories that have their own, by the uuid of each peer they serve
     *     (may change while running)
     * @param operations what an operator is told and shown (the caller closes its metrics), or null
     *     for metrics and activity of this server's own, readable from loopback
     */
    public P2pHttpServer(HttpOptions options, PeerResolver peers, Map<String, HttpRepository> repositories,
                         Duration lockRetention, Map<org.annexhost.api.Uuid, HttpAccess> accessByPeer, Operations operations) {
        this.options = options;
        this.ownsMetrics = operations == null;
        this.operations = operations == null ? Operations.standalone(HostMetrics.loopbackOnly()) : operations;
        this.metrics = this.operations.metrics();
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
        this.operatorConnector = this.operations.operatorBind().map(a -> {
            ServerConnector c = new ServerConnector(server);
            c.setName("operator");
            c.setHost(a.getHostString());
            c.setPort(a.getPort());
            c.setIdleTimeout(options.clientIdle().toMillis());
            server.addConnector(c);
            return c;
        }).orElse(null);
        AnnexApi api = new AnnexApi(peers, conversations, options.access(), locks, accessByPeer, this.operations,
                options.trustedProxy());
        GitSmartHttp git = new GitSmartHttp(repositories, options.publicUrl(), options.trustedProxy(), this.operations);
        this.metrics.gauge("annexhost.http.jobs.busy", "job slots in use (--jobs)", admission::jobsBusy);
        this.metrics.gauge("annexhost.http.jobs.waiting", "requests waiting for a job slot", admission::waiting);
        this.metrics.gauge("annexhost.http.transfers.busy", "transfer slots in use", admission::transfersBusy);
        this.metrics.gauge("annexhost.http.conversations.open", "P2P conversations open, idle or lent", conversations::open);
        this.metrics.gauge("annexhost.http.locks.held", "content locks kept for keeplocked", locks::held);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                long start = System.nanoTime();
                String id = Activity.newId();
                request.setAttribute(REQUEST_ID, id);
                response.getHeaders().put("X-Request-Id", id);
                Callback measured = new Callback.Nested(callback) {
                    @Override
                    public void succeeded() {
                        measure(request, response, response.getStatus(), start);
                        super.succeeded();
                    }

                    @Override
                    public void failed(Throwable x) {
                        measure(request, response, 0, start); // status 0: the answer did not complete
                        super.failed(x);
                    }
                };
                if (operatorRequest(request, response, measured, repositories)) {
                    return true;
                }
                if (onOperatorPort(request)) {
                    HttpReplies.text(response, measured, 404, "this port serves /metrics, /status.json, /status.txt, / and health only");
                    return true;
                }
                return route(request, response, measured, api, git);
            }
        });
    }

    /** Measures and logs a request that was answered: its one line in the log, its count in the metrics. */
    private void measure(Request request, Response response, int status, long start) {
        long nanos = System.nanoTime() - start;
        Object endpoint = request.getAttribute(ENDPOINT);
        String op = endpoint == null ? "other" : endpoint.toString();
        metrics.httpRequest(op, status, nanos);
        Object peer = request.getAttribute(ApiActivity.PEER);
        Object key = request.getAttribute(ApiActivity.KEY);
        Object user = request.getAttribute(ApiActivity.USER);
        operations.activity().request((String) request.getAttribute(REQUEST_ID), user == null ? "anonymous" : user.toString(),
                client(request), request.getMethod(), op,
                peer instanceof org.annexhost.api.Uuid u ? operations.places().apply(u) : Optional.empty(),
                key == null ? "" : key.toString(), status, Request.getContentBytesRead(request),
                Response.getContentBytesWritten(response), Duration.ofNanos(nanos));
    }

    /** @return the client's address, or {@code local} over a unix socket */
    static String client(Request request) {
        java.net.InetAddress from = remoteAddress(request);
        return from == null ? "local" : from.getHostAddress();
    }

    /** @return the client's internet address, or null over a unix socket (whose peer is local by construction) */
    private static java.net.InetAddress remoteAddress(Request request) {
        java.net.SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        return remote instanceof java.net.InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** @return whether the request came to {@code --metrics-bind}'s listener */
    private boolean onOperatorPort(Request request) {
        return operatorConnector != null && request.getConnectionMetaData().getConnector() == operatorConnector;
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

    /** The operator's pages, answered before admission: a server busy with every job still shows how it is. */
    private static final java.util.Set<String> OPERATOR_PAGES = java.util.Set.of("/healthz", "/readyz", "/metrics", "/",
            "/status.json", "/status.txt");

    /**
     * {@code GET /healthz}, {@code /readyz}, {@code /metrics} and the status ({@code /} as a page,
     * {@code /status.json}, {@code /status.txt}), answered before admission: a server busy with
     * every job is still alive, says whether its repositories are usable, and shows how busy it
     * is. Health is for anyone; metrics and status (which name keys and remotes) are for loopback
     * (or a unix socket), else for the bearer of {@code --metrics-token}.
     */
    private boolean operatorRequest(Request request, Response response, Callback callback,
                                    Map<String, HttpRepository> repositories) {
        String path = Request.getPathInContext(request);
        if (!OPERATOR_PAGES.contains(path)) {
            return false;
        }
        request.setAttribute(ENDPOINT, path.equals("/") ? "status" : path.substring(1).replace(".json", "").replace(".txt", ""));
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            HttpReplies.text(response, callback, 405, request.getMethod() + " " + path + ": only GET and HEAD");
            return true;
        }
        if (path.equals("/healthz") || path.equals("/readyz")) {
            HttpReplies.health(response, callback, path.equals("/healthz") ? Health.alive()
                    : Health.ready(repositories, operations.activity().lastSeen()));
            return true;
        }
        Optional<String> authorization = Optional.ofNullable(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (!onOperatorPort(request) && !metrics.mayRead(remoteAddress(request), authorization)) {
            String what = path.equals("/metrics") ? "metrics" : "the status";
            if (metrics.hasToken()) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"annexhost\"");
                HttpReplies.text(response, callback, 401, what + ": a bearer token is needed from beyond loopback");
            } else {
                HttpReplies.text(response, callback, 403, what + " is served to loopback only (serve --metrics-token-file lets others in)");
            }
            return true;
        }
        switch (path) {
            case "/metrics" -> HttpReplies.metrics(response, callback, metrics.scrape());
            case "/status.json" -> HttpReplies.json(response, callback, 200, org.annexhost.status.StatusViews.json(status(request)));
            case "/status.txt" -> HttpReplies.text(response, callback, 200, org.annexhost.status.StatusViews.text(status(request)));
            default -> HttpReplies.html(response, callback, org.annexhost.status.StatusViews.html(status(request)));
        }
        return true;
    }

    /** @return the host as the status page shows it, now: only the repository {@code ?repo=NAME} if asked */
    private org.annexhost.status.HostStatus status(Request request) {
        org.annexhost.status.HostStatus s = new org.annexhost.status.HostStatus(operations.activity().now(),
                operations.version(), operations.repositories().get(), operations.activity().transfers(), locks.held() + operations.activity().locksHeld(),
                operations.activity().failures());
        Fields.Field repo;
        try {
            repo = PercentCodec.parseQuery(request.getHttpURI().getQuery()).get("repo");
        } catch (ApiRequest.BadRequest malformed) {
            repo = null; // a query that is not one: the whole status
        }
        return repo == null ? s : s.only(repo.getValue());
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

    /** @return the port of {@code --metrics-bind}'s listener, or -1 without one */
    public int operatorPort() {
        return operatorConnector == null ? -1 : operatorConnector.getLocalPort();
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
