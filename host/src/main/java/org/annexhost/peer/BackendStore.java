package org.annexhost.peer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentVerifier;
import org.annexhost.api.content.ForwardingInputStream;
import org.annexhost.api.content.VerifyingInputStream;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.StoreFailedException;
import org.annexhost.time.MonotonicClock;

/**
 * A storage backend seen as a {@link LocalStore}, so the protocol server serves it like a
 * repository. Content streams straight from the client into the backend; for hashing keys it is
 * verified on the way, and a mismatch makes the stream fail before its end, so the backend never
 * makes bad content visible. Calls that do not stream are bounded by a deadline, so a hung backend
 * yields an ERROR, not a hung client.
 *
 * <p>Thread-safe if the backend is (the plugin contract requires it).
 */
public final class BackendStore implements LocalStore {
    private final String remote;
    private final StorageBackend backend;
    private final KeyLocks locks;
    private final ExecutorService calls;
    private final Duration deadline;
    private final MonotonicClock clock;
    private final boolean verifies;
    /** Keys a CHECKPRESENT just found absent, when (nanoTime): see {@link BackendUpload#alreadyStored}. */
    private final Map<Key, Long> recentlyAbsent = new ConcurrentHashMap<>();
    private static final Duration ABSENT_STAYS_FRESH = Duration.ofSeconds(10);
    private static final int RECENTLY_ABSENT_MAX = 10_000;

    /**
     * @param remote the remote's name, for messages
     * @param backend the storage
     * @param locks content locks held on the backend's behalf
     * @param calls runs backend calls that have a deadline
     * @param deadline how long a non-streaming call may take
     * @param clock the clock of the protocol server serving this store, which REMOVE-BEFORE's
     *     deadline is in
     */
    public BackendStore(String remote, StorageBackend backend, KeyLocks locks, ExecutorService calls, Duration deadline,
                        MonotonicClock clock) {
        this(remote, backend, locks, calls, deadline, clock, true);
    }

    /**
     * @param verifies false only for a store fed by something that has hashed the content already
     *     and fails the stream at its end when it did not match (a cluster feeding its nodes), so
     *     the same gigabyte is not hashed once per node
     */
    private BackendStore(String remote, StorageBackend backend, KeyLocks locks, ExecutorService calls, Duration deadline,
                         MonotonicClock clock, boolean verifies) {
        this.remote = remote;
        this.backend = backend;
        this.locks = locks;
        this.calls = calls;
        this.deadline = deadline;
        this.clock = clock;
        this.verifies = verifies;
    }

    /** @return the same backend and locks, for a feeder that verifies what it sends */
    public BackendStore trustingItsFeeder() {
        return new BackendStore(remote, backend, locks, calls, deadline, clock, false);
    }

    @Override
    public boolean isPresent(Key key) throws IOException {
        Presence p = bounded("CHECKPRESENT " + key, () -> backend.checkPresent(key));
        if (p.state() == Presence.State.UNKNOWN) {
            // Never turn "cannot tell" into "absent": the client would think it can drop elsewhere.
            throw new IOException("remote " + remote + " cannot tell whether " + key + " is present: " + p.reason());
        }
        if (p.isPresent()) {
            recentlyAbsent.remove(key);
        } else {
            if (recentlyAbsent.size() >= RECENTLY_ABSENT_MAX) {
                recentlyAbsent.clear();
            }
            recentlyAbsent.put(key, System.nanoTime());
        }
        return p.isPresent();
    }

    @Override
    public OptionalLong contentSize(Key key) throws IOException {
        if (!isPresent(key)) {
            return OptionalLong.empty();
        }
        if (key.size().isPresent() && !key.isChunk()) {
            return key.size();
        }
        try {
            Content whole = backend.retrieve(key, 0);
            whole.stream().close();
            return OptionalLong.of(whole.length());
        } catch (ContentNotFoundException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public Optional<Content> read(Key key, long offset) throws IOException {
        try {
            return Optional.of(bounded("GET " + key, () -> backend.retrieve(key, offset)));
        } catch (ContentNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<InputStream> openContent(Key key, long offset) throws IOException {
        try {
            return Optional.of(bounded("GET " + key, () -> backend.retrieve(key, offset)).stream());
        } catch (ContentNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public Upload beginUpload(Key key, AssociatedFile file) throws IOException {
        long offset = 0;
        if (backend.capabilities().contains(Capability.RESUMABLE_STORE)
                && backend.capabilities().contains(Capability.VERIFIES_CONTENT)) {
            offset = backend.partialSize(key).orElse(0);
        }
        return new BackendUpload(key, offset);
    }

    @Override
    public Optional<ContentLock> lockContent(Key key) throws IOException {
        return locks.lockIfPresent(key, () -> isPresent(key));
    }

    @Override
    public Reach remove(Key key, OptionalLong deadlineSeconds) throws IOException {
        return Reach.of(locks.removeUnlessLocked(key, () -> {
            // As a repository does: the deadline is checked once the content is locked for removal.
            if (deadlineSeconds.isPresent() && clock.seconds() >= deadlineSeconds.getAsLong()) {
                return false;
            }
            bounded("REMOVE " + key, () -> {
                backend.remove(key);
                return null;
            });
            return true;
        }));
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T bounded(String what, Call<T> call) throws IOException {
        Future<T> f = calls.submit(call::run);
        try {
            return f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("remote " + remote + " did not answer " + what + " within " + deadline.toSeconds() + "s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ContentNotFoundException notFound) {
                throw notFound;
            }
            throw new IOException("remote " + remote + " failed " + what + ": " + describe(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during " + what + " on remote " + remote);
        }
    }

    static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** One PUT into the backend. */
    private final class BackendUpload implements Upload {
        private final Key key;
        private final long offset;
        private boolean stored;

        BackendUpload(Key key, long offset) {
            this.key = key;
            this.offset = offset;
        }

        @Override
        public long offset() {
            return offset;
        }

        /**
         * A client asks CHECKPRESENT and then PUTs what was absent: the PUT takes that answer
         * rather than asking the backend again (for an external remote, another program run).
         * Only "absent" is reused, and briefly: if it went stale, the content is stored again,
         * which the backend contract allows; a stale "present" would lose a copy, so that is
         * always asked afresh.
         */
        @Override
        public Optional<List<Uuid>> alreadyStored() throws IOException {
            Long absentAt = recentlyAbsent.remove(key);
            if (absentAt != null && System.nanoTime() - absentAt < ABSENT_STAYS_FRESH.toNanos()) {
                return Optional.empty();
            }
            return isPresent(key) ? Optional.of(List.of()) : Optional.empty();
        }

        @Override
        public void write(Content data) throws IOException {
            GuardedStream guarded = new GuardedStream(data.counted());
            Optional<VerifyingInputStream> verified = (offset == 0 && verifies ? ContentVerifier.forKey(key)
                    : Optional.<ContentVerifier>empty())
                    .map(v -> VerifyingInputStream.failingAtEnd(guarded, v));
            InputStream in = verified.isPresent() ? verified.get() : guarded;
            Future<Void> store = calls.submit(() -> {
                backend.store(key, new Content(data.length(), in), offset);
                return null;
            });
            try {
                awaitStore(store, guarded);
                if (verified.isPresent() && !verified.get().matched()) {
                    // The backend finished without reading to the end, or swallowed the mismatch.
                    backend.remove(key);
                    throw new StoreFailedException("remote " + remote + " did not read all of " + key
                            + " or accepted content that does not match it; removed");
                }
                stored = true;
            } finally {
                // Whatever happened, the backend reads no more: the rest belongs to the protocol.
                guarded.detach();
            }
        }

        /**
         * Waits for the backend's store. Time the backend spends waiting for the sender is not
         * its fault; time it spends neither reading nor finishing is, and past the deadline the
         * store is abandoned as hung.
         */
        private void awaitStore(Future<Void> store, GuardedStream guarded) throws IOException {
            long poll = Math.max(10, Math.min(1000, deadline.toMillis() / 4));
            long lastCount = -1;
            long lastProgress = System.nanoTime();
            while (true) {
                try {
                    store.get(poll, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    long count = guarded.count();
                    if (count != lastCount || guarded.reading()) {
                        lastCount = count;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > deadline.toNanos()) {
                        store.cancel(true);
                        throw new StoreFailedException("remote " + remote + " stopped storing " + key + ": no progress for "
                                + deadline.toSeconds() + "s after " + count + " bytes");
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    String what = "remote " + remote + " did not store " + key + ": " + describe(cause);
                    if (guarded.incomingFailed()) {
                        throw new IOException(what, cause);
                    }
                    throw new StoreFailedException(what, cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    store.cancel(true);
                    throw new IOException("interrupted while storing " + key + " on remote " + remote);
                }
            }
        }

        @Override
        public Reach commit(Optional<Boolean> senderSaysValid) throws IOException {
            if (!stored) {
                return Reach.of(false);
            }
            boolean verifiable = ContentVerifier.forKey(key).isPresent();
            if (!verifiable && !senderSaysValid.orElse(true)) {
                // The sender says the content changed while sent and nothing can check it.
                backend.remove(key);
                return Reach.of(false);
            }
            return Reach.of(true);
        }

        @Override
        public void close() {
            // The backend owns any partial data.
        }
    }

    /**
     * The incoming content as the backend sees it: counts what it reads, knows whether it is in a
     * read (waiting for the sender) and whether the incoming side failed, and once detached
     * refuses every read, so a backend thread that outlives its store cannot take bytes that
     * belong to the next message.
     */
    private static final class GuardedStream extends ForwardingInputStream {
        private volatile long count;
        private volatile boolean reading;
        private volatile boolean incomingFailed;
        private boolean detached;

        GuardedStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        boolean reading() {
            return reading;
        }

        boolean incomingFailed() {
            return incomingFailed;
        }

        synchronized void detach() {
            detached = true;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (detached) {
                throw new IOException("the store was abandoned");
            }
            reading = true;
            try {
                int n = in.read(b, off, len);
                if (n > 0) {
                    count += n;
                }
                return n;
            } catch (IOException e) {
                incomingFailed = true;
                throw e;
            } finally {
                reading = false;
            }
        }

        @Override
        public void close() {
            // the protocol owns the incoming stream
        }
    }
}
