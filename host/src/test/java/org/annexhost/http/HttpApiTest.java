package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.annexhost.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The annex HTTP API endpoint by endpoint, version by version, over real sockets. */
@Timeout(60)
class HttpApiTest {
    static final Uuid UUID = new Uuid("11111111-2222-3333-4444-555555555555");
    static final Key HELLO = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");
    final FakeMonotonicClock clock = new FakeMonotonicClock(1000);
    final MemoryStore store = new MemoryStore(clock, 600);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    P2pHttpServer server;
    String base;

    void start(HttpAccess access) throws Exception {
        PeerRegistry peers = new PeerRegistry();
        peers.add(new LocalPeer("test", new ProtocolServer(UUID, store, ProtocolServer.Options.of(clock)),
                new PeerThreads("peer-test", 32), InMemoryConnection.Timeouts.DEFAULT));
        server = new P2pHttpServer(new HttpOptions("127.0.0.1", 0, 4, 5, access, Optional.empty()), peers, Map.of(),
                Duration.ofMinutes(10));
        server.start();
        base = "http://127.0.0.1:" + server.port() + "/git-annex/" + UUID;
    }

    void start() throws Exception {
        start(HttpAccess.open(false));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws Exception {
        return post(path, "", Map.of());
    }

    HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void checkpresentInEveryVersion(int v) throws Exception {
        start();
        assertThat(post("/v" + v + "/checkpresent?key=" + HELLO + "&clientuuid=c").body()).isEqualTo("{\"present\": false}\n");
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/v" + v + "/checkpresent?key=" + HELLO + "&clientuuid=c").body()).isEqualTo("{\"present\": true}\n");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void putInEveryVersion(int v) throws Exception {
        start();
        HttpResponse<String> r = post("/v" + v + "/put?key=" + HELLO + "&clientuuid=c&associatedfile=a%20b.txt", "hello",
                Map.of("X-git-annex-data-length", "5", "Content-Type", "application/octet-stream"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(v >= 2 ? "{\"stored\": true, \"plusuuids\": []}\n" : "{\"stored\": true}\n");
        assertThat(store.get(HELLO)).hasValueSatisfying(b -> assertThat(b).asString().isEqualTo("hello"));
    }

    @Test
    void dataPresentInVersion4() throws Exception {
        start();
        assertThat(post("/v4/put?key=" + HELLO + "&clientuuid=c&data-present=true", "", Map.of("X-git-annex-data-length", "0")).body())
                .isEqualTo("{\"stored\": false, \"plusuuids\": []}\n");
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        store.remove(HELLO, java.util.OptionalLong.empty());
        store.putPartial(HELLO, new byte[0]);
        assertThat(post("/v3/put?key=" + HELLO + "&clientuuid=c&data-present=true", "", Map.of("X-git-annex-data-length", "0")).statusCode())
                .isEqualTo(400);
    }

    @Test
    void getKeyWithLengthHeadersOffsetAndRange() throws Exception {
        start();
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = get("/v4/key/" + HELLO + "?clientuuid=c&offset=1", Map.of());
        assertThat(r.body()).isEqualTo("ello");
        assertThat(r.headers().firstValue("X-git-annex-data-length")).contains("4");
        HttpResponse<String> generic = get("/key/" + HELLO, Map.of());
        assertThat(generic.body()).isEqualTo("hello");
        HttpResponse<String> range = get("/key/" + HELLO, Map.of("Range", "bytes=1-2"));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo("el");
        assertThat(range.headers().firstValue("Content-Range")).contains("bytes 1-2/5");
        HttpResponse<String> v0 = get("/v0/key/" + HELLO + "?clientuuid=c", Map.of());
        assertThat(v0.headers().firstValue("X-git-annex-data-length")).isEmpty();
        assertThat(get("/key/SHA256E-s1--00", Map.of()).statusCode()).isEqualTo(404);
        String b64 = "[" + Base64.getUrlEncoder().encodeToString(HELLO.toString().getBytes(StandardCharsets.UTF_8)) + "]";
        assertThat(get("/key/" + b64.replace("[", "%5B").replace("]", "%5D"), Map.of()).body()).isEqualTo("hello");
    }

    @Test
    void removeRemoveBeforeAndTimestamps() throws Exception {
        start();
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/v2/remove-before?key=" + HELLO + "&clientuuid=c&timestamp=2000").statusCode()).isEqualTo(404);
        assertThat(post("/v3/gettimestamp?clientuuid=c").body()).isEqualTo("{\"timestamp\": 1000}\n");
        assertThat(post("/v4/remove-before?key=" + HELLO + "&clientuuid=c&timestamp=1000").body())
                .isEqualTo("{\"removed\": false, \"plusuuids\": []}\n");
        assertThat(store.isPresent(HELLO)).isTrue();
        assertThat(post("/v1/remove?key=" + HELLO + "&clientuuid=c").body()).isEqualTo("{\"removed\": true}\n");
        assertThat(store.isPresent(HELLO)).isFalse();
    }

    @Test
    void putoffsetAfterAnInterruptedUpload() throws Exception {
        start();
        store.putPartial(HELLO, "hel".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/v4/putoffset?key=" + HELLO + "&clientuuid=c").body()).isEqualTo("{\"offset\": 3}\n");
        HttpResponse<String> r = post("/v4/put?key=" + HELLO + "&clientuuid=c&offset=3", "lo", Map.of("X-git-annex-data-length", "2"));
        assertThat(r.body()).contains("\"stored\": true");
        assertThat(post("/v4/putoffset?key=" + HELLO + "&clientuuid=c").body()).isEqualTo("{\"alreadyhave\": true, \"plusuuids\": []}\n");
    }

    @Test
    void bodyShorterOrLongerThanDeclaredStoresNothingAndTheNextRequestWorks() throws Exception {
        start();
        HttpResponse<String> shortBody = post("/v4/put?key=" + HELLO + "&clientuuid=c", "hel", Map.of("X-git-annex-data-length", "5"));
        assertThat(shortBody.statusCode()).isEqualTo(400);
        assertThat(store.isPresent(HELLO)).isFalse();
        HttpResponse<String> longBody = post("/v4/put?key=" + HELLO + "&clientuuid=c", "hello world", Map.of("X-git-annex-data-length", "5"));
        assertThat(longBody.statusCode()).isEqualTo(400);
        assertThat(store.isPresent(HELLO)).isFalse();
        assertThat(post("/v4/checkpresent?key=" + HELLO + "&clientuuid=c").statusCode()).isEqualTo(200);
    }

    @Test
    void hostileAndMalformedRequestsGetClearErrors() throws Exception {
        start();
        HttpResponse<String> hostile = post("/v4/put?key=SHA256E-s1--..%2F..%2Fx&clientuuid=c", "x", Map.of("X-git-annex-data-length", "1"));
        assertThat(hostile.statusCode()).isEqualTo(400);
        assertThat(hostile.body()).contains("path separator");
        String b64 = "[" + Base64.getUrlEncoder().encodeToString("SHA256E-s1--../../x".getBytes(StandardCharsets.UTF_8)) + "]";
        assertThat(post("/v4/checkpresent?key=" + b64 + "&clientuuid=c").statusCode()).isEqualTo(400);
        assertThat(post("/v4/checkpresent?clientuuid=c").body()).contains("missing parameter key");
        assertThat(post("/v4/checkpresent?key=" + HELLO).body()).contains("missing parameter clientuuid");
        assertThat(post("/v4/put?key=" + HELLO + "&clientuuid=c", "hello", Map.of()).body()).contains("X-git-annex-data-length");
        assertThat(post("/v9/checkpresent?key=" + HELLO + "&clientuuid=c").statusCode()).isEqualTo(404);
        base = base.replace(UUID.value(), "99999999-0000-0000-0000-000000000000");
        assertThat(post("/v4/checkpresent?key=" + HELLO + "&clientuuid=c").statusCode()).isEqualTo(404);
        assertThat(store.isPresent(Key.parse("SHA256E-s1--x"))).isFalse();
    }

    @Test
    void keysStayBytesOverHttpAndBadEncodingIsTheClientsError() throws Exception {
        start();
        Key cafe = Key.parse("WORM-s3-m1--caf\u00e9");
        store.put(cafe, "abc".getBytes(StandardCharsets.UTF_8));
        String utf8 = "[" + Base64.getUrlEncoder().encodeToString(cafe.toBytes()) + "]";
        assertThat(post("/v4/checkpresent?key=" + utf8 + "&clientuuid=c").body()).contains("\"present\": true");
        assertThat(post("/v4/checkpresent?key=WORM-s3-m1--caf%C3%A9&clientuuid=c").body()).contains("\"present\": true");
        // The same name with a latin-1 byte: another key, which cannot be named here. Never "present".
        byte[] latin1 = {'W', 'O', 'R', 'M', '-', 's', '3', '-', 'm', '1', '-', '-', 'c', 'a', 'f', (byte) 0xe8};
        HttpResponse<String> b64 = post("/v4/checkpresent?key=[" + Base64.getUrlEncoder().encodeToString(latin1) + "]&clientuuid=c");
        assertThat(b64.statusCode()).isEqualTo(400);
        assertThat(b64.body()).contains("not valid UTF-8");
        assertThat(post("/v4/checkpresent?key=WORM-s3-m1--caf%E8&clientuuid=c").statusCode()).isEqualTo(400);
        assertThat(get("/v4/key/WORM-s3-m1--caf%E8?clientuuid=c", Map.of()).statusCode()).isEqualTo(400);
        // Malformed percent-encoding and invalid UTF-8 anywhere in the query: 400, never 500.
        String path = "/git-annex/" + UUID + "/v4/checkpresent?";
        for (String query : new String[] {"key=%ZZ&clientuuid=c", "key=" + HELLO + "&clientuuid=%ff%fe", "key=%&clientuuid=c",
                "key=" + HELLO + "&clientuuid=c&x=%C3%28", "%ff=1&key=" + HELLO + "&clientuuid=c", "key=%E8%&clientuuid=c"}) {
            RawHttp.Reply r = RawHttp.send(server.port(), "POST", path + query, Map.of("Content-Length", "0"), null);
            assertThat(r.status()).as(query).isIn(200, 400);
            assertThat(r.body()).as(query).doesNotContain("internal error");
        }
        assertThat(RawHttp.send(server.port(), "POST", path + "key=%ZZ&clientuuid=c", Map.of("Content-Length", "0"), null)
                .body()).contains("malformed percent-encoding");
        assertThat(post("/v4/checkpresent?key=WORM-s03-m1--caf%C3%A9&clientuuid=c").statusCode()).isEqualTo(400);
    }

    @Test
    void malformedBodiesAreTheClientsErrorAndStoreNothing() throws Exception {
        start();
        String put = "/git-annex/" + UUID + "/v4/put?key=" + HELLO + "&clientuuid=c";
        Map<String, String> chunked = Map.of("Transfer-Encoding", "chunked", "X-git-annex-data-length", "5");
        byte[][] bodies = {
            "zz\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),           // a size that is not hex
            "9\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),            // a size that lies
            "0\r\nX-Trailer: only\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),         // trailers, no data
            "5\r\nhel".getBytes(StandardCharsets.ISO_8859_1),                                // cut short
            "ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), // overflowing size
            "3\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),            // a chunk longer than its size
            "-1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),                           // a negative size
            "ffffffffffffffffffff\r\nx\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
            "5\r\nab".getBytes(StandardCharsets.ISO_8859_1),
        };
        for (byte[] body : bodies) {
            // The last broken request's conversation ends on the server's own time; the strict
            // store would take a PUT of the same key before that as a second, concurrent upload.
            for (int i = 0; i < 200 && store.uploading(HELLO); i++) {
                Thread.sleep(10);
            }
            RawHttp.Reply r = sendThenClose(put, chunked, body);
            String what = new String(body, StandardCharsets.ISO_8859_1).replace("\r\n", "|");
            assertThat(r.status()).as(what).isIn(-1, 400);
            assertThat(r.body()).as(what).doesNotContain("internal error");
            assertThat(store.isPresent(HELLO)).as(what).isFalse();
        }
        for (int i = 0; i < 200 && store.uploading(HELLO); i++) {
            Thread.sleep(10);
        }
        RawHttp.Reply cut = sendThenClose(put, Map.of("Content-Length", "5", "X-git-annex-data-length", "5"),
                "hel".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(cut.status()).isIn(-1, 400);
        assertThat(store.isPresent(HELLO)).isFalse();
        assertThat(post("/v4/checkpresent?key=" + HELLO + "&clientuuid=c").statusCode()).isEqualTo(200);
    }

    /** Sends the request and half-closes, so a body cut short ends where it ends. */
    private RawHttp.Reply sendThenClose(String target, Map<String, String> headers, byte[] body) throws Exception {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(("POST " + target + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.ISO_8859_1));
        headers.forEach((k, v) -> b.writeBytes((k + ": " + v + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(body);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(b.toByteArray());
            s.shutdownOutput();
            return RawHttp.read(s.getInputStream());
        }
    }

    @Test
    void aRangeBeyondTheEndIs416() throws Exception {
        start();
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> past = get("/v4/key/" + HELLO + "?clientuuid=c", Map.of("Range", "bytes=100-"));
        assertThat(past.statusCode()).isEqualTo(416);
        assertThat(past.headers().firstValue("Content-Range")).contains("bytes */5");
        assertThat(get("/v4/key/" + HELLO + "?clientuuid=c", Map.of("Range", "bytes=5-")).statusCode()).isEqualTo(416);
        HttpResponse<String> last = get("/v4/key/" + HELLO + "?clientuuid=c", Map.of("Range", "bytes=4-"));
        assertThat(last.statusCode()).isEqualTo(206);
        assertThat(last.body()).isEqualTo("o");
    }

    @Test
    void lockcontentAndKeeplocked() throws Exception {
        start();
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        String lock = post("/v4/lockcontent?key=" + HELLO + "&clientuuid=c").body();
        assertThat(lock).startsWith("{\"locked\": true, \"lockid\": ");
        String id = lock.replaceAll(".*\"lockid\": \"([^\"]+)\".*\\s*", "$1");
        assertThat(store.isLocked(HELLO)).isTrue();
        assertThat(post("/v4/keeplocked?lockid=" + id + "&clientuuid=c", "{\"unlock\": false}\n{\"unlock\": true}\n", Map.of()).body())
                .isEqualTo("{\"locked\": false}\n");
        Thread.sleep(200);
        assertThat(store.isLocked(HELLO)).isFalse();

        String again = post("/v4/lockcontent?key=" + HELLO + "&clientuuid=c").body();
        String id2 = again.replaceAll(".*\"lockid\": \"([^\"]+)\".*\\s*", "$1");
        // The keeplocked connection ends without an unlock: the lock stays for the retention period.
        assertThat(post("/v4/keeplocked?lockid=" + id2 + "&clientuuid=c", "{\"unlock\": false}\n", Map.of()).body())
                .isEqualTo("{\"locked\": false}\n");
        Thread.sleep(200);
        assertThat(store.isLocked(HELLO)).isTrue();
        clock.advance(600);
        assertThat(store.isLocked(HELLO)).isFalse();
        assertThat(post("/v4/lockcontent?key=SHA256E-s1--abc&clientuuid=c").body()).isEqualTo("{\"locked\": false}\n");
    }

    @Test
    void permissionsAreEnforcedPerRequest() throws Exception {
        start(new HttpAccess(org.annexhost.access.Right.READ, true, Map.of("alice", new HttpAccess.User("s3cr3t", org.annexhost.access.Right.FULL)), true, true));
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/v4/checkpresent?key=" + HELLO + "&clientuuid=c").statusCode()).isEqualTo(200);
        HttpResponse<String> put = post("/v4/put?key=WORM--x&clientuuid=c", "x", Map.of("X-git-annex-data-length", "1"));
        assertThat(put.statusCode()).isEqualTo(401);
        assertThat(put.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).contains("realm=\"git-annex\""));
        assertThat(post("/v4/remove?key=" + HELLO + "&clientuuid=c").statusCode()).isEqualTo(401);
        String bad = "Basic " + Base64.getEncoder().encodeToString("alice:wrong".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/v4/remove?key=" + HELLO + "&clientuuid=c", "", Map.of("Authorization", bad)).statusCode()).isEqualTo(401);
        String good = "Basic " + Base64.getEncoder().encodeToString("alice:s3cr3t".getBytes(StandardCharsets.UTF_8));
        assertThat(post("/v4/remove?key=" + HELLO + "&clientuuid=c", "", Map.of("Authorization", good)).body()).contains("\"removed\": true");
        assertThat(new HttpAccess(org.annexhost.access.Right.NONE, true, Map.of("a", new HttpAccess.User("pw", org.annexhost.access.Right.READ)), true, true).toString()).doesNotContain("pw");
    }

    @Test
    void anEmptyPasswordIsRefusedAtStartup() {
        // git-annex lets such a user in with an empty password and full rights.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpAccess.usersFromEnvironment(
                        Map.of("GIT_ANNEX_P2PHTTP_PASSWORD_eve", "", "GIT_ANNEX_P2PHTTP_PASSWORD_bob", "pw")))
                .hasMessageContaining("GIT_ANNEX_P2PHTTP_PASSWORD_eve is empty");
        assertThat(HttpAccess.usersFromEnvironment(Map.of("GIT_ANNEX_P2PHTTP_PASSWORD_bob", "pw"))).containsOnlyKeys("bob");
    }

    @Test
    void openBindWithoutPolicyIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                new HttpOptions("0.0.0.0", 0, 4, 5, HttpAccess.open(false), Optional.empty()))
                .hasMessageContaining("without an access policy");
    }

    @Test
    void idleConversationsWithAProxiedRemoteAreBoundedByProxyConnections() throws Exception {
        PeerRegistry peers = new PeerRegistry();
        peers.add(new LocalPeer("proxied", new ProtocolServer(UUID, store, ProtocolServer.Options.of(clock)),
                new PeerThreads("peer-proxied", 32), InMemoryConnection.Timeouts.DEFAULT));
        server = new P2pHttpServer(new HttpOptions("127.0.0.1", 0, 4, 5, HttpAccess.open(false), Optional.empty(),
                Optional.empty(), Optional.empty(), 100, 1), peers, Map.of(), Duration.ofMinutes(10));
        server.start();
        base = "http://127.0.0.1:" + server.port() + "/git-annex/" + UUID;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<HttpResponse<String>>> replies = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                replies.add(pool.submit(() -> post("/v4/checkpresent?key=" + HELLO + "&clientuuid=c")));
            }
            for (java.util.concurrent.Future<HttpResponse<String>> r : replies) {
                assertThat(r.get().statusCode()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.openConversations()).as("idle conversations kept with a proxied remote").isLessThanOrEqualTo(1);
    }

    @Test
    void conversationsAreReusedNotLeaked() throws Exception {
        start();
        for (int i = 0; i < 50; i++) {
            post("/v4/checkpresent?key=" + HELLO + "&clientuuid=c");
        }
        assertThat(server.openConversations()).isLessThanOrEqualTo(4);
    }
}
