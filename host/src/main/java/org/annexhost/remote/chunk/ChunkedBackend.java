package org.annexhost.remote.chunk;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.CountingInputStream;
import org.annexhost.api.content.LimitedInputStream;
import org.annexhost.api.content.LimitedInputStream.Hook;
import org.annexhost.api.key.Key;

/**
 * git-annex's chunking ({@code Remote/Helper/Chunked.hs}) in front of any backend. With
 * {@code chunk=SIZE}, content is stored as chunk keys {@code KEY-S<SIZE>-C<n>} (the backend sees
 * ordinary keys) and the chunk log records how many; reading and presence try every way the key
 * may be stored, as git-annex does: recorded chunkings, the whole key, and the chunking the
 * configuration implies even if no log says so (a lost log, or chunks git-annex itself wrote).
 *
 * <p>The content streams through: each chunk is a window on the one incoming stream. The last
 * chunk reads the stream to its end before its own end, so content that fails verification
 * fails the last chunk's store and no complete set of chunks ever exists. A failed store removes
 * the chunks it wrote; chunked stores do not resume (a resumed store could not be verified).
 *
 * <p>Thread-safe if the backend is.
 */
public final class ChunkedBackend implements StorageBackend {
    private final StorageBackend backend;
    private final ChunkConfig config;
    private final ChunkRecords records;

    /**
     * @param backend where chunks (and unchunked keys) are stored
     * @param config how new content is chunked
     * @param records the remote's chunk log
     */
    public ChunkedBackend(StorageBackend backend, ChunkConfig config, ChunkRecords records) {
        this.backend = backend;
        this.config = config;
        this.records = records;
    }

    /** One way a key may be stored: whole, or as a list of chunk keys. */
    private record Layout(Optional<ChunkLog.Chunking> chunking, List<Key> keys, boolean speculative) {
        static Layout whole(Key key) {
            return new Layout(Optional.empty(), List.of(key), false);
        }

        boolean chunked() {
            return chunking.isPresent();
        }
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> c = EnumSet.noneOf(Capability.class);
        c.addAll(backend.capabilities());
        if (config.chunked()) {
            c.remove(Capability.RESUMABLE_STORE);
        }
        return c;
    }

    @Override
    public OptionalLong partialSize(Key key) throws IOException {
        return config.chunked() ? OptionalLong.empty() : backend.partialSize(key);
    }

    @Override
    public void store(Key key, Content content, long offset) throws IOException {
        if (!config.chunked() || key.isChunk() || !stable(key)) {
            backend.store(key, content, offset);
            return;
        }
        if (offset != 0) {
            throw new IOException("a chunked remote does not resume stores (asked to store " + key + " from " + offset + ")");
        }
        long size = config.chunkSize().orElseThrow();
        long total = content.length();
        long count = Math.max(1, (total + size - 1) / size);
        List<Key> written = new ArrayList<>();
        try (CountingInputStream in = content.counted()) {
            if (total == 0) {
                in.drain(); // one empty chunk, which a backend may store without reading
            }
            for (long n = 1; n <= count; n++) {
                long length = Math.min(size, total - (n - 1) * size);
                Key chunk = chunkKey(key, size, n);
                // A window on the incoming content, left open for the next chunk. The last one
                // reads the content's end before it gives its own last bytes, so content that
                // fails verification (or runs long) at its end fails the last chunk's store.
                LimitedInputStream window = new LimitedInputStream(in, length, n == count ? in::drain : Hook.NONE);
                backend.store(chunk, new Content(length, window), 0);
                written.add(chunk);
            }
            records.record(key, size, count);
        } catch (IOException | RuntimeException e) {
            for (Key chunk : written) {
                try {
                    backend.remove(chunk);
                } catch (IOException | RuntimeException ignored) {
                    // the store failed anyway; an orphan chunk is harmless and a later store replaces it
                }
            }
            throw e;
        }
    }

    @Override
    public Content retrieve(Key key, long offset) throws IOException {
        if (key.isChunk()) {
            return backend.retrieve(key, offset);
        }
        if (!config.chunked()) {
            // The common case for an unchunked remote: no branch read.
            Optional<Content> whole = readWhole(key, offset);
            if (whole.isPresent()) {
                return whole.get();
            }
        }
        for (Layout layout : layouts(key, records.recorded(key), !config.chunked())) {
            Optional<Content> c = layout.chunked() ? readChunks(key, layout, offset) : readWhole(key, offset);
            if (c.isPresent()) {
                return c.get();
            }
        }
        throw new ContentNotFoundException(key);
    }

    private Optional<Content> readWhole(Key key, long offset) throws IOException {
        try {
            return Optional.of(backend.retrieve(key, offset));
        } catch (ContentNotFoundException e) {
            return Optional.empty();
        }
    }

    private Optional<Content> readChunks(Key key, Layout layout, long offset) throws IOException {
        long size = layout.chunking().orElseThrow().chunkSize();
        List<Key> chunks = layout.keys();
        long total;
        if (key.size().isPresent()) {
            total = key.size().getAsLong();
        } else {
            try {
                Content last = backend.retrieve(chunks.get(chunks.size() - 1), 0);
                last.stream().close();
                total = (chunks.size() - 1) * size + last.length();
            } catch (ContentNotFoundException e) {
                return Optional.empty();
            }
        }
        long from = Math.min(offset, total);
        int first = (int) Math.min(chunks.size() - 1, from / size);
        Content head;
        try {
            head = backend.retrieve(chunks.get(first), from - first * size);
        } catch (ContentNotFoundException e) {
            return Optional.empty();
        }
        if (layout.speculative()) {
            records.record(key, size, chunks.size());
        }
        return Optional.of(new Content(total - from, new ChunkSequence(backend, chunks, first, head, size, total)));
    }

    @Override
    public Presence checkPresent(Key key) {
        if (key.isChunk()) {
            return backend.checkPresent(key);
        }
        String unknown = null;
        if (!config.chunked()) {
            Presence whole = backend.checkPresent(key);
            if (whole.isPresent()) {
                return whole;
            }
            unknown = whole.state() == Presence.State.UNKNOWN ? whole.reason() : null;
        }
        List<Layout> layouts;
        try {
            layouts = layouts(key, records.recorded(key), !config.chunked());
        } catch (IOException e) {
            return Presence.unknown("cannot read the chunk log of " + key + ": " + e.getMessage());
        }
        for (Layout layout : layouts) {
            Presence p = allPresent(layout.keys());
            if (p.isPresent()) {
                if (layout.speculative()) {
                    try {
                        records.record(key, layout.chunking().orElseThrow().chunkSize(), layout.keys().size());
                    } catch (IOException ignored) {
                        // the chunks are there; logging them only helps a later reconfiguration
                    }
                }
                return p;
            }
            if (p.state() == Presence.State.UNKNOWN) {
                unknown = p.reason();
            }
        }
        return unknown == null ? Presence.absent() : Presence.unknown(unknown);
    }

    private Presence allPresent(List<Key> keys) {
        for (Key k : keys) {
            Presence p = backend.checkPresent(k);
            if (!p.isPresent()) {
                return p;
            }
        }
        return Presence.present();
    }

    @Override
    public void remove(Key key) throws IOException {
        if (key.isChunk()) {
            backend.remove(key);
            return;
        }
        List<ChunkLog.Chunking> recorded = records.recorded(key);
        for (Layout layout : layouts(key, recorded, false)) {
            for (Key k : layout.keys()) {
                backend.remove(k);
            }
        }
        for (ChunkLog.Chunking c : recorded) {
            records.record(key, c.chunkSize(), 0);
        }
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }

    /**
     * Every way the key may be stored, most likely first, as git-annex's {@code chunkKeys}.
     *
     * @param wholeTried leave out the whole key: the caller already found it absent
     */
    private List<Layout> layouts(Key key, List<ChunkLog.Chunking> recorded, boolean wholeTried) {
        List<Layout> out = new ArrayList<>();
        for (ChunkLog.Chunking c : recorded) {
            out.add(new Layout(Optional.of(c), chunkKeys(key, c), false));
        }
        if (!wholeTried) {
            out.add(config.chunked() ? out.size() : 0, Layout.whole(key));
        }
        if (config.chunked() && key.size().isPresent()) {
            long size = config.chunkSize().orElseThrow();
            long count = Math.max(1, (key.size().getAsLong() + size - 1) / size);
            ChunkLog.Chunking implied = new ChunkLog.Chunking(size, count);
            if (!recorded.contains(implied)) {
                out.add(new Layout(Optional.of(implied), chunkKeys(key, implied), true));
            }
        }
        return out;
    }

    private static List<Key> chunkKeys(Key key, ChunkLog.Chunking c) {
        List<Key> keys = new ArrayList<>();
        for (long n = 1; n <= c.count(); n++) {
            keys.add(chunkKey(key, c.chunkSize(), n));
        }
        return keys;
    }

    static Key chunkKey(Key key, long chunkSize, long number) {
        return new Key(key.backend(), key.size(), key.mtime(), OptionalLong.of(chunkSize), OptionalLong.of(number), key.name());
    }

    /** git-annex's {@code isStableKey}: URL keys may name content that changes, so are never chunked. */
    private static boolean stable(Key key) {
        return !key.backend().equals("URL");
    }

    /** The chunks of one key read in order, each opened when the one before it is used up. */
    private static final class ChunkSequence extends org.annexhost.api.content.SourceInputStream {
        private final StorageBackend backend;
        private final List<Key> chunks;
        private final long chunkSize;
        private final long total;
        private int index;
        private InputStream current;
        private long leftInChunk;

        ChunkSequence(StorageBackend backend, List<Key> chunks, int first, Content head, long chunkSize, long total) {
            this.backend = backend;
            this.chunks = chunks;
            this.chunkSize = chunkSize;
            this.total = total;
            this.index = first;
            this.current = head.stream();
            this.leftInChunk = head.length();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (leftInChunk == 0) {
                if (!next()) {
                    return -1;
                }
            }
            int n = current.read(b, off, (int) Math.min(len, leftInChunk));
            if (n < 0) {
                throw new IOException("chunk " + chunks.get(index) + " ended " + leftInChunk + " bytes early");
            }
            leftInChunk -= n;
            return n;
        }

        private boolean next() throws IOException {
            current.close();
            if (index + 1 >= chunks.size()) {
                return false;
            }
            index++;
            Content c = backend.retrieve(chunks.get(index), 0);
            long expected = Math.min(chunkSize, total - index * chunkSize);
            if (c.length() != expected) {
                c.stream().close();
                throw new IOException("chunk " + chunks.get(index) + " has " + c.length() + " bytes, expected " + expected);
            }
            current = c.stream();
            leftInChunk = expected;
            return true;
        }

        @Override
        public void close() throws IOException {
            current.close();
        }
    }
}
