package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.metrics.HostMetrics;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.annexhost.testing.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} of a real server: Prometheus text whose counters move with the requests
 * served, readable from loopback, and from elsewhere only with the bearer token.
 */
@Timeout(60)
class HttpMetricsTest {
    static final Uuid UUID = new Uuid("11111111-2222-3333-4444-555555555555");
    static final String TOKEN = "metrics-token-0123456789";
    final FakeMonotonicClock clock = new FakeMonotonicClock(1000);
    final MemoryStore store = new MemoryStore(clock, 600);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HostMetrics metrics;
    P2pHttpServer server;

    void start(String bind) throws Exception {
        start(bind, Optional.empty());
    }

    void start(String bind, Optional<java.net.InetSocketAddress> operatorBind) throws Exception {
        metrics = new HostMetrics(Optional.of(TOKEN));
        PeerRegistry peers = new PeerRegistry();
        peers.add(new LocalPeer("test", new ProtocolServer(UUID, store,
                ProtocolServer.Options.of(clock).events(metrics.server("test.git", "test.git"))),
                new PeerThreads("peer-test", 32), InMemoryConnection.Timeouts.DEFAULT));
        server = new P2pHttpServer(new HttpOptions(bind, 0, 4, 5, HttpAccess.open(true), Optional.empty()), peers, Map.of(),
                Duration.ofMinutes(10), Map.of(), operatorBind.map(Operations.standalone(metrics)::withOperatorBind)
                        .orElse(Operations.standalone(metrics)));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    HttpResponse<String> send(String host, String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void countersMoveWithTheRequestsServed() throws Exception {
        start("127.0.0.1");
        String api = "/git-annex/" + UUID + "/v4/";
        String key = "SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt";
        HttpResponse<String> before = send("127.0.0.1", "GET", "/metrics", "", Map.of());
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(before.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        Metrics.assertParses(before.body());

        assertThat(send("127.0.0.1", "POST", api + "checkpresent?key=" + key + "&clientuuid=c", "", Map.of()).body())
                .contains("\"present\": false");
        assertThat(send("127.0.0.1", "POST", api + "put?key=" + key + "&clientuuid=c", "hello",
                Map.of("X-git-annex-data-length", "5")).statusCode()).isEqualTo(200);
        assertThat(send("127.0.0.1", "GET", api + "key/" + key + "?clientuuid=c", "", Map.of()).body()).isEqualTo("hello");
        assertThat(send("127.0.0.1", "POST", api + "checkpresent?key=" + key + "&clientuuid=c", "", Map.of()).body())
                .contains("\"present\": true");

        String after = send("127.0.0.1", "GET", "/metrics", "", Map.of()).body();
        Metrics.assertParses(after);
        assertThat(Metrics.sum(after, "annexhost_http_requests_seconds_count", "endpoint=\"checkpresent\"", "status=\"200\""))
                .isEqualTo(2);
        assertThat(Metrics.sum(after, "annexhost_http_requests_seconds_count", "endpoint=\"put\"", "status=\"200\"")).isEqualTo(1);
        assertThat(Metrics.sum(after, "annexhost_http_requests_seconds_count", "endpoint=\"metrics\"", "status=\"200\"")).isEqualTo(1);
        assertThat(Metrics.sum(after, "annexhost_p2p_requests_seconds_count", "verb=\"CHECKPRESENT\"", "reply=\"FAILURE\"",
                "repository=\"test.git\"")).isEqualTo(1);
        // The GET asked CHECKPRESENT first, as HTTP's key request does.
        assertThat(Metrics.sum(after, "annexhost_p2p_requests_seconds_count", "verb=\"CHECKPRESENT\"", "reply=\"SUCCESS\""))
                .isEqualTo(2);
        assertThat(Metrics.sum(after, "annexhost_p2p_requests_seconds_count", "verb=\"PUT\"", "reply=\"SUCCESS\"")).isEqualTo(1);
        assertThat(Metrics.sum(after, "annexhost_p2p_requests_seconds_count", "verb=\"GET\"", "reply=\"DATA\"")).isEqualTo(1);
        assertThat(Metrics.sum(after, "annexhost_content_bytes_total", "direction=\"in\"")).isEqualTo(5);
        assertThat(Metrics.sum(after, "annexhost_content_bytes_total", "direction=\"out\"")).isEqualTo(5);
        assertThat(Metrics.sum(after, "annexhost_http_jobs_busy")).isZero();
        assertThat(Metrics.sum(after, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
        assertThat(after).as("no key, token or client uuid in a label").doesNotContain(key, TOKEN, "clientuuid");
    }

    @Test
    void beyondLoopbackTheBearerTokenIsNeeded() throws Exception {
        Optional<InetAddress> own = ownAddress();
        assumeTrue(own.isPresent(), "this machine has an address beyond loopback");
        start("0.0.0.0");
        String host = own.get().getHostAddress();
        HttpResponse<String> none = send(host, "GET", "/metrics", "", Map.of());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate").orElse("")).startsWith("Bearer");
        assertThat(send(host, "GET", "/metrics", "", Map.of("Authorization", "Bearer wrong-token-0123456789")).statusCode())
                .isEqualTo(401);
        HttpResponse<String> ok = send(host, "GET", "/metrics", "", Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(ok.statusCode()).isEqualTo(200);
        Metrics.assertParses(ok.body());
        assertThat(send("127.0.0.1", "GET", "/metrics", "", Map.of()).statusCode()).as("loopback needs no token").isEqualTo(200);
    }

    @Test
    void metricsBindServesTheOperatorsPagesThereToAnyoneAndNothingElse() throws Exception {
        Optional<InetAddress> own = ownAddress();
        assumeTrue(own.isPresent(), "this machine has an address beyond loopback");
        start("0.0.0.0", Optional.of(new java.net.InetSocketAddress(own.get().getHostAddress(), 0)));
        String host = own.get().getHostAddress();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + server.operatorPort() + "/metrics"));
        HttpResponse<String> there = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(there.statusCode()).as("no token on the monitoring address").isEqualTo(200);
        Metrics.assertParses(there.body());
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + server.operatorPort() + "/status.json")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + server.operatorPort() + "/git-annex/" + UUID
                + "/v4/checkpresent?key=WORM-s1-m1--x&clientuuid=c")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("the API is not served there").isEqualTo(404);
        assertThat(send(host, "GET", "/metrics", "", Map.of()).statusCode()).as("the main port still wants the token").isEqualTo(401);
    }

    private static Optional<InetAddress> ownAddress() throws java.net.SocketException {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> { try { return i.isUp() && !i.isLoopback(); } catch (java.net.SocketException e) { return false; } })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
    }
}
