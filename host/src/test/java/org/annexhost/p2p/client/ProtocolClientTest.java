package org.annexhost.p2p.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client and the server, each written once, talking over the internal transport. */
@Timeout(20)
class ProtocolClientTest {
    static final Key HELLO = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");
    final FakeMonotonicClock clock = new FakeMonotonicClock(500);
    final MemoryStore store = new MemoryStore(clock, 600);
    InMemoryConnection.Pair pair;
    Thread serverThread;
    ProtocolClient client;

    @BeforeEach
    void start() {
        pair = InMemoryConnection.pair("client-test");
        ProtocolServer server = new ProtocolServer(new Uuid("server"), store, ProtocolServer.Options.of(clock));
        serverThread = new Thread(() -> {
            try (var c = pair.server()) {
                server.serve(c);
            } catch (IOException e) {
                // the test's client decides what happens
            }
        });
        serverThread.start();
        client = new ProtocolClient(pair.client());
    }

    @AfterEach
    void stop() throws InterruptedException {
        pair.client().close();
        serverThread.join(5000);
        assertThat(serverThread.isAlive()).isFalse();
    }

    private static Content hello(long offset) {
        byte[] b = "hello".getBytes(StandardCharsets.UTF_8);
        return new Content(b.length - offset, new ByteArrayInputStream(b, (int) offset, (int) (b.length - offset)));
    }

    @Test
    void negotiatesAndStoresAndRetrieves() throws IOException {
        assertThat(client.negotiate(ProtocolVersion.LATEST)).isEqualTo(ProtocolVersion.LATEST);
        assertThat(client.checkPresent(HELLO).kind()).isEqualTo(ClientReply.Kind.FAILURE);
        assertThat(client.put(HELLO, AssociatedFile.of("a b.txt"), ProtocolClientTest::hello).kind())
                .isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(client.put(HELLO, AssociatedFile.NONE, ProtocolClientTest::hello).kind())
                .isEqualTo(ClientReply.Kind.ALREADY_HAVE);
        AtomicReference<String> got = new AtomicReference<>();
        ClientReply r = client.get(HELLO, AssociatedFile.NONE, 1, c -> {
            got.set(new String(c.counted().readAllBytes(), StandardCharsets.UTF_8));
            return true;
        });
        assertThat(r.ok()).isTrue();
        assertThat(got.get()).isEqualTo("ello");
    }

    @Test
    void resumesFromTheServersOffset() throws IOException {
        store.putPartial(HELLO, "hel".getBytes(StandardCharsets.UTF_8));
        client.negotiate(ProtocolVersion.LATEST);
        AtomicReference<Long> askedFrom = new AtomicReference<>();
        ClientReply r = client.put(HELLO, AssociatedFile.NONE, offset -> {
            askedFrom.set(offset);
            return hello(offset);
        });
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(askedFrom.get()).isEqualTo(3);
        assertThat(store.get(HELLO)).hasValueSatisfying(b -> assertThat(b).asString().isEqualTo("hello"));
    }

    @Test
    void lockHoldsAgainstRemoveOnAnotherConnection() throws IOException {
        store.put(HELLO, "hello".getBytes(StandardCharsets.UTF_8));
        client.negotiate(ProtocolVersion.LATEST);
        assertThat(client.lockContent(HELLO)).isTrue();
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isFalse();
        client.unlockContent();
        assertThat(client.removeBefore(client.getTimestamp() + 10, HELLO).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.isPresent(HELLO)).isFalse();
    }

    @Test
    void getOfAbsentContentFails() throws IOException {
        client.negotiate(ProtocolVersion.LATEST);
        ClientReply r = client.get(HELLO, AssociatedFile.NONE, 0, c -> {
            c.counted().readAllBytes();
            return true;
        });
        assertThat(r.kind()).isEqualTo(ClientReply.Kind.FAILURE);
    }

    @Test
    void oldVersionHasNoValidity() throws IOException {
        assertThat(client.negotiate(ProtocolVersion.V0)).isEqualTo(ProtocolVersion.V0);
        assertThat(client.put(HELLO, AssociatedFile.NONE, ProtocolClientTest::hello).kind())
                .isEqualTo(ClientReply.Kind.SUCCESS);
    }
}
