package org.annexhost.http;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Locks taken by {@code lockcontent}, waiting for the {@code keeplocked} request that controls
 * them. Each is a P2P conversation held in LOCKCONTENT state. One not claimed within the retention
 * period is dropped: its conversation closes, and the server's own retention decides the rest.
 * Thread-safe.
 */
final class KeptLocks implements AutoCloseable {
    private record Held(Conversations.Lease lease, ScheduledFuture<?> expiry) {
    }

    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-lock-expiry");
        t.setDaemon(true);
        return t;
    });
    private final Duration retention;
    private final int max;

    KeptLocks(Duration retention, int max) {
        this.retention = retention;
        this.max = max;
    }

    /** @return true if another lock may be held (--lockedfiles) */
    boolean roomForAnother() {
        return held.size() < max;
    }

    /** Keeps a locked conversation; returns the lock id to give the client. */
    String keep(Conversations.Lease lease) {
        String id = UUID.randomUUID().toString();
        ScheduledFuture<?> expiry = timer.schedule(() -> {
            Held h = held.remove(id);
            if (h != null) {
                h.lease().close();
            }
        }, retention.toMillis(), TimeUnit.MILLISECONDS);
        held.put(id, new Held(lease, expiry));
        return id;
    }

    /** @return the locked conversation, now the caller's to unlock or abandon */
    Optional<Conversations.Lease> claim(String id) {
        Held h = held.remove(id);
        if (h == null) {
            return Optional.empty();
        }
        h.expiry().cancel(false);
        return Optional.of(h.lease());
    }

    /** Sends UNLOCKCONTENT and returns the conversation to the pool. */
    static void unlock(Conversations.Lease lease) {
        try (lease) {
            lease.client.unlockContent();
            lease.done();
        } catch (IOException e) {
            // the conversation is discarded; the server's retention applies
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        held.values().forEach(h -> h.lease().close());
        held.clear();
    }
}
