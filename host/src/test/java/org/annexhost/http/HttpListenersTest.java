package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files, a unix socket, --authenv over HTTPS only, --unauth-nolocking, --lockedfiles. */
@Timeout(60)
class HttpListenersTest {
    static final Uuid UUID = new Uuid("33333333-2222-3333-4444-555555555555");
    static final Key HELLO = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");
    @TempDir
    Path tmp;
    final FakeMonotonicClock clock = new FakeMonotonicClock(1);
    final MemoryStore store = new MemoryStore(clock, 600);

    P2pHttpServer server(HttpOptions o) throws Exception {
        PeerRegistry peers = new PeerRegistry();
        peers.add(new LocalPeer("t", new ProtocolServer(UUID, store, ProtocolServer.Options.of(clock)),
                new PeerThreads("peer-t", 16), InMemoryConnection.Timeouts.DEFAULT));
        P2pHttpServer s = new P2pHttpServer(o, peers, Map.of(), Duration.ofMinutes(10));
        s.start();
        return s;
    }

    static HttpClient trustingClient() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) {
            }

            public void checkServerTrusted(X509Certificate[] c, String a) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return HttpClient.newBuilder().sslContext(ssl).build();
    }

    static String basic(String user, String pw) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void httpsFromPemFilesWithAuthenvOverHttpsOnly() throws Exception {
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Sh.Result openssl = new Sh(Map.of()).run(tmp, Duration.ofMinutes(1), "openssl", "req", "-x509", "-newkey", "rsa:2048",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1");
        assertThat(openssl.code()).as(openssl.describe()).isZero();
        HttpAccess access = new HttpAccess(org.annexhost.access.Right.READ, true,
                Map.of("alice", new HttpAccess.User("pw", org.annexhost.access.Right.FULL)), false, true);
        try (P2pHttpServer s = server(new HttpOptions("127.0.0.1", 0, 4, 5, access, Optional.empty(), Optional.empty(),
                Optional.of(new HttpOptions.TlsFiles(cert, key, Optional.empty())), 100))) {
            store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
            String url = "https://127.0.0.1:" + s.port() + "/git-annex/" + UUID + "/v4/remove?clientuuid=c&key=" + HELLO;
            HttpResponse<String> r = trustingClient().send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", basic("alice", "pw")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).contains("\"removed\": true");
        }
        // The same credentials over plain HTTP are not accepted without --authenv-http.
        try (P2pHttpServer s = server(new HttpOptions("127.0.0.1", 0, 4, 5, access, Optional.empty()))) {
            store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
            String url = "http://127.0.0.1:" + s.port() + "/git-annex/" + UUID + "/v4/remove?clientuuid=c&key=" + HELLO;
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", basic("alice", "pw")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(store.isPresent(HELLO)).isTrue();
        }
    }

    @Test
    void unixSocket() throws Exception {
        Path socket = tmp.resolve("annex.sock");
        try (P2pHttpServer s = server(new HttpOptions("127.0.0.1", 0, 4, 5, HttpAccess.open(false), Optional.empty(),
                Optional.of(socket), Optional.empty(), 100));
             SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            String req = "POST /git-annex/" + UUID + "/v4/checkpresent?clientuuid=c&key=" + HELLO
                    + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder resp = new StringBuilder();
            while (ch.read(buf) > 0) {
                buf.flip();
                resp.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            assertThat(resp.toString()).startsWith("HTTP/1.1 200").contains("{\"present\": false}");
        }
    }

    @Test
    void unauthNolockingAndLockedFilesLimit() throws Exception {
        HttpAccess nolock = new HttpAccess(org.annexhost.access.Right.FULL, false, Map.of(), false, true);
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        try (P2pHttpServer s = server(new HttpOptions("127.0.0.1", 0, 4, 5, nolock, Optional.empty()))) {
            assertThat(post(s, "lockcontent?clientuuid=c&key=" + HELLO).statusCode()).isEqualTo(403);
            assertThat(post(s, "checkpresent?clientuuid=c&key=" + HELLO).statusCode()).isEqualTo(200);
        }
        try (P2pHttpServer s = server(new HttpOptions("127.0.0.1", 0, 4, 5, HttpAccess.open(false), Optional.empty(),
                Optional.empty(), Optional.empty(), 1))) {
            assertThat(post(s, "lockcontent?clientuuid=c&key=" + HELLO).body()).contains("\"locked\": true");
            assertThat(post(s, "lockcontent?clientuuid=c&key=" + HELLO).body()).isEqualTo("{\"locked\": false}\n");
        }
    }

    private static HttpResponse<String> post(P2pHttpServer s, String what) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                + "/git-annex/" + UUID + "/v4/" + what)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
