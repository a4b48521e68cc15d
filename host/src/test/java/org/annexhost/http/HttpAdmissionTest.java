package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Slow and vanished clients, and held locks, against a small server: none of them may keep the
 * server from answering everyone else, and a full server says 503 with Retry-After, never 500.
 */
@Timeout(120)
class HttpAdmissionTest {
    static final Uuid UUID = new Uuid("11111111-2222-3333-4444-555555555555");
    static final Key BIG = Key.parse("WORM-s33554432-m1--big");
    static final Key SMALL = Key.parse("WORM-s5-m1--small");
    final FakeMonotonicClock clock = new FakeMonotonicClock(1000);
    final MemoryStore store = new MemoryStore(clock, 600);
    final List<Socket> clients = new ArrayList<>();
    P2pHttpServer server;
    String api;

    void start(int jobs, int peerConversations, int lockedFiles, Duration clientIdle) throws Exception {
        PeerRegistry peers = new PeerRegistry();
        peers.add(new LocalPeer("test", new ProtocolServer(UUID, store, ProtocolServer.Options.of(clock)),
                new PeerThreads("peer-test", peerConversations), new PeerThreads("locks-test", lockedFiles + 4),
                InMemoryConnection.Timeouts.DEFAULT));
        server = new P2pHttpServer(new HttpOptions("127.0.0.1", 0, jobs, 5, HttpAccess.open(false), Optional.empty(),
                Optional.empty(), Optional.empty(), lockedFiles, 1, clientIdle, TrustedProxy.none()), peers, Map.of(), Duration.ofMinutes(10));
        server.start();
        api = "/git-annex/" + UUID + "/v4/";
        store.put(BIG, new byte[32 << 20]);
        store.put(SMALL, "small".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : clients) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A client that asks for the big key, reads a little, and stops reading. */
    Socket stalledDownload() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", server.port()));
        clients.add(s);
        s.getOutputStream().write(("GET " + api + "key/" + BIG + "?clientuuid=c HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        s.getInputStream().readNBytes(1024);
        return s;
    }

    /** A client that starts a PUT and then sends nothing more. */
    Socket stalledUpload(int n) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        clients.add(s);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + api + "put?key=WORM-s100-m1--slow" + n + "&clientuuid=c HTTP/1.1\r\nHost: x\r\n"
                + "X-git-annex-data-length: 100\r\nContent-Length: 100\r\n\r\nab").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return s;
    }

    RawHttp.Reply post(String operation) throws IOException {
        return RawHttp.send(server.port(), "POST", api + operation, Map.of("Content-Length", "0"), null);
    }

    RawHttp.Reply checkPresentWithin(Duration limit) throws IOException {
        long t0 = System.nanoTime();
        RawHttp.Reply r = post("checkpresent?key=" + SMALL + "&clientuuid=c");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("checkpresent answered in time").isLessThan(limit);
        return r;
    }

    @Test
    void clientsThatStopReadingOrSendingDoNotStarveTheOthers() throws Exception {
        start(4, 64, 100, Duration.ofSeconds(60));
        for (int i = 0; i < 4; i++) {
            stalledDownload();
        }
        for (int i = 0; i < 6; i++) {
            stalledUpload(i);
        }
        Thread.sleep(300);
        for (int i = 0; i < 8; i++) {
            RawHttp.Reply r = checkPresentWithin(Duration.ofSeconds(5));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("\"present\": true");
        }
    }

    @Test
    void aStalledClientIsCutOffAtTheClientDeadline() throws Exception {
        start(2, 64, 100, Duration.ofSeconds(2));
        int before = server.openConversations();
        Socket stalled = stalledDownload();
        Socket upload = stalledUpload(1);
        // The server gives up on both within the deadline (plus slack): the sockets see the end,
        // and the conversations they held are given back.
        Thread.sleep(4_000);
        stalled.setSoTimeout(10_000);
        upload.setSoTimeout(10_000);
        assertThat(bytesUntilEnd(stalled.getInputStream())).as("download cut off before its end")
                .isBetween(0L, (32L << 20) - 1);
        assertThat(bytesUntilEnd(upload.getInputStream())).as("upload answered or closed").isGreaterThanOrEqualTo(0);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.openConversations() > before + 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.openConversations()).isLessThanOrEqualTo(before + 1);
        assertThat(store.isPresent(Key.parse("WORM-s100-m1--slow1"))).isFalse();
        assertThat(checkPresentWithin(Duration.ofSeconds(5)).status()).isEqualTo(200);
    }

    @Test
    void locksNeverTakeJobsOrConversationsAndAreBoundedByLockedFiles() throws Exception {
        start(2, 16, 30, Duration.ofSeconds(60));
        // 20 locks nobody keeps: each holds a conversation on the lock lane for the retention period.
        for (int i = 0; i < 20; i++) {
            assertThat(post("lockcontent?key=" + SMALL + "&clientuuid=c").body()).startsWith("{\"locked\": true");
        }
        for (int i = 0; i < 20; i++) {
            assertThat(checkPresentWithin(Duration.ofSeconds(5)).status()).isEqualTo(200);
        }
        RawHttp.Reply put = RawHttp.send(server.port(), "POST", api + "put?key=WORM-s5-m1--new&clientuuid=c",
                Map.of("Content-Length", "5", "X-git-annex-data-length", "5"), "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.body()).contains("\"stored\": true");
        for (int i = 0; i < 10; i++) {
            assertThat(post("lockcontent?key=" + SMALL + "&clientuuid=c").body()).startsWith("{\"locked\": true");
        }
        // The 31st lock: a plain refusal, and every other request is still served.
        RawHttp.Reply refused = post("lockcontent?key=" + SMALL + "&clientuuid=c");
        assertThat(refused.status()).isEqualTo(200);
        assertThat(refused.body()).isEqualTo("{\"locked\": false}\n");
        assertThat(checkPresentWithin(Duration.ofSeconds(5)).status()).isEqualTo(200);
    }

    @Test
    void aFullPeerIsAnsweredWith503AndRetryAfterNever500() throws Exception {
        start(8, 2, 100, Duration.ofSeconds(60));
        stalledDownload();
        stalledDownload();
        Thread.sleep(300);
        RawHttp.Reply r = post("checkpresent?key=" + SMALL + "&clientuuid=c");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.headers()).containsKey("retry-after");
        assertThat(r.body()).contains("busy").doesNotContain("internal error");
    }

    /** @return the bytes read until the server closed; -1 if it kept the connection open */
    private static long bytesUntilEnd(InputStream in) {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
            }
            return total;
        } catch (java.net.SocketTimeoutException e) {
            return -1;
        } catch (IOException reset) {
            return total;
        }
    }
}
