package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.annexhost.activity.Activity;
import org.annexhost.activity.AuditLog;
import org.annexhost.activity.Place;
import org.annexhost.api.Uuid;
import org.annexhost.metrics.HostMetrics;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.peer.PeerThreads;
import org.annexhost.status.HostStatus;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.annexhost.testing.Warnings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real server records of its clients: one log line per request carrying the id the client
 * got as {@code X-Request-Id}, each content change and refusal appended to the repository's audit
 * log with the user who asked (never a password), and a transfer in flight on the status page
 * with its bytes so far, gone (and a failure shown) when its client vanishes.
 */
@Timeout(60)
class HttpActivityTest {
    static final Uuid UUID = new Uuid("11111111-2222-3333-4444-555555555555");
    static final String PASSWORD = "s3cret-password-of-alice";
    static final String KEY = "SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path git;
    final FakeMonotonicClock clock = new FakeMonotonicClock(1000);
    final MemoryStore store = new MemoryStore(clock, 600);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final Activity activity = new Activity(java.time.Clock.systemUTC());
    HostMetrics metrics;
    P2pHttpServer server;
    String api;

    void start(HttpAccess access) throws Exception {
        metrics = HostMetrics.loopbackOnly();
        PeerRegistry peers = new PeerRegistry();
        peers.add(new LocalPeer("photos.git", new ProtocolServer(UUID, store, ProtocolServer.Options.of(clock)),
                new PeerThreads("peer-test", 32), InMemoryConnection.Timeouts.DEFAULT));
        Place place = Place.repository("photos.git", git);
        Operations ops = new Operations(metrics, activity, u -> u.equals(UUID) ? Optional.of(place) : Optional.empty(),
                () -> List.of(new HostStatus.Repository("photos.git", UUID.value(), "http://x/photos.git", "annex+http://x/git-annex/",
                        List.of())), "annexhost test", Optional.empty());
        server = new P2pHttpServer(new HttpOptions("127.0.0.1", 0, 4, 5, access, Optional.empty()), peers, Map.of(),
                Duration.ofMinutes(10), Map.of(), ops);
        server.start();
        api = "/git-annex/" + UUID + "/v4/";
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

    HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<JsonNode> audit() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(AuditLog.of(git))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void eachRequestIsOneLineAndEachChangeAnAuditRecordWithItsId() throws Exception {
        start(new HttpAccess(org.annexhost.access.Right.READ, true, Map.of("alice", new HttpAccess.User(PASSWORD, org.annexhost.access.Right.FULL)),
                true, true));
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> put = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> refused = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> lines = Warnings.logged("org.annexhost.activity", Level.INFO,
                l -> l.stream().filter(x -> x.contains("activity.request: http")).count() >= 4, () -> {
            put.set(send("POST", api + "put?key=" + KEY + "&clientuuid=c", "hello",
                    Map.of("X-git-annex-data-length", "5", "Authorization", basic("alice", PASSWORD))));
            // Anonymous users may only read here: the removal is refused, and audited.
            refused.set(send("POST", api + "remove?key=" + KEY + "&clientuuid=c", "", Map.of()));
            assertThat(send("POST", api + "lockcontent?key=" + KEY + "&clientuuid=c", "",
                    Map.of("Authorization", basic("alice", PASSWORD))).body()).contains("\"locked\": true");
            assertThat(send("POST", api + "remove?key=" + KEY + "&clientuuid=c", "",
                    Map.of("Authorization", basic("alice", PASSWORD))).statusCode()).isEqualTo(200);
        });
        assertThat(put.get().statusCode()).isEqualTo(200);
        assertThat(refused.get().statusCode()).isEqualTo(401);
        String id = put.get().headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{16}");

        assertThat(lines.stream().filter(l -> l.contains("activity.request: http")).toList()).as("one line per request").hasSize(4);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("activity.request: http", "id=" + id, "user=alice",
                "client=127.0.0.1", "method=POST", "op=put", "repo=photos.git", "key=" + KEY, "status=200", "in=5", "ms="));

        List<JsonNode> records = audit();
        assertThat(records).extracting(r -> r.get("operation").asText() + " " + r.get("result").asText() + " " + r.get("user").asText())
                // alice's own lock keeps the content: her removal is tried and fails.
                .containsExactly("store done alice", "remove refused anonymous", "lock done alice", "remove failed alice");
        JsonNode stored = records.get(0);
        assertThat(stored.get("id").asText()).isEqualTo(id);
        assertThat(stored.get("via").asText()).isEqualTo("http");
        assertThat(stored.get("key").asText()).isEqualTo(KEY);
        assertThat(stored.get("bytes").asLong()).isEqualTo(5);
        assertThat(stored.get("repository").asText()).isEqualTo("photos.git");
        assertThat(records.get(1).get("detail").asText()).isEqualTo("authentication required");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("activity.audit: remove", "result=refused", "user=anonymous"));

        String all = String.join("\n", lines) + Files.readString(AuditLog.of(git)) + send("GET", "/status.json", "", Map.of()).body()
                + send("GET", "/", "", Map.of()).body() + send("GET", "/metrics", "", Map.of()).body();
        assertThat(all).as("no password in a log line, audit record, status or metric")
                .doesNotContain(PASSWORD, basic("alice", PASSWORD).substring(6));
    }

    @Test
    void aTransferInFlightIsOnTheStatusPageUntilItsClientVanishes() throws Exception {
        start(HttpAccess.open(true));
        String slowKey = "SHA256E-s1000--0000000000000000000000000000000000000000000000000000000000000000";
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("POST " + api + "put?key=" + slowKey + "&clientuuid=c HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                    + "X-git-annex-data-length: 1000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[400]);
            out.flush();
            JsonNode transfer = awaitTransfer();
            assertThat(transfer.get("key").asText()).isEqualTo(slowKey);
            assertThat(transfer.get("direction").asText()).isEqualTo("upload");
            assertThat(transfer.get("repository").asText()).isEqualTo("photos.git");
            assertThat(transfer.get("bytes").asLong()).isEqualTo(400);
            assertThat(transfer.get("length").asLong()).isEqualTo(1000);
            String page = send("GET", "/", "", Map.of()).body();
            assertThat(page).contains("<h3>photos.git</h3>", "git clone http://x/photos.git", slowKey, "<td>400</td>", "upload");
            assertThat(send("GET", "/status.txt", "", Map.of()).body()).contains("upload " + slowKey + " at photos.git: 400 of 1000 bytes");
        }
        // The client is gone: the transfer ends, stores nothing, and is a failure the page shows.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonNode status;
        do {
            Thread.sleep(50);
            status = JSON.readTree(send("GET", "/status.json", "", Map.of()).body());
        } while ((status.get("transfers").size() > 0 || status.get("failures").size() == 0) && System.nanoTime() < deadline);
        assertThat(status.get("transfers")).isEmpty();
        assertThat(status.get("failures").get(0).get("request").asText()).contains(slowKey);
        assertThat(audit()).extracting(r -> r.get("operation").asText() + " " + r.get("result").asText()).containsExactly("store failed");
        assertThat(store.isPresent(org.annexhost.api.key.Key.parse(slowKey))).isFalse();
    }

    private JsonNode awaitTransfer() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode t = JSON.readTree(send("GET", "/status.json", "", Map.of()).body()).get("transfers");
            if (t.size() > 0 && t.get(0).get("bytes").asLong() == 400) {
                return t.get(0);
            }
            assertThat(System.nanoTime()).as("the transfer shows its 400 bytes").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void readinessTellsHowEachRemoteLastAnsweredAndNeverProbesIt() throws Exception {
        start(HttpAccess.open(true));
        Place repo = Place.repository("photos.git", git);
        assertThat(send("GET", "/readyz", "", Map.of()).body()).as("no remote reached yet: none listed").doesNotContain("reachable");
        activity.seen(repo.remote("cloud"), true, "");
        activity.failure(repo.remote("tape"), "store K", "connection refused");
        HttpResponse<String> ready = send("GET", "/readyz", "", Map.of());
        assertThat(ready.statusCode()).as("a remote behind the gateway does not make it unready").isEqualTo(200);
        JsonNode checks = JSON.readTree(ready.body()).get("checks");
        assertThat(checks.get("photos.git/cloud:reachable").get(0).get("status").asText()).isEqualTo("pass");
        JsonNode tape = checks.get("photos.git/tape:reachable").get(0);
        assertThat(tape.get("status").asText()).isEqualTo("warn");
        assertThat(tape.get("output").asText()).isEqualTo("connection refused");
        assertThat(tape.get("observedUnit").asText()).isEqualTo("s");
        assertThat(tape.get("observedValue").asLong()).isBetween(0L, 60L);
        assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("pass");
    }
}
