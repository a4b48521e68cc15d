package org.annexhost.http;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.annexhost.peer.PeerRegistry;
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
    private final Semaphore jobs;
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    /** Requests that may wait for a job slot at once; more are refused at once with 503. */
    private static final int MAX_WAITING = 200;

    /**
     * @param options how to run
     * @param peers every peer served, by uuid (repositories and the remotes they proxy)
     * @param repositories the repositories served for git, by path segment
     * @param lockRetention how long a lock outlives its holder
     */
    public P2pHttpServer(HttpOptions options, PeerRegistry peers, Map<String, HttpRepository> repositories,
                         Duration lockRetention) {
        this(options, peers, repositories, lockRetention, Map.of());
    }

    /**
     * @param accessByPeer rules of repositories that have their own, by the uuid of each peer they serve
     *     (may change while running)
     */
    public P2pHttpServer(HttpOptions options, PeerRegistry peers, Map<String, HttpRepository> repositories,
                         Duration lockRetention, Map<org.annexhost.api.Uuid, HttpAccess> accessByPeer) {
        this.options = options;
        int perRepository = Math.max(4, options.jobs());
        this.conversations = new Conversations(uuid -> repositories.values().stream().anyMatch(r -> r.uuid().equals(uuid))
                ? perRepository : options.proxyConnections());
        this.locks = new KeptLocks(lockRetention, options.lockedFiles());
        this.jobs = new Semaphore(options.jobs(), true);
        // Waiting requests hold a thread each, and Jetty needs free threads to feed request bodies
        // to the ones being served: the pool must stay well above jobs plus the queue.
        QueuedThreadPool threads = new QueuedThreadPool(256, 4, 60_000);
        threads.setName("http");
        this.server = new Server(threads);
        server.addConnector(connector(options));
        AnnexApi api = new AnnexApi(peers, conversations, options.access(), locks, accessByPeer);
        GitSmartHttp git = new GitSmartHttp(repositories, options.publicUrl());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return route(request, response, callback, api, git);
            }
        });
    }

    /** A TCP connector (HTTPS when TLS files are given) or a unix socket connector. */
    private org.eclipse.jetty.server.Connector connector(HttpOptions options) {
        long idle = Duration.ofMinutes(20).toMillis();
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
        boolean longPoll = parsed.map(a -> a.operation().equals("keeplocked")).orElse(false);
        if (!longPoll && !admit()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "5");
            HttpReplies.text(response, callback, 503, "busy: all " + options.jobs() + " jobs in use; retry later");
            return true;
        }
        try {
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
            LOG.warn("{} {} failed: {}", request.getMethod(), path, e.toString());
            if (!response.isCommitted()) {
                HttpReplies.text(response, callback, 500, "internal error");
            } else {
                callback.failed(e);
            }
            return true;
        } finally {
            if (!longPoll) {
                jobs.release();
            }
        }
    }

    /** Takes a job slot, waiting in a bounded queue; false when the queue is full or the wait ends. */
    private boolean admit() throws InterruptedException {
        if (jobs.tryAcquire()) {
            return true;
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            return jobs.tryAcquire(options.queueWaitSeconds(), TimeUnit.SECONDS);
        } finally {
            waiting.decrementAndGet();
        }
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
    }
}
