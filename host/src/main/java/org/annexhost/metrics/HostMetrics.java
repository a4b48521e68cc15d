package org.annexhost.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.annexhost.p2p.message.Verb;
import org.annexhost.p2p.server.ServerEvents;

/**
 * The host's metrics, kept by Micrometer and read at {@code /metrics} in Prometheus' text format
 * (the registry writes it; nothing here formats). What is measured: every P2P request served in
 * this process (over ssh handed to the host, over HTTP, to a proxied remote) by repository, peer,
 * verb and answer, with its duration; content bytes each way; HTTP requests by endpoint and
 * status with their duration; the HTTP server's busy jobs and transfers, waiting requests, open
 * conversations and held locks; each repository's journal entries pending and journal commits
 * with their duration; each cluster node's part in fanned-out requests by outcome; the JVM and the
 * process. Labels are names the operator gave
 * (repositories, remotes) and protocol words, never keys, users or secrets.
 *
 * <p>Only {@code annexhost serve} builds one: a cold ssh shell loads none of this. Thread-safe.
 */
public final class HostMetrics implements AutoCloseable {
    /** What {@link #scrape} answers in. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
        Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(60)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Optional<byte[]> token;
    /** The meters by their label values: found without building an id per request. */
    /** By endpoint, then by status: found without building a key per request. */
    private final Map<String, Timer[]> httpTimers = new ConcurrentHashMap<>();
    private final Map<String, Timer> journalTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> nodeCounters = new ConcurrentHashMap<>();

    /** @param token the bearer token that lets clients beyond loopback read the metrics, if any */
    public HostMetrics(Optional<String> token) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** @return with no token: readable from loopback only */
    public static HostMetrics loopbackOnly() {
        return new HostMetrics(Optional.empty());
    }

    /**
     * @param repository the served repository's name
     * @param peer the peer served: the repository itself, or the remote or cluster it proxies
     * @return what that peer's protocol server reports to
     */
    public ServerEvents server(String repository, String peer) {
        Counter in = Counter.builder("annexhost.content.bytes").description("content bytes received and sent in P2P DATA")
                .baseUnit("bytes").tags("repository", repository, "peer", peer, "direction", "in").register(registry);
        Counter out = Counter.builder("annexhost.content.bytes").description("content bytes received and sent in P2P DATA")
                .baseUnit("bytes").tags("repository", repository, "peer", peer, "direction", "out").register(registry);
        // By verb and answer (the last column: no answer), found without building a key per request.
        Timer[][] timers = new Timer[Verb.values().length][Verb.values().length + 1];
        return new ServerEvents() {
            @Override
            public void served(Verb request, Optional<Verb> reply, long nanos) {
                int column = reply.map(Verb::ordinal).orElse(Verb.values().length);
                Timer t = timers[request.ordinal()][column];
                if (t == null) {
                    // A race registers the same meter twice: the registry answers both with one timer.
                    String answer = reply.map(Verb::wire).orElse("none");
                    t = Timer.builder("annexhost.p2p.requests").description("P2P requests served, by verb and answer")
                            .tags("repository", repository, "peer", peer, "verb", request.wire(), "reply", answer)
                            .serviceLevelObjectives(BUCKETS).register(registry);
                    timers[request.ordinal()][column] = t;
                }
                t.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void contentReceived(long bytes) {
                in.increment(bytes);
            }

            @Override
            public void contentSent(long bytes) {
                out.increment(bytes);
            }
        };
    }

    /**
     * One HTTP request answered.
     *
     * @param endpoint a bounded name: an annex API operation, {@code git}, {@code healthz}, ...
     * @param status the HTTP status sent
     * @param nanos from the request's arrival to its answer's end
     */
    public void httpRequest(String endpoint, int status, long nanos) {
        Timer[] byStatus = httpTimers.computeIfAbsent(endpoint, k -> new Timer[600]);
        int i = status >= 0 && status < 600 ? status : 0;
        Timer t = byStatus[i];
        if (t == null) {
            t = Timer.builder("annexhost.http.requests").description("HTTP requests answered, by endpoint and status")
                    .tags("endpoint", endpoint, "status", Integer.toString(status))
                    .serviceLevelObjectives(BUCKETS).register(registry);
            byStatus[i] = t;
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A cluster's node did its part of a request, or failed to.
     *
     * @param repository the repository whose cluster it is
     * @param cluster the cluster's name
     * @param node the node's name
     * @param operation {@code put}, {@code get} or {@code remove}
     * @param ok whether the node did it
     */
    public void clusterNode(String repository, String cluster, String node, String operation, boolean ok) {
        String outcome = ok ? "ok" : "failed";
        nodeCounters.computeIfAbsent(String.join(" ", repository, cluster, node, operation, outcome),
                k -> Counter.builder("annexhost.cluster.node.requests")
                        .description("each cluster node's part in requests fanned out to it, by outcome")
                        .tags("repository", repository, "cluster", cluster, "node", node, "operation", operation, "outcome", outcome)
                        .register(registry))
                .increment();
    }

    /**
     * @return what an external remote's (or any backend's) helper processes report to: processes
     *     running and idle, started, ended by reason, and requests timed out
     */
    public org.annexhost.api.BackendEvents backend(String repository, String remote) {
        Counter started = Counter.builder("annexhost.external.processes.started")
                .description("helper processes (external remotes' programs) started").tags("repository", repository, "remote", remote)
                .register(registry);
        Counter timeouts = Counter.builder("annexhost.external.timeouts")
                .description("requests to a remote's helper process that got no answer in time")
                .tags("repository", repository, "remote", remote).register(registry);
        return new org.annexhost.api.BackendEvents() {
            @Override
            public void pool(java.util.function.IntSupplier running, java.util.function.IntSupplier idle) {
                Gauge.builder("annexhost.external.processes", running::getAsInt).description("helper processes running")
                        .tags("repository", repository, "remote", remote, "state", "running").register(registry);
                Gauge.builder("annexhost.external.processes", idle::getAsInt).description("helper processes running")
                        .tags("repository", repository, "remote", remote, "state", "idle").register(registry);
            }

            @Override
            public void processStarted() {
                started.increment();
            }

            @Override
            public void processEnded(String reason) {
                nodeCounters.computeIfAbsent(String.join(" ", "ended", repository, remote, reason),
                        k -> Counter.builder("annexhost.external.processes.ended")
                                .description("helper processes ended, by reason (closed, timed out, misbehaved, prepare failed, died)")
                                .tags("repository", repository, "remote", remote, "reason", reason).register(registry))
                        .increment();
            }

            @Override
            public void timedOut() {
                timeouts.increment();
            }
        };
    }

    /** Registers a value read at each scrape (busy jobs, open conversations, ...). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** Registers a value of one repository read at each scrape (journal entries pending, ...). */
    public void repositoryGauge(String name, String description, String repository, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tags("repository", repository).register(registry);
    }

    /**
     * A repository's journal was committed to its git-annex branch.
     *
     * @param repository the repository's name
     * @param nanos how long the commit took (nothing is recorded when nothing was journalled)
     */
    public void journalCommitted(String repository, long nanos) {
        journalTimers.computeIfAbsent(repository, r -> Timer.builder("annexhost.journal.commits")
                        .description("journal commits to the git-annex branch, with their duration")
                        .tags("repository", r).serviceLevelObjectives(BUCKETS).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * @param remote the client's address, or null over a unix socket (local by construction)
     * @param authorization its {@code Authorization} header, if any
     * @return whether it may read the metrics: from loopback or a unix socket, or with the bearer token
     */
    public boolean mayRead(InetAddress remote, Optional<String> authorization) {
        if (remote == null || remote.isLoopbackAddress()) {
            return true;
        }
        if (token.isEmpty() || authorization.isEmpty() || !authorization.get().startsWith("Bearer ")) {
            return false;
        }
        byte[] given = authorization.get().substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.get());
    }

    /** @return whether a token lets clients beyond loopback in */
    public boolean hasToken() {
        return token.isPresent();
    }

    /** @return every metric, in Prometheus' text exposition format */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
