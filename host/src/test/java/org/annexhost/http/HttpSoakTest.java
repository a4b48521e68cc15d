package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.annexhost.api.Uuid;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Twenty times --jobs mixed requests at once, a third of them from clients that vanish mid-request
 * (a put body cut short, a download abandoned after its headers). Every other request must be
 * answered, nothing may hang, and no conversation may leak.
 */
@Timeout(120)
class HttpSoakTest {
    static final Uuid UUID = new Uuid("22222222-2222-3333-4444-555555555555");
    static final int JOBS = 2;

    @Test
    void mixedRequestsWithVanishingClients() throws Exception {
        FakeMonotonicClock clock = new FakeMonotonicClock(1);
        MemoryStore store = new MemoryStore(clock, 600);
        PeerRegistry peers = new PeerRegistry();
        peers.add(new LocalPeer("soak", new ProtocolServer(UUID, store, ProtocolServer.Options.of(clock)),
                new PeerThreads("peer-soak", 64), InMemoryConnection.Timeouts.DEFAULT));
        try (P2pHttpServer server = new P2pHttpServer(new HttpOptions("127.0.0.1", 0, JOBS, 30, HttpAccess.open(false),
                Optional.empty()), peers, Map.of(), Duration.ofMinutes(10))) {
            server.start();
            String base = "http://127.0.0.1:" + server.port() + "/git-annex/" + UUID + "/v4/";
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Integer>> answered = new ArrayList<>();
            int vanished = 0;
            for (int i = 0; i < 20 * JOBS; i++) {
                GeneratedContent g = new GeneratedContent(20_000 + i, i);
                Key k = g.key();
                int kind = i % 6;
                if (kind == 4 || kind == 5) {
                    vanished++;
                    answered.add(pool.submit(() -> vanish(server.port(), k, kind == 4)));
                    continue;
                }
                answered.add(pool.submit(() -> {
                    byte[] body = g.stream(0).readAllBytes();
                    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "put?clientuuid=c&key=" + k))
                            .header("X-git-annex-data-length", Integer.toString(body.length))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(put.body()).contains("\"stored\": true");
                    String op = switch (kind) {
                        case 0 -> "checkpresent";
                        case 1 -> "lockcontent";
                        case 2 -> "remove";
                        default -> "gettimestamp";
                    };
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + op + "?clientuuid=c&key=" + k))
                            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    return r.statusCode();
                }));
            }
            int ok = 0;
            for (Future<Integer> f : answered) {
                Integer status = f.get(90, TimeUnit.SECONDS);
                if (status == 200) {
                    ok++;
                }
            }
            pool.shutdownNow();
            assertThat(ok).as("answered requests").isEqualTo(20 * JOBS - vanished);
            HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(base + "gettimestamp?clientuuid=c"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(after.statusCode()).isEqualTo(200);
            // Idle pooled conversations are bounded; held locks (lockcontent without keeplocked) are the rest.
            assertThat(server.openConversations()).as("conversations open after the soak").isLessThanOrEqualTo(4 + 7);
        }
    }

    /** A client that sends part of a request and disappears. */
    private static int vanish(int port, Key key, boolean midPut) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            String path = "/git-annex/" + UUID + "/v4/" + (midPut ? "put" : "key/" + key) + "?clientuuid=c&key=" + key;
            String head = (midPut ? "POST " : "GET ") + path + " HTTP/1.1\r\nHost: x\r\n"
                    + (midPut ? "X-git-annex-data-length: 20000\r\nContent-Length: 20000\r\n" : "") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            if (midPut) {
                out.write(new byte[500]);
            }
            out.flush();
            Thread.sleep(100);
        }
        return -1;
    }
}
