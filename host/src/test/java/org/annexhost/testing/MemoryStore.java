package org.annexhost.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentVerifier;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.time.MonotonicClock;

/**
 * A strict in-memory {@link LocalStore} for protocol tests: it verifies hashing keys, keeps
 * partial uploads for resume, honours locks and deadlines, and fails loudly on misuse (an upload
 * written after commit, two uploads of one key at once). Thread-safe (synchronized).
 */
public final class MemoryStore implements LocalStore {
    private final Map<Key, byte[]> objects = new HashMap<>();
    private final Map<Key, ByteArrayOutputStream> partials = new HashMap<>();
    private final Set<Key> uploading = new HashSet<>();
    private final Map<Key, Integer> locks = new HashMap<>();
    private final Map<Key, Long> abandonedUntil = new HashMap<>();
    private final MonotonicClock clock;
    private final long retentionSeconds;

    /**
     * @param clock decides deadlines and lock retention
     * @param retentionSeconds how long an abandoned lock holds
     */
    public MemoryStore(MonotonicClock clock, long retentionSeconds) {
        this.clock = clock;
        this.retentionSeconds = retentionSeconds;
    }

    /** Puts content in place directly, as test setup. */
    public synchronized void put(Key key, byte[] content) {
        objects.put(key, content.clone());
    }

    /** Leaves partial data, as an interrupted upload would. */
    public synchronized void putPartial(Key key, byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(content);
        partials.put(key, b);
    }

    /** @return the stored content, if present */
    public synchronized Optional<byte[]> get(Key key) {
        return Optional.ofNullable(objects.get(key)).map(byte[]::clone);
    }

    /** @return how many bytes of partial data are kept for the key */
    public synchronized long partialSize(Key key) {
        ByteArrayOutputStream b = partials.get(key);
        return b == null ? 0 : b.size();
    }

    /** @return true if some lock still holds the key */
    public synchronized boolean isLocked(Key key) {
        return locks.getOrDefault(key, 0) > 0
                || abandonedUntil.getOrDefault(key, Long.MIN_VALUE) > clock.seconds();
    }

    @Override
    public synchronized boolean isPresent(Key key) {
        return objects.containsKey(key);
    }

    @Override
    public synchronized OptionalLong contentSize(Key key) {
        byte[] b = objects.get(key);
        return b == null ? OptionalLong.empty() : OptionalLong.of(b.length);
    }

    @Override
    public synchronized Optional<InputStream> openContent(Key key, long offset) {
        byte[] b = objects.get(key);
        if (b == null) {
            return Optional.empty();
        }
        int from = (int) Math.min(offset, b.length);
        return Optional.of(new ByteArrayInputStream(b, from, b.length - from));
    }

    /** @return true while an upload of the key is open (its conversation may still be ending) */
    public synchronized boolean uploading(Key key) {
        return uploading.contains(key);
    }

    @Override
    public synchronized Upload beginUpload(Key key, AssociatedFile file) throws IOException {
        if (!uploading.add(key)) {
            throw new IOException("upload of " + key + " already in progress");
        }
        return new MemoryUpload(key);
    }

    @Override
    public synchronized Optional<ContentLock> lockContent(Key key) {
        if (!objects.containsKey(key)) {
            return Optional.empty();
        }
        locks.merge(key, 1, Integer::sum);
        long takenAt = clock.seconds();
        return Optional.of(new ContentLock() {
            private boolean released;

            @Override
            public void close() {
                release(false);
            }

            @Override
            public void abandon() {
                release(true);
            }

            private void release(boolean retain) {
                synchronized (MemoryStore.this) {
                    if (released) {
                        throw new IllegalStateException("lock on " + key + " released twice");
                    }
                    released = true;
                    locks.merge(key, -1, Integer::sum);
                    if (retain) {
                        abandonedUntil.merge(key, takenAt + retentionSeconds, Math::max);
                    }
                }
            }
        });
    }

    @Override
    public synchronized Reach remove(Key key, OptionalLong deadline) {
        if (!objects.containsKey(key)) {
            return Reach.of(true);
        }
        if (isLocked(key)) {
            return Reach.of(false);
        }
        if (deadline.isPresent() && clock.seconds() >= deadline.getAsLong()) {
            return Reach.of(false);
        }
        objects.remove(key);
        return Reach.of(true);
    }

    private final class MemoryUpload implements Upload {
        private final Key key;
        private boolean committed;
        private boolean closed;

        MemoryUpload(Key key) {
            this.key = key;
        }

        @Override
        public long offset() {
            return partialSize(key);
        }

        @Override
        public Optional<List<Uuid>> alreadyStored() {
            return isPresent(key) ? Optional.of(List.of()) : Optional.empty();
        }

        @Override
        public void write(Content content) throws IOException {
            InputStream data = content.counted();
            if (committed || closed) {
                throw new IllegalStateException("write after commit or close of " + key);
            }
            byte[] buf = new byte[8192];
            int n;
            while ((n = data.read(buf)) >= 0) {
                synchronized (MemoryStore.this) {
                    partials.computeIfAbsent(key, k -> new ByteArrayOutputStream()).write(buf, 0, n);
                }
            }
        }

        @Override
        public Reach commit(Optional<Boolean> senderSaysValid) {
            return Reach.of(commitHere(senderSaysValid));
        }

        private boolean commitHere(Optional<Boolean> senderSaysValid) {
            synchronized (MemoryStore.this) {
                committed = true;
                ByteArrayOutputStream partial = partials.getOrDefault(key, new ByteArrayOutputStream());
                byte[] data = partial.toByteArray();
                boolean sizeOk = key.size().isEmpty() || key.size().getAsLong() == data.length;
                Optional<ContentVerifier> verifier = ContentVerifier.forKey(key);
                boolean verified;
                if (verifier.isPresent()) {
                    verifier.get().update(data, 0, data.length);
                    verified = verifier.get().matches();
                } else {
                    verified = senderSaysValid.orElse(false);
                }
                if (!sizeOk || !verified) {
                    if (sizeOk) {
                        partials.remove(key);
                    }
                    return false;
                }
                partials.remove(key);
                objects.put(key, data);
                return true;
            }
        }

        @Override
        public void close() {
            synchronized (MemoryStore.this) {
                if (closed) {
                    throw new IllegalStateException("upload of " + key + " closed twice");
                }
                closed = true;
                uploading.remove(key);
            }
        }
    }
}
