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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Locks taken by {@code lockcontent}, waiting for the {@code keeplocked} request that controls
 * them. Each is a P2P conversation held in LOCKCONTENT state, on the peer's lock lane so it takes
 * no request conversation. {@code --lockedfiles} bounds them: a lock counts from
 * {@link #reserve} until it is unlocked, abandoned or dropped, as git-annex's locked-files
 * semaphore does. One not claimed within the retention period is dropped: its conversation
 * closes, and the server's own retention decides the rest. Thread-safe.
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
    private final Semaphore room;

    KeptLocks(Duration retention, int max) {
        this.retention = retention;
        this.max = max;
        this.room = new Semaphore(max);
    }

    /** @return the retention period: how long a lock is kept for its keeplocked request */
    Duration retention() {
        return retention;
    }

    /** @return locks kept for keeplocked requests now */
    int held() {
        return held.size();
    }

    /** @return the --lockedfiles limit */
    int max() {
        return max;
    }

    /** @return true if room for one more lock was taken; give it back with {@link #release} or by keeping one */
    boolean reserve() {
        return room.tryAcquire();
    }

    /** Gives back room reserved for a lock that was not taken. */
    void release() {
        room.release();
    }

    /** Keeps a locked conversation, in room already reserved; returns the lock id to give the client. */
    String keep(Conversations.Lease lease) {
        String id = UUID.randomUUID().toString();
        ScheduledFuture<?> expiry = timer.schedule(() -> {
            Held h = held.remove(id);
            if (h != null) {
                h.lease().close();
                room.release();
            }
        }, retention.toMillis(), TimeUnit.MILLISECONDS);
        held.put(id, new Held(lease, expiry));
        return id;
    }

    /** @return the locked conversation, now the caller's to {@link #unlock} or {@link #abandon} */
    Optional<Conversations.Lease> claim(String id) {
        Held h = held.remove(id);
        if (h == null) {
            return Optional.empty();
        }
        h.expiry().cancel(false);
        return Optional.of(h.lease());
    }

    /** Sends UNLOCKCONTENT, returns the conversation to the pool and frees its room. */
    void unlock(Conversations.Lease lease) {
        try (lease) {
            lease.client.unlockContent();
            lease.done();
        } catch (IOException e) {
            // the conversation is discarded; the server's retention applies
        } finally {
            room.release();
        }
    }

    /** Drops a claimed lock whose client went away: the server keeps it for its retention period. */
    void abandon(Conversations.Lease lease) {
        try {
            lease.close();
        } finally {
            room.release();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        held.values().forEach(h -> h.lease().close());
        held.clear();
    }
}
