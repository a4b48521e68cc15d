package org.annexhost.p2p.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.codec.BoundedLineReader;
import org.annexhost.p2p.message.GitService;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.p2p.transport.StreamConnection;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** NOTIFYCHANGE waits for refs, and notices the client leaving as git-annex-shell does. */
@Timeout(30)
class NotifyChangeTest {
    /** Refs that change only when the test says so. */
    static final class ScriptedRefs implements RepositoryServices {
        final LinkedBlockingQueue<List<String>> changes = new LinkedBlockingQueue<>();

        @Override
        public Process startService(GitService service, ServerMode mode) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> awaitRefChange(Duration maxWait, BooleanSupplier giveUp) throws InterruptedException {
            long deadline = System.nanoTime() + maxWait.toNanos();
            while (System.nanoTime() < deadline && !giveUp.getAsBoolean()) {
                List<String> c = changes.poll(50, TimeUnit.MILLISECONDS);
                if (c != null) {
                    return c;
                }
            }
            return List.of();
        }
    }

    final FakeMonotonicClock clock = new FakeMonotonicClock(1000);
    final ScriptedRefs refs = new ScriptedRefs();
    final ProtocolServer server = new ProtocolServer(new Uuid("11111111-2222-3333-4444-555555555555"), new MemoryStore(clock, 600),
            ProtocolServer.Options.of(clock).services(refs));

    Thread serve(P2PConnection c) {
        Thread t = new Thread(() -> {
            try (c) {
                server.serve(c);
            } catch (IOException ignored) {
                // the conversation ended
            }
        }, "notify-test-server");
        t.start();
        return t;
    }

    @Test
    void aClientThatHangsUpWhileWaitingEndsTheConversationAtOnceOverStreams() throws Exception {
        PipedInputStream serverIn = new PipedInputStream();
        PipedOutputStream clientOut = new PipedOutputStream(serverIn);
        PipedInputStream clientIn = new PipedInputStream();
        PipedOutputStream serverOut = new PipedOutputStream(clientIn);
        Thread t = serve(new StreamConnection("notify", serverIn, serverOut));
        clientOut.write("VERSION 4\nNOTIFYCHANGE\n".getBytes(StandardCharsets.UTF_8));
        clientOut.flush();
        BoundedLineReader replies = new BoundedLineReader(clientIn);
        assertThat(replies.readLine()).contains("VERSION 4");
        refs.changes.add(List.of("refs/heads/master"));
        assertThat(replies.readLine()).contains("CHANGED refs/heads/master");
        clientOut.write("NOTIFYCHANGE\n".getBytes(StandardCharsets.UTF_8));
        clientOut.flush();
        Thread.sleep(200);
        long t0 = System.nanoTime();
        clientOut.close();
        t.join(5_000);
        assertThat(t.isAlive()).as("server still waiting for a change after the client left").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aClientThatHangsUpWhileWaitingEndsTheConversationInMemory() throws Exception {
        InMemoryConnection.Pair pair = InMemoryConnection.pair("notify");
        Thread t = serve(pair.server());
        InMemoryConnection client = pair.client();
        client.send(new Message.Version(ProtocolVersion.LATEST));
        assertThat(client.receive()).contains(new Message.Version(ProtocolVersion.LATEST));
        client.send(new Message.NotifyChange());
        Thread.sleep(200);
        client.close();
        t.join(5_000);
        assertThat(t.isAlive()).as("server still waiting for a change after the client left").isFalse();
    }

    @Test
    void aMessageInsteadOfWaitingIsServedNext() throws Exception {
        InMemoryConnection.Pair pair = InMemoryConnection.pair("notify");
        Thread t = serve(pair.server());
        InMemoryConnection client = pair.client();
        client.send(new Message.Version(ProtocolVersion.LATEST));
        client.receive();
        client.send(new Message.NotifyChange());
        client.send(new Message.GetTimestamp());
        assertThat(client.receive()).contains(new Message.Timestamp(1000));
        client.close();
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
    }
}
