package org.annexhost.api.contract;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentLengthException;
import org.annexhost.api.content.CountingInputStream;
import org.annexhost.api.content.ForwardingInputStream;
import org.annexhost.api.key.Key;

/**
 * The checks every storage backend must pass, in git-annex testremote's order: remove when
 * absent, absent, store, present, store again, retrieve, retrieve from an offset, remove, absent;
 * then sizes from empty to large, failures injected mid-stream, short content, concurrent stores,
 * and awkward key names. Plain Java: run them from JUnit (one DynamicTest per check) or with
 * {@code annexhost testremote}.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> contract() {
 *     StorageBackend backend = ...;
 *     return StorageContract.standard(64 << 20).checks().stream()
 *             .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(backend)));
 * }
 * }</pre>
 *
 * @since 0.1
 */
public final class StorageContract {
    private final long largeSize;

    private StorageContract(long largeSize) {
        this.largeSize = largeSize;
    }

    /** @param largeSize the size of the largest object stored, streamed (64 MiB is a good default) */
    public static StorageContract standard(long largeSize) {
        return new StorageContract(largeSize);
    }

    /** @return the checks, in the order they must run */
    public List<ContractCheck> checks() {
        GeneratedContent small = new GeneratedContent(1000, 1);
        Key k = small.key();
        List<ContractCheck> c = new ArrayList<>();
        c.add(new ContractCheck("remove when absent", b -> b.remove(k)));
        c.add(new ContractCheck("absent before store", b -> expect(b.checkPresent(k), Presence.absent(), k)));
        c.add(new ContractCheck("retrieve absent throws ContentNotFoundException", b -> {
            try {
                b.retrieve(k, 0).stream().close();
                throw new AssertionError("retrieve of absent " + k + " returned content");
            } catch (ContentNotFoundException expected) {
                // the contract
            }
        }));
        c.add(new ContractCheck("store", b -> b.store(k, counted(small.content(0)), 0)));
        c.add(new ContractCheck("present after store", b -> expect(b.checkPresent(k), Presence.present(), k)));
        c.add(new ContractCheck("store again", b -> b.store(k, counted(small.content(0)), 0)));
        c.add(new ContractCheck("retrieve", b -> sameBytes(b.retrieve(k, 0), small, 0)));
        c.add(new ContractCheck("retrieve from an offset", b -> sameBytes(b.retrieve(k, 123), small, 123)));
        c.add(new ContractCheck("retrieve from the end", b -> sameBytes(b.retrieve(k, 1000), small, 1000)));
        c.add(new ContractCheck("remove", b -> b.remove(k)));
        c.add(new ContractCheck("absent after remove", b -> expect(b.checkPresent(k), Presence.absent(), k)));
        c.add(new ContractCheck("remove again", b -> b.remove(k)));
        for (long size : new long[] {0, 1, (1 << 20) + 1, largeSize}) {
            c.add(roundTrip(new GeneratedContent(size, 100 + size)));
        }
        c.add(new ContractCheck("store failing mid-stream leaves nothing", StorageContract::failingStream));
        c.add(new ContractCheck("short content leaves nothing", StorageContract::shortContent));
        c.add(new ContractCheck("resume an interrupted store", StorageContract::resume));
        c.add(new ContractCheck("concurrent stores of one key (git-annex never stores one key concurrently)",
                b -> concurrent(b, true), true));
        c.add(new ContractCheck("concurrent stores of different keys", b -> concurrent(b, false)));
        for (String name : new String[] {"héllo_wörld.txt", "a&b%c:d.bin", "Ünï-cödé_名前"}) {
            c.add(awkwardName(name));
        }
        return c;
    }

    private static ContractCheck roundTrip(GeneratedContent g) {
        return new ContractCheck("store, retrieve, remove " + g.size() + " bytes", b -> {
            Key k = g.key();
            b.store(k, counted(g.content(0)), 0);
            expect(b.checkPresent(k), Presence.present(), k);
            sameBytes(b.retrieve(k, 0), g, 0);
            b.remove(k);
            expect(b.checkPresent(k), Presence.absent(), k);
        });
    }

    private static void failingStream(StorageBackend b) throws Exception {
        GeneratedContent g = new GeneratedContent(300_000, 7);
        Key k = g.key();
        InputStream failing = new FailingInputStream(g.stream(0), 100_000);
        try {
            b.store(k, counted(new Content(g.size(), failing)), 0);
            throw new AssertionError("store succeeded though its stream failed");
        } catch (IOException expected) {
            expect(b.checkPresent(k), Presence.absent(), k);
        }
    }

    private static void shortContent(StorageBackend b) throws Exception {
        GeneratedContent g = new GeneratedContent(5000, 8);
        Key k = g.key();
        try {
            b.store(k, counted(new Content(g.size(), new ByteArrayInputStream(new byte[100]))), 0);
            throw new AssertionError("store succeeded with 100 of 5000 bytes");
        } catch (ContentLengthException expected) {
            expect(b.checkPresent(k), Presence.absent(), k);
        } catch (IOException wrapped) {
            expect(b.checkPresent(k), Presence.absent(), k);
        }
    }

    private static void resume(StorageBackend b) throws Exception {
        if (!b.capabilities().contains(Capability.RESUMABLE_STORE)) {
            throw ContractCheck.skip("the backend does not resume stores (no RESUMABLE_STORE): each store starts over");
        }
        GeneratedContent g = new GeneratedContent(200_000, 9);
        Key k = g.key();
        try {
            b.store(k, counted(new Content(g.size(), new FailingInputStream(g.stream(0), 50_000))), 0);
        } catch (IOException expected) {
            // interrupted
        }
        long from = b.partialSize(k).orElse(0);
        b.store(k, counted(g.content(from)), from);
        sameBytes(b.retrieve(k, 0), g, 0);
        b.remove(k);
    }

    private static void concurrent(StorageBackend b, boolean sameKey) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<GeneratedContent> contents = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                contents.add(new GeneratedContent(200_000 + (sameKey ? 0 : i), sameKey ? 20 : 20 + i));
            }
            List<Future<?>> done = new ArrayList<>();
            for (GeneratedContent g : contents) {
                Key k = g.key();
                done.add(pool.submit(() -> {
                    b.store(k, counted(g.content(0)), 0);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            for (GeneratedContent g : contents) {
                sameBytes(b.retrieve(g.key(), 0), g, 0);
            }
            for (GeneratedContent g : contents) {
                b.remove(g.key());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static ContractCheck awkwardName(String name) {
        return new ContractCheck("key named \"" + name + "\"", b -> {
            byte[] data = name.getBytes(StandardCharsets.UTF_8);
            Key k = Key.parse("WORM-s" + data.length + "-m1700000000--" + name);
            b.store(k, counted(new Content(data.length, new ByteArrayInputStream(data))), 0);
            expect(b.checkPresent(k), Presence.present(), k);
            try (InputStream in = b.retrieve(k, 0).stream()) {
                if (!java.util.Arrays.equals(in.readAllBytes(), data)) {
                    throw new AssertionError("retrieved different bytes for " + k);
                }
            }
            b.remove(k);
            expect(b.checkPresent(k), Presence.absent(), k);
        });
    }

    /** The host always hands backends counted streams; so does the contract. */
    private static Content counted(Content c) {
        return new Content(c.length(), new CountingInputStream(c.stream(), c.length()));
    }

    private static void expect(Presence actual, Presence expected, Key k) {
        if (!actual.equals(expected)) {
            throw new AssertionError("checkPresent " + k + ": expected " + expected.state() + ", got " + actual);
        }
    }

    private static void sameBytes(Content got, GeneratedContent want, long offset) throws IOException {
        if (got.length() != want.size() - offset) {
            got.stream().close();
            throw new AssertionError("retrieve from " + offset + " declared " + got.length() + " bytes, expected "
                    + (want.size() - offset));
        }
        try (InputStream a = got.stream(); InputStream b = want.stream(offset)) {
            byte[] x = new byte[64 * 1024];
            byte[] y = new byte[64 * 1024];
            long pos = offset;
            while (true) {
                int n = a.readNBytes(x, 0, x.length);
                int m = b.readNBytes(y, 0, n == 0 ? y.length : n);
                if (n != m || !java.util.Arrays.equals(x, 0, n, y, 0, m)) {
                    throw new AssertionError("retrieved bytes differ from what was stored, near byte " + pos);
                }
                if (n == 0) {
                    return;
                }
                pos += n;
            }
        }
    }

    /** A stream that fails after a number of bytes, as a broken connection would. */
    static final class FailingInputStream extends ForwardingInputStream {
        private long left;

        FailingInputStream(InputStream in, long after) {
            super(in);
            this.left = after;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("injected failure: the connection broke");
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
