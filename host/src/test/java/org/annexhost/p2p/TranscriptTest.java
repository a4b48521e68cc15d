package org.annexhost.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.codec.TextCodec;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Plays every transcript under src/test/resources/transcripts over every transport, against a
 * server on a strict in-memory store, and checks the replies and what was stored.
 */
class TranscriptTest {
    static final Uuid SERVER_UUID = new Uuid("11111111-2222-3333-4444-555555555555");
    static final long CLOCK_START = 1000;
    static final long RETENTION = 600;

    @TestFactory
    Stream<DynamicTest> everyTranscriptOverEveryTransport() throws IOException, URISyntaxException {
        Path root = Path.of(TranscriptTest.class.getResource("/transcripts").toURI());
        List<Transcript> transcripts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".txt")).sorted()::iterator) {
                transcripts.add(Transcript.load(root, f));
            }
        }
        assertThat(transcripts).hasSizeGreaterThan(20);
        return transcripts.stream().flatMap(t -> Stream.of(TranscriptTransport.values())
                .filter(tr -> t.only().isEmpty() || tr.name().toLowerCase().startsWith(t.only().get()))
                .map(tr -> DynamicTest.dynamicTest(t.name() + " over " + tr,
                        () -> assertTimeoutPreemptively(Duration.ofSeconds(30), () -> play(t, tr)))));
    }

    private static void play(Transcript t, TranscriptTransport transport) throws Exception {
        FakeMonotonicClock clock = new FakeMonotonicClock(CLOCK_START);
        MemoryStore store = new MemoryStore(clock, RETENTION);
        ServerMode mode = ServerMode.READ_WRITE;
        for (Transcript.Step s : t.steps()) {
            if (s instanceof Transcript.Setup setup) {
                switch (setup.verb()) {
                    case "have" -> store.put(Key.parse(setup.args().get(0)), payload(setup));
                    case "partial" -> store.putPartial(Key.parse(setup.args().get(0)), payload(setup));
                    case "readonly" -> mode = ServerMode.READ_ONLY;
                    case "appendonly" -> mode = ServerMode.APPEND_ONLY;
                    default -> { }
                }
            }
        }
        ProtocolServer server = new ProtocolServer(SERVER_UUID, store, ProtocolServer.Options.of(clock).mode(mode));
        TranscriptTransport.Ends ends = transport.open("transcript");
        AtomicReference<Throwable> serverFailure = new AtomicReference<>();
        Thread serverThread = new Thread(() -> {
            P2PConnection c = ends.server();
            try (c) {
                server.serve(c);
            } catch (IOException e) {
                serverFailure.set(e);
            }
        }, "transcript-server");
        serverThread.start();
        boolean open = true;
        for (Transcript.Step s : t.steps()) {
            if (s instanceof Transcript.Send send) {
                if (send.payload() != null) {
                    long declared = Long.parseLong(send.line().substring(5));
                    ends.client().sendData(declared, send.payload());
                } else {
                    ends.client().sendLine(send.bytes());
                }
            } else if (s instanceof Transcript.Expect expect) {
                TranscriptTransport.Reply reply = ends.client().read();
                assertThat(reply.line()).as("reply in %s", t.name())
                        .isEqualTo(TextCodec.decode(Transcript.lineBytes(expect.line())));
                if (expect.payload() != null) {
                    assertThat(reply.payload()).as("DATA payload in %s", t.name()).isEqualTo(expect.payload());
                }
            } else if (s instanceof Transcript.Hangup) {
                ends.client().hangup();
            } else if (s instanceof Transcript.Setup setup && setup.verb().equals("advance")) {
                clock.advance(Long.parseLong(setup.args().get(0)));
            } else if (s instanceof Transcript.Check check) {
                if (open) {
                    ends.client().hangup();
                    serverThread.join(10_000);
                    assertThat(serverThread.isAlive()).as("server still running after hang-up").isFalse();
                    open = false;
                }
                check(store, check, t.name());
            }
        }
        if (open) {
            ends.client().hangup();
            serverThread.join(10_000);
            assertThat(serverThread.isAlive()).as("server still running after hang-up").isFalse();
        }
    }

    private static byte[] payload(Transcript.Setup setup) {
        return setup.args().size() > 1 ? Transcript.unescape(setup.args().get(1)) : new byte[0];
    }

    private static void check(MemoryStore store, Transcript.Check check, String name) {
        Key key = Key.parse(check.args().get(0));
        switch (check.verb()) {
            case "stored" -> assertThat(store.get(key)).as("%s: stored %s", name, key)
                    .hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                            .isEqualTo(new String(Transcript.unescape(check.args().size() > 1 ? check.args().get(1) : ""),
                                    StandardCharsets.UTF_8)));
            case "absent" -> assertThat(store.isPresent(key)).as("%s: %s absent", name, key).isFalse();
            case "partial" -> assertThat(store.partialSize(key)).as("%s: partial %s", name, key)
                    .isEqualTo(Long.parseLong(check.args().get(1)));
            case "locked" -> assertThat(store.isLocked(key)).as("%s: %s locked", name, key).isTrue();
            case "unlocked" -> assertThat(store.isLocked(key)).as("%s: %s unlocked", name, key).isFalse();
            default -> throw new IllegalArgumentException(name + ": unknown check " + check.verb());
        }
    }
}
