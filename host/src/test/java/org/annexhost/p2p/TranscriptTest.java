package org.annexhost.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.codec.TextCodec;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.StoreFixture;
import org.annexhost.testing.Warnings;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plays every transcript under src/test/resources/transcripts over every transport against a
 * server on the strict in-memory store, and over the serialized transport against a server on
 * each production store (a repository, a special remote's backend, a cluster of one), and checks
 * the replies and what was stored.
 */
class TranscriptTest {
    static final Uuid SERVER_UUID = new Uuid("11111111-2222-3333-4444-555555555555");
    static final long CLOCK_START = 1000;
    static final Duration RETENTION = Duration.ofSeconds(600);

    @TempDir
    Path tmp;
    private final AtomicInteger played = new AtomicInteger();

    @TestFactory
    Stream<DynamicTest> everyTranscriptOverEveryTransport() throws IOException {
        List<Transcript> transcripts = Transcript.loadAll();
        assertThat(transcripts).hasSizeGreaterThan(20);
        Stream<DynamicTest> overEveryTransport = transcripts.stream().flatMap(t -> Stream.of(TranscriptTransport.values())
                .filter(tr -> runsOver(t, tr))
                .map(tr -> test(t, StoreFixture.Kind.MEMORY, tr)));
        Stream<DynamicTest> overEveryStore = Stream.of(StoreFixture.Kind.values())
                .filter(k -> k != StoreFixture.Kind.MEMORY)
                .flatMap(k -> transcripts.stream().map(t -> test(t, k, Stream.of(TranscriptTransport.values())
                        .filter(tr -> runsOver(t, tr)).findFirst().orElseThrow())));
        return Stream.concat(overEveryTransport, overEveryStore);
    }

    private static boolean runsOver(Transcript t, TranscriptTransport tr) {
        return t.only().isEmpty() || tr.name().toLowerCase().startsWith(t.only().get());
    }

    private DynamicTest test(Transcript t, StoreFixture.Kind kind, TranscriptTransport tr) {
        return DynamicTest.dynamicTest(t.name() + " on " + kind + " over " + tr,
                () -> assertTimeoutPreemptively(Duration.ofSeconds(30), () -> play(t, kind, tr)));
    }

    private void play(Transcript t, StoreFixture.Kind kind, TranscriptTransport transport) throws Exception {
        FakeMonotonicClock clock = new FakeMonotonicClock(CLOCK_START);
        Path dir = Files.createDirectory(tmp.resolve("store-" + played.incrementAndGet()));
        try (StoreFixture store = kind.open(dir, clock, RETENTION)) {
            assumeTrue(store.resumes() || t.steps().stream().noneMatch(s -> s instanceof Transcript.Setup u
                    && u.verb().equals("partial")), kind + " keeps no partial upload to resume from");
            assumeTrue(store.locksContent() || t.steps().stream().noneMatch(s -> s instanceof Transcript.Send u
                    && u.line().startsWith("LOCKCONTENT")), kind + " refuses LOCKCONTENT");
            List<String> warnings = Warnings.during(() -> play(t, store, clock, transport));
            boolean mayWarn = t.steps().stream().anyMatch(s -> s instanceof Transcript.Setup u && u.verb().equals("warns"));
            if (!mayWarn) {
                // A log line says what happened: a request answered as the protocol wants is no warning.
                assertThat(warnings).as("%s on %s: what the server logged at WARN or above (a transcript that may warn says @warns)", t.name(), kind).isEmpty();
            }
        }
    }

    private static void play(Transcript t, StoreFixture store, FakeMonotonicClock clock, TranscriptTransport transport)
            throws Exception {
        ServerMode mode = setUp(t, store);
        ProtocolServer server = new ProtocolServer(SERVER_UUID, store.store(), ProtocolServer.Options.of(clock).mode(mode));
        TranscriptTransport.Ends ends = transport.open("transcript");
        Thread serverThread = new Thread(() -> {
            P2PConnection c = ends.server();
            try (c) {
                server.serve(c);
            } catch (IOException e) {
                // The transcript says what the client sees of it.
            }
        }, "transcript-server");
        serverThread.start();
        converse(t, ends.client(), store, clock, () -> {
            serverThread.join(10_000);
            return !serverThread.isAlive();
        });
    }

    /** What waits, after the client hung up, for the server to end. */
    interface ServerEnd {
        /** @return whether the server ended in time */
        boolean await() throws Exception;
    }

    /**
     * Puts the transcript's content and partial uploads in place.
     *
     * @return the server mode it asks for
     */
    static ServerMode setUp(Transcript t, StoreFixture store) throws IOException {
        ServerMode mode = ServerMode.READ_WRITE;
        for (Transcript.Step s : t.steps()) {
            if (s instanceof Transcript.Setup setup) {
                switch (setup.verb()) {
                    case "have" -> store.have(Key.parse(setup.args().get(0)), payload(setup));
                    case "partial" -> store.partial(Key.parse(setup.args().get(0)), payload(setup));
                    case "readonly" -> mode = ServerMode.READ_ONLY;
                    case "appendonly" -> mode = ServerMode.APPEND_ONLY;
                    default -> { }
                }
            }
        }
        return mode;
    }

    /**
     * Plays the client's side of the transcript against a started server, checking every reply,
     * and what the store holds once the client has hung up and the server has ended.
     */
    static void converse(Transcript t, TranscriptTransport.ClientSide client, StoreFixture store,
                         FakeMonotonicClock clock, ServerEnd end) throws Exception {
        boolean open = true;
        for (Transcript.Step s : t.steps()) {
            if (s instanceof Transcript.Send send) {
                if (send.payload() != null) {
                    long declared = Long.parseLong(send.line().substring(5));
                    client.sendData(declared, send.payload());
                } else {
                    client.sendLine(send.bytes());
                }
            } else if (s instanceof Transcript.Expect expect) {
                TranscriptTransport.Reply reply = client.read();
                assertThat(store.asOneRepository(reply.line())).as("reply in %s", t.name())
                        .isEqualTo(TextCodec.decode(Transcript.lineBytes(expect.line())));
                if (expect.payload() != null) {
                    assertThat(reply.payload()).as("DATA payload in %s", t.name()).isEqualTo(expect.payload());
                }
            } else if (s instanceof Transcript.Hangup) {
                client.hangup();
            } else if (s instanceof Transcript.Setup setup && setup.verb().equals("advance")) {
                clock.advance(Long.parseLong(setup.args().get(0)));
            } else if (s instanceof Transcript.Check check) {
                if (open) {
                    client.hangup();
                    assertThat(end.await()).as("server still running after hang-up").isTrue();
                    open = false;
                }
                check(store, check, t.name());
            }
        }
        if (open) {
            client.hangup();
            assertThat(end.await()).as("server still running after hang-up").isTrue();
        }
    }

    private static byte[] payload(Transcript.Setup setup) {
        return setup.args().size() > 1 ? Transcript.unescape(setup.args().get(1)) : new byte[0];
    }

    private static void check(StoreFixture store, Transcript.Check check, String name) throws IOException {
        Key key = Key.parse(check.args().get(0));
        switch (check.verb()) {
            case "stored" -> assertThat(store.content(key)).as("%s: stored %s", name, key)
                    .hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                            .isEqualTo(new String(Transcript.unescape(check.args().size() > 1 ? check.args().get(1) : ""),
                                    StandardCharsets.UTF_8)));
            case "absent" -> assertThat(store.content(key).isPresent()).as("%s: %s absent", name, key).isFalse();
            case "partial" -> {
                if (store.resumes()) {
                    assertThat(store.partialSize(key)).as("%s: partial %s", name, key)
                            .isEqualTo(Long.parseLong(check.args().get(1)));
                }
                assertThat(store.content(key)).as("%s: %s is only partial", name, key).isEmpty();
            }
            case "locked" -> assertThat(store.isLocked(key)).as("%s: %s locked", name, key).isTrue();
            case "unlocked" -> assertThat(store.isLocked(key)).as("%s: %s unlocked", name, key).isFalse();
            default -> throw new IllegalArgumentException(name + ": unknown check " + check.verb());
        }
    }
}
