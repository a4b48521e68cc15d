package org.annexhost.remote.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.Presence;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.contract.InMemoryBackend;
import org.annexhost.api.contract.StorageContract;
import org.annexhost.api.key.Key;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ChunkedBackendTest {
    static final long CHUNK = 65536;

    /** The chunk log in memory. */
    static final class MemoryRecords implements ChunkRecords {
        final Map<Key, Map<Long, Long>> log = new ConcurrentHashMap<>();

        @Override
        public List<ChunkLog.Chunking> recorded(Key key) {
            List<ChunkLog.Chunking> out = new ArrayList<>();
            log.getOrDefault(key.withoutChunk(), Map.of()).forEach((size, count) -> {
                if (count > 0) {
                    out.add(new ChunkLog.Chunking(size, count));
                }
            });
            return out;
        }

        @Override
        public void record(Key key, long chunkSize, long count) {
            log.computeIfAbsent(key.withoutChunk(), k -> new ConcurrentHashMap<>()).put(chunkSize, count);
        }
    }

    InMemoryBackend inner = new InMemoryBackend();
    MemoryRecords records = new MemoryRecords();
    ChunkedBackend chunked = new ChunkedBackend(inner, new ChunkConfig(Optional.of(CHUNK)), records);

    @TestFactory
    Stream<DynamicTest> passesTheStorageContractChunked() {
        return StorageContract.standard(8L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(chunked, org.junit.jupiter.api.Assumptions::abort)));
    }

    @TestFactory
    Stream<DynamicTest> passesTheStorageContractUnchunked() {
        ChunkedBackend plain = new ChunkedBackend(new InMemoryBackend(), ChunkConfig.NONE, new MemoryRecords());
        return StorageContract.standard(1L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(plain, org.junit.jupiter.api.Assumptions::abort)));
    }

    @Test
    void storesNumberedChunkKeysAndLogsThem() throws Exception {
        GeneratedContent g = new GeneratedContent(3 * CHUNK + 3392, 5);
        Key k = g.key();
        chunked.store(k, g.content(0), 0);

        assertThat(inner.checkPresent(k).isPresent()).as("whole key stored").isFalse();
        for (int n = 1; n <= 4; n++) {
            Key c = Key.parse(k.toString().replace("--", "-S" + CHUNK + "-C" + n + "--"));
            assertThat(inner.checkPresent(c).isPresent()).as(c.toString()).isTrue();
            assertThat(inner.retrieve(c, 0).length()).isEqualTo(n < 4 ? CHUNK : 3392);
        }
        assertThat(inner.checkPresent(ChunkedBackend.chunkKey(k, CHUNK, 5)).isPresent()).isFalse();
        assertThat(records.recorded(k)).containsExactly(new ChunkLog.Chunking(CHUNK, 4));
    }

    @Test
    void emptyContentIsOneEmptyChunk() throws Exception {
        GeneratedContent g = new GeneratedContent(0, 1);
        chunked.store(g.key(), g.content(0), 0);
        assertThat(inner.retrieve(ChunkedBackend.chunkKey(g.key(), CHUNK, 1), 0).length()).isZero();
        assertThat(records.recorded(g.key())).containsExactly(new ChunkLog.Chunking(CHUNK, 1));
    }

    @Test
    void contentThatFailsAtItsEndLeavesNoChunkBehind() throws Exception {
        GeneratedContent g = new GeneratedContent(2 * CHUNK + 10, 6);
        Key k = g.key();
        // As the host's verifying stream does: every byte arrives, then the end fails the digest.
        InputStream failsAtEnd = new FilterInputStream(g.stream(0)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    throw new IOException("content does not match key");
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c < 0) {
                    throw new IOException("content does not match key");
                }
                return c;
            }
        };
        assertThatThrownBy(() -> chunked.store(k, new Content(g.size(), failsAtEnd), 0))
                .hasMessageContaining("does not match");
        for (int n = 1; n <= 3; n++) {
            assertThat(inner.checkPresent(ChunkedBackend.chunkKey(k, CHUNK, n)).isPresent()).as("chunk " + n).isFalse();
        }
        assertThat(records.recorded(k)).isEmpty();
        assertThat(chunked.checkPresent(k).isPresent()).isFalse();
    }

    @Test
    void readsChunksNoLogMentionsAndLogsThem() throws Exception {
        GeneratedContent g = new GeneratedContent(5 * CHUNK - 7, 7);
        Key k = g.key();
        // As git-annex's own remote with the same chunk= writes them, or after a lost log.
        new ChunkedBackend(inner, new ChunkConfig(Optional.of(CHUNK)), new MemoryRecords()).store(k, g.content(0), 0);

        assertThat(chunked.checkPresent(k)).isEqualTo(Presence.present());
        assertThat(records.recorded(k)).containsExactly(new ChunkLog.Chunking(CHUNK, 5));
        long offset = 2 * CHUNK - 100; // inside chunk 2, the read crosses into 3, 4 and 5
        Content c = chunked.retrieve(k, offset);
        assertThat(c.length()).isEqualTo(g.size() - offset);
        try (InputStream in = c.stream(); InputStream expected = g.stream(offset)) {
            assertThat(in.readAllBytes()).isEqualTo(expected.readAllBytes());
        }
        inner.assertNoOpenStreams();
    }

    @Test
    void anUnchunkedRemoteStillReadsWhatItOnceStoredInChunks() throws Exception {
        GeneratedContent g = new GeneratedContent(3 * CHUNK, 8);
        Key k = g.key();
        chunked.store(k, g.content(0), 0);
        ChunkedBackend reconfigured = new ChunkedBackend(inner, ChunkConfig.NONE, records);
        assertThat(reconfigured.checkPresent(k)).isEqualTo(Presence.present());
        try (InputStream in = reconfigured.retrieve(k, 0).stream(); InputStream expected = g.stream(0)) {
            assertThat(in.readAllBytes()).isEqualTo(expected.readAllBytes());
        }
    }

    @Test
    void removeDropsEveryChunkingAndTheWholeKey() throws Exception {
        GeneratedContent g = new GeneratedContent(2 * CHUNK + 1, 9);
        Key k = g.key();
        chunked.store(k, g.content(0), 0);
        inner.store(k, g.content(0), 0); // also stored whole, as an unchunked remote did earlier
        chunked.remove(k);
        assertThat(inner.checkPresent(k).isPresent()).isFalse();
        for (int n = 1; n <= 3; n++) {
            assertThat(inner.checkPresent(ChunkedBackend.chunkKey(k, CHUNK, n)).isPresent()).isFalse();
        }
        assertThat(records.log.get(k)).containsEntry(CHUNK, 0L);
        assertThat(chunked.checkPresent(k)).isEqualTo(Presence.absent());
    }

    @Test
    void aMissingMiddleChunkMeansAbsent() throws Exception {
        GeneratedContent g = new GeneratedContent(3 * CHUNK, 10);
        Key k = g.key();
        chunked.store(k, g.content(0), 0);
        inner.remove(ChunkedBackend.chunkKey(k, CHUNK, 2));
        assertThat(chunked.checkPresent(k)).isEqualTo(Presence.absent());
        Content c = chunked.retrieve(k, 0);
        assertThatThrownBy(() -> c.stream().readAllBytes()).isInstanceOf(IOException.class);
    }

    @Test
    void chunkConfigReadsGitAnnexSizesAndRefusesTheLegacyLayout() throws Exception {
        assertThat(ChunkConfig.of(config("chunk", "1MiB")).chunkSize()).contains(1L << 20);
        assertThat(ChunkConfig.of(config("chunk", "0")).chunked()).isFalse();
        assertThat(ChunkConfig.of(config("x", "y")).chunked()).isFalse();
        assertThatThrownBy(() -> ChunkConfig.of(config("chunk", "lots"))).isInstanceOf(BackendException.class)
                .hasMessageContaining("bad configuration chunk=lots");
        assertThatThrownBy(() -> ChunkConfig.of(config("chunksize", "1MiB"))).isInstanceOf(BackendException.class)
                .hasMessageContaining("deprecated chunksize=");
    }

    @Test
    void chunkLogKeepsTheNewestLinePerUuidAndSize() {
        org.annexhost.api.Uuid me = new org.annexhost.api.Uuid("11111111-1111-1111-1111-111111111111");
        String log = "1700000000.000000001s 11111111-1111-1111-1111-111111111111:1048576 3\n"
                + "1700000005.000000000s 22222222-2222-2222-2222-222222222222:1048576 9\n"
                + "1600000000.000000000s 11111111-1111-1111-1111-111111111111:1048576 7\n";
        assertThat(ChunkLog.current(log, me)).containsExactly(new ChunkLog.Chunking(1048576, 3));
        String removed = ChunkLog.update(log, me, 1048576, 0, java.time.Instant.ofEpochSecond(1800000000L));
        assertThat(ChunkLog.current(removed, me)).isEmpty();
        assertThat(removed).contains("1800000000.000000000s 11111111-1111-1111-1111-111111111111:1048576 0\n")
                .contains("22222222-2222-2222-2222-222222222222:1048576 9");
        String added = ChunkLog.update(removed, me, 65536, 2, java.time.Instant.ofEpochSecond(1800000001L));
        assertThat(ChunkLog.current(added, me)).containsExactly(new ChunkLog.Chunking(65536, 2));
    }

    private static BackendConfig config(String k, String v) {
        return new BackendConfig("r", Map.of(k, v), Set.of());
    }
}
