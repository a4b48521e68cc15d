package org.annexhost.p2p.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentLengthException;
import org.annexhost.p2p.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ConnectionTest {
    private static StreamConnection stream(String input, ByteArrayOutputStream out) {
        return new StreamConnection("test", new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out);
    }

    @Test
    void overLongLineBreaksTheConnection() throws Exception {
        StreamConnection c = stream("CHECKPRESENT WORM--" + "x".repeat(40_000) + "\n", new ByteArrayOutputStream());
        assertThatThrownBy(c::receive).isInstanceOf(ProtocolException.class).hasMessageContaining("longer than 32768");
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void lineCutShortByEndOfStreamIsAProtocolError() {
        StreamConnection c = stream("CHECKPRESENT WORM--x", new ByteArrayOutputStream());
        assertThatThrownBy(c::receive).isInstanceOf(ProtocolException.class).hasMessageContaining("middle of a protocol line");
    }

    @Test
    void cleanEndOfStreamIsConnectionClosed() {
        StreamConnection c = stream("", new ByteArrayOutputStream());
        assertThatThrownBy(c::receive).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void unreadDataBreaksTheConnectionAtTheNextReceive() throws Exception {
        StreamConnection c = stream("DATA 5\nhelloSUCCESS\n", new ByteArrayOutputStream());
        assertThat(c.receive()).contains(new Message.Data(5));
        assertThatThrownBy(c::receive).isInstanceOf(ProtocolException.class).hasMessageContaining("not read to its end");
    }

    @Test
    void dataAndNextLineShareTheStream() throws Exception {
        StreamConnection c = stream("DATA 5\nhelloSUCCESS\n", new ByteArrayOutputStream());
        c.receive();
        assertThat(c.receivedContent().counted().readAllBytes()).asString().isEqualTo("hello");
        assertThat(c.receive()).contains(new Message.Success());
    }

    @Test
    void shortDataIsContentLengthException() throws Exception {
        StreamConnection c = stream("DATA 5\nhel", new ByteArrayOutputStream());
        c.receive();
        InputStream in = c.receivedContent().counted();
        assertThatThrownBy(in::readAllBytes).isInstanceOf(ContentLengthException.class)
                .hasMessage("content ended after 3 of 5 declared bytes");
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void sendingShortContentClosesTheConnection() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamConnection c = stream("", out);
        assertThatThrownBy(() -> c.sendContent(new Content(5, new ByteArrayInputStream(new byte[3]))))
                .isInstanceOf(ContentLengthException.class);
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void authTokensAreRedactedInLogs() {
        assertThat(StreamConnection.redact("AUTH uuid-1 s3cr3t")).isEqualTo("AUTH uuid-1 <redacted>");
    }

    @Test
    void closeWakesABlockedInMemoryReceive() throws Exception {
        InMemoryConnection.Pair pair = InMemoryConnection.pair("wake");
        CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                pair.server().receive();
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(100);
        pair.client().close();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void inMemorySenderWaitsUntilTheContentIsConsumed() throws Exception {
        InMemoryConnection.Pair pair = InMemoryConnection.pair("consume");
        CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
            try {
                pair.client().sendContent(new Content(5, new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8))));
                pair.client().send(new Message.Validity(true));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(pair.server().receive()).contains(new Message.Data(5));
        Thread.sleep(100);
        assertThat(send).isNotDone();
        assertThat(pair.server().receivedContent().counted().readAllBytes()).asString().isEqualTo("hello");
        send.get(5, TimeUnit.SECONDS);
        assertThat(pair.server().receive()).contains(new Message.Validity(true));
    }

    @Test
    void inMemoryShortContentBreaksBothEnds() throws Exception {
        InMemoryConnection.Pair pair = InMemoryConnection.pair("short", new InMemoryConnection.Timeouts(
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)));
        CompletableFuture<Throwable> send = CompletableFuture.supplyAsync(() -> {
            try {
                pair.client().sendContent(new Content(5, new ByteArrayInputStream(new byte[2])));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        pair.server().receive();
        assertThatThrownBy(() -> pair.server().receivedContent().counted().readAllBytes())
                .isInstanceOf(ContentLengthException.class);
        assertThat(send.get(5, TimeUnit.SECONDS)).isInstanceOf(ConnectionClosedException.class);
        assertThat(pair.client().isClosed()).isTrue();
        assertThat(pair.server().isClosed()).isTrue();
    }
}
