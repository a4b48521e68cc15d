package org.annexhost.api.contract;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;

/**
 * The reference backend: keys in memory, strict about misuse. Content becomes visible only once
 * its whole stream was read; {@link #assertNoOpenStreams()} catches retrieved streams nobody
 * closed. Thread-safe. Meant for tests and small objects only.
 *
 * @since 0.1
 */
public final class InMemoryBackend implements StorageBackend {
    private final Map<Key, byte[]> objects = new ConcurrentHashMap<>();
    private final AtomicInteger openStreams = new AtomicInteger();
    private volatile boolean closed;

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.RETRIEVES_IN_ORDER);
    }

    @Override
    public void store(Key key, Content content, long offset) throws IOException {
        requireOpen();
        if (offset != 0) {
            throw new IllegalArgumentException("InMemoryBackend does not resume; offset " + offset);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (InputStream in = content.stream()) {
            in.transferTo(b);
        }
        if (b.size() != content.length()) {
            throw new IOException("stream gave " + b.size() + " bytes, declared " + content.length());
        }
        objects.put(key, b.toByteArray());
    }

    @Override
    public Content retrieve(Key key, long offset) throws IOException {
        requireOpen();
        byte[] b = objects.get(key);
        if (b == null) {
            throw new ContentNotFoundException(key);
        }
        int from = (int) Math.min(offset, b.length);
        openStreams.incrementAndGet();
        return new Content(b.length - from, new ByteArrayInputStream(b, from, b.length - from) {
            private boolean done;

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    openStreams.decrementAndGet();
                }
            }
        });
    }

    @Override
    public Presence checkPresent(Key key) {
        return Presence.of(objects.containsKey(key));
    }

    @Override
    public void remove(Key key) {
        requireOpen();
        objects.remove(key);
    }

    @Override
    public void close() {
        closed = true;
    }

    /**
     * @return the keys stored now
     * @since 0.2
     */
    public Set<Key> keys() {
        return Set.copyOf(objects.keySet());
    }

    /** @throws AssertionError if a retrieved stream was never closed */
    public void assertNoOpenStreams() {
        if (openStreams.get() != 0) {
            throw new AssertionError(openStreams.get() + " retrieved streams were never closed");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("InMemoryBackend used after close");
        }
    }
}
