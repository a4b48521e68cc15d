package org.annexhost.p2p.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.annexhost.api.Uuid;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.p2p.transport.StreamConnection;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's relay to a repository behind it, as the shell runs it: the client speaks the
 * serialized protocol, the repository is an older peer that only knows version 1. The version is
 * agreed end to end, content crosses in the agreed framing, and the gateway's limits still hold.
 */
@Timeout(30)
class ProxyRelayTest {
    static final Uuid REPO = new Uuid("aaaaaaaa-0000-0000-0000-000000000001");
    final ExecutorService threads = Executors.newCachedThreadPool();
    final MemoryStore store = new MemoryStore(new FakeMonotonicClock(100), 600);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** A client connected through a relay in this mode to a repository that agrees to at most {@code max}. */
    private ProtocolClient relayedClient(ServerMode mode, ProtocolVersion max) throws Exception {
        InMemoryConnection.Pair repository = InMemoryConnection.pair("old-peer");
        ProtocolServer old = new ProtocolServer(REPO, store,
                ProtocolServer.Options.of(new FakeMonotonicClock(100)).maxVersion(max));
        threads.submit(() -> {
            old.serve(repository.server());
            return null;
        });
        PipedOutputStream clientOut = new PipedOutputStream();
        PipedInputStream relayIn = new PipedInputStream(clientOut, 1 << 16);
        PipedOutputStream relayOut = new PipedOutputStream();
        PipedInputStream clientIn = new PipedInputStream(relayOut, 1 << 16);
        StreamConnection clientSide = new StreamConnection("relay-client", relayIn, relayOut);
        threads.submit(() -> {
            new ProxyRelay(clientSide, repository.client(), mode).run();
            return null;
        });
        return new ProtocolClient(new StreamConnection("client", clientIn, clientOut));
    }

    @Test
    void aVersion4ClientAndAVersion1PeerAgreeOnVersion1AndMoveContent() throws Exception {
        ProtocolClient client = relayedClient(ServerMode.READ_WRITE, new ProtocolVersion(1));
        assertThat(client.negotiate(ProtocolVersion.LATEST)).isEqualTo(new ProtocolVersion(1));
        GeneratedContent g = new GeneratedContent(200_000, 7);
        ClientReply put = client.put(g.key(), AssociatedFile.of("a file.bin"), g::content);
        assertThat(put.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.get(g.key())).isPresent();
        assertThat(store.get(g.key()).get()).isEqualTo(g.stream(0).readAllBytes());

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ClientReply get = client.get(g.key(), AssociatedFile.NONE, 1000, c -> {
            c.stream().transferTo(got);
            return true;
        });
        assertThat(get.kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(got.toByteArray()).isEqualTo(g.stream(1000).readAllBytes());
        assertThat(client.checkPresent(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(client.remove(g.key()).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.isPresent(g.key())).isFalse();
    }

    @Test
    void aVersion0PeerServesAVersion4ClientToo() throws Exception {
        ProtocolClient client = relayedClient(ServerMode.READ_WRITE, new ProtocolVersion(0));
        assertThat(client.negotiate(ProtocolVersion.LATEST)).isEqualTo(new ProtocolVersion(0));
        GeneratedContent g = new GeneratedContent(5_000, 8);
        assertThat(client.put(g.key(), AssociatedFile.NONE, g::content).kind()).isEqualTo(ClientReply.Kind.SUCCESS);
        assertThat(store.get(g.key()).get()).isEqualTo(g.stream(0).readAllBytes());
    }

    @Test
    void theGatewaysReadOnlyLimitHoldsForTheRepositoryBehindIt() throws Exception {
        GeneratedContent there = new GeneratedContent(100, 9);
        store.put(there.key(), there.stream(0).readAllBytes());
        ProtocolClient client = relayedClient(ServerMode.READ_ONLY, ProtocolVersion.LATEST);
        client.negotiate(ProtocolVersion.LATEST);
        GeneratedContent g = new GeneratedContent(100, 10);
        ClientReply put = client.put(g.key(), AssociatedFile.NONE, g::content);
        assertThat(put.kind()).isEqualTo(ClientReply.Kind.ERROR);
        assertThat(put.error()).contains("read-only");
        assertThat(store.isPresent(g.key())).isFalse();
        ClientReply remove = client.remove(there.key());
        assertThat(remove.kind()).isEqualTo(ClientReply.Kind.ERROR);
        assertThat(store.isPresent(there.key())).as("the refused REMOVE never reached the repository").isTrue();
        assertThat(client.checkPresent(there.key()).kind()).as("reads still relayed").isEqualTo(ClientReply.Kind.SUCCESS);
    }

    @Test
    void aClientThatHangsUpEndsTheRepositorysConversation() throws Exception {
        InMemoryConnection.Pair repository = InMemoryConnection.pair("peer");
        ProtocolServer server = new ProtocolServer(REPO, store, ProtocolServer.Options.of(new FakeMonotonicClock(1)));
        Future<?> served = threads.submit(() -> {
            server.serve(repository.server());
            return null;
        });
        PipedOutputStream clientOut = new PipedOutputStream();
        PipedInputStream relayIn = new PipedInputStream(clientOut);
        StreamConnection clientSide = new StreamConnection("relay-client", relayIn, new ByteArrayOutputStream());
        Future<?> relay = threads.submit(() -> {
            new ProxyRelay(clientSide, repository.client(), ServerMode.READ_WRITE).run();
            return null;
        });
        clientOut.write("VERSION 1\n".getBytes());
        clientOut.close();
        relay.get(10, TimeUnit.SECONDS);
        served.get(10, TimeUnit.SECONDS);
        assertThat(repository.client().isClosed()).isTrue();
    }
}
