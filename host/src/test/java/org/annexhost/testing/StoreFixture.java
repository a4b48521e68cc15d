package org.annexhost.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.annexhost.api.Presence;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.InMemoryBackend;
import org.annexhost.api.key.Key;
import org.annexhost.proxy.Node;
import org.annexhost.proxy.ProxyStore;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.BackendStore;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerThreads;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.RepositoryStore;

/**
 * One store of each kind the host serves, made for one test, with what a test sets up and checks
 * through it: content in place, partial uploads, locks. Every kind runs on the test's monotonic
 * clock (and a wall clock that follows it), so deadlines and lock retention move when the test
 * says so.
 */
public interface StoreFixture extends AutoCloseable {
    /** @return the store the server serves */
    LocalStore store();

    /** @return whether an interrupted upload leaves data the next PUT resumes from */
    boolean resumes();

    /** @return whether LOCKCONTENT can succeed (git-annex's clusters refuse it, as ours do) */
    default boolean locksContent() {
        return true;
    }

    /**
     * @return a reply as the one repository a transcript expects would give it: a store that
     *     speaks for other repositories names them in its PLUS replies, and those names go
     */
    default String asOneRepository(String reply) {
        return reply;
    }

    /** Puts content in place, as if stored earlier. */
    void have(Key key, byte[] content) throws IOException;

    /** Leaves partial data, as an interrupted upload would; only if {@link #resumes()}. */
    void partial(Key key, byte[] content) throws IOException;

    /** @return the whole stored content, if present */
    Optional<byte[]> content(Key key) throws IOException;

    /** @return how many bytes of an interrupted upload are kept */
    long partialSize(Key key) throws IOException;

    /** @return whether some lock (held or retained) keeps the content from removal */
    boolean isLocked(Key key) throws IOException;

    @Override
    void close() throws IOException;

    /** The kinds, by name. */
    enum Kind {
        /** The strict in-memory model, {@link MemoryStore}. */
        MEMORY,
        /** A bare repository of the host's own: {@code RepositoryStore}. */
        REPOSITORY,
        /** A storage backend as a special remote: {@code BackendStore} over the contract kit's in-memory backend. */
        BACKEND,
        /** A cluster whose one node is a repository served by its own protocol server. */
        CLUSTER_OF_ONE,
        /** A repository behind the gateway, served by its own protocol server: {@code ProxyStore.single}. */
        PROXIED_REPOSITORY;

        /**
         * @param dir an empty directory the fixture may use
         * @param clock the test's monotonic clock
         * @param retention how long an abandoned lock holds
         */
        public StoreFixture open(Path dir, FakeMonotonicClock clock, Duration retention) throws IOException {
            return switch (this) {
                case MEMORY -> new Memory(new MemoryStore(clock, retention.toSeconds()));
                case REPOSITORY -> Repository.init(dir, clock, retention);
                case BACKEND -> new Backend(dir, clock, retention);
                case CLUSTER_OF_ONE -> new Proxied(Repository.init(dir, clock, retention), clock, true);
                case PROXIED_REPOSITORY -> new Proxied(Repository.init(dir, clock, retention), clock, false);
            };
        }
    }

    /** A repository whose content is set up and checked as files in git-annex's layout. */
    interface OnDisk extends StoreFixture {
        /** @return the repository */
        HostRepository repo();

        @Override
        default void have(Key key, byte[] content) throws IOException {
            RepositoryFiles.have(repo(), key, content);
        }

        @Override
        default void partial(Key key, byte[] content) throws IOException {
            RepositoryFiles.partial(repo(), key, content);
        }

        @Override
        default Optional<byte[]> content(Key key) throws IOException {
            return RepositoryFiles.content(repo(), key);
        }

        @Override
        default long partialSize(Key key) throws IOException {
            return RepositoryFiles.partialSize(repo(), key);
        }
    }

    /** A wall clock that moves with a monotonic one, for code that times locks by the wall. */
    final class FollowingClock extends Clock {
        private static final long ORIGIN = 1_800_000_000L;
        private final FakeMonotonicClock monotonic;

        public FollowingClock(FakeMonotonicClock monotonic) {
            this.monotonic = monotonic;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(ORIGIN + monotonic.seconds());
        }
    }

    /** {@link MemoryStore}. */
    record Memory(MemoryStore store) implements StoreFixture {
        @Override
        public boolean resumes() {
            return true;
        }

        @Override
        public void have(Key key, byte[] content) {
            store.put(key, content);
        }

        @Override
        public void partial(Key key, byte[] content) {
            store.putPartial(key, content);
        }

        @Override
        public Optional<byte[]> content(Key key) {
            return store.get(key);
        }

        @Override
        public long partialSize(Key key) {
            return store.partialSize(key);
        }

        @Override
        public boolean isLocked(Key key) {
            return store.isLocked(key);
        }

        @Override
        public void close() {
        }
    }

    /** A temporary bare repository. */
    record Repository(HostRepository repo, LockTable locks, RepositoryStore store) implements OnDisk {
        static Repository init(Path dir, FakeMonotonicClock clock, Duration retention) throws IOException {
            HostRepository repo = HostRepository.init(dir.resolve("repo.git"), Optional.of("transcript"));
            Clock wall = new FollowingClock(clock);
            LockTable locks = new LockTable(repo.hostDir().resolve("locks"), wall, retention);
            return new Repository(repo, locks, new RepositoryStore(repo, locks, clock, wall));
        }

        @Override
        public boolean resumes() {
            return true;
        }

        @Override
        public boolean isLocked(Key key) throws IOException {
            return locks.isLocked(key);
        }

        @Override
        public void close() {
        }
    }

    /** {@code BackendStore} over {@link InMemoryBackend}, which does not resume. */
    final class Backend implements StoreFixture {
        private final InMemoryBackend backend = new InMemoryBackend();
        private final ExecutorService calls = Executors.newCachedThreadPool();
        private final LockTable locks;
        private final BackendStore store;

        Backend(Path dir, FakeMonotonicClock clock, Duration retention) {
            locks = new LockTable(dir.resolve("locks"), new FollowingClock(clock), retention);
            store = new BackendStore("memory", backend, locks, calls, Duration.ofSeconds(10), clock);
        }

        @Override
        public LocalStore store() {
            return store;
        }

        @Override
        public boolean resumes() {
            return false;
        }

        @Override
        public void have(Key key, byte[] content) throws IOException {
            backend.store(key, new Content(content.length, new ByteArrayInputStream(content)), 0);
        }

        @Override
        public void partial(Key key, byte[] content) {
            throw new UnsupportedOperationException("the in-memory backend does not resume");
        }

        @Override
        public Optional<byte[]> content(Key key) throws IOException {
            if (backend.checkPresent(key).state() != Presence.State.PRESENT) {
                return Optional.empty();
            }
            try (InputStream in = backend.retrieve(key, 0).stream()) {
                return Optional.of(in.readAllBytes());
            }
        }

        @Override
        public long partialSize(Key key) {
            return 0;
        }

        @Override
        public boolean isLocked(Key key) throws IOException {
            return locks.isLocked(key);
        }

        @Override
        public void close() {
            calls.shutdownNow();
            backend.assertNoOpenStreams();
        }
    }

    /**
     * A repository behind the gateway's proxy, served by its own protocol server and reached in
     * memory as the gateway reaches its own nodes: as the one node of a cluster, or as a single
     * proxied repository. Setup and checks look at the repository.
     */
    final class Proxied implements StoreFixture {
        static final Uuid CLUSTER = new Uuid("ac000000-0000-8000-0000-0000000000c1");
        private final Repository node;
        private final boolean cluster;
        private final MemoryKnowledge knowledge = new MemoryKnowledge();
        private final PeerThreads threads = new PeerThreads("node", 16);
        private final ExecutorService fanout = Executors.newCachedThreadPool();
        private final ProxyStore proxy;
        /** Uploads and locks the node's server holds now. */
        private final java.util.concurrent.atomic.AtomicInteger holding = new java.util.concurrent.atomic.AtomicInteger();

        Proxied(Repository node, FakeMonotonicClock clock, boolean cluster) {
            this.node = node;
            this.cluster = cluster;
            Uuid u = node.repo().uuid();
            LocalPeer peer = new LocalPeer("node", new ProtocolServer(u, new Holding(node.store(), holding),
                    ProtocolServer.Options.of(clock)), threads, InMemoryConnection.Timeouts.DEFAULT);
            Node n = new Node(u, "node", peer, 100);
            proxy = cluster ? new ProxyStore(CLUSTER, "one", java.util.List.of(n), knowledge, clock, fanout, ProxyStore.NODE_STALL)
                    : ProxyStore.single(n, knowledge, clock, fanout, ProxyStore.NODE_STALL, org.annexhost.proxy.NodeEvents.NONE);
        }

        /** @return the node's uuid, which a cluster names in its PLUS replies */
        public Uuid nodeUuid() {
            return node.repo().uuid();
        }

        @Override
        public LocalStore store() {
            return proxy;
        }

        /** A single repository resumes as it would without the gateway; a cluster's uploads start over. */
        @Override
        public boolean resumes() {
            return !cluster;
        }

        @Override
        public boolean locksContent() {
            return !cluster;
        }

        @Override
        public String asOneRepository(String reply) {
            String plus = "-PLUS " + nodeUuid().value();
            int at = reply.indexOf(plus);
            return at > 0 && at + plus.length() == reply.length() ? reply.substring(0, at) : reply;
        }

        @Override
        public void have(Key key, byte[] content) throws IOException {
            node.have(key, content);
            knowledge.record(key, nodeUuid(), true);
        }

        @Override
        public void partial(Key key, byte[] content) throws IOException {
            if (cluster) {
                throw new UnsupportedOperationException("a cluster does not resume");
            }
            node.partial(key, content);
        }

        @Override
        public Optional<byte[]> content(Key key) throws IOException {
            settle();
            return node.content(key);
        }

        @Override
        public long partialSize(Key key) throws IOException {
            settle();
            return node.partialSize(key);
        }

        @Override
        public boolean isLocked(Key key) throws IOException {
            settle();
            return node.isLocked(key);
        }

        /**
         * Checks are made once the client hung up and the gateway's server ended; the node
         * learns of it one hop later, when the gateway drops the conversations that were mid-PUT
         * or held a lock. Those are awaited first (a few seconds at most).
         */
        private void settle() {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (holding.get() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(1); // not a spin: the node's thread needs the core to finish
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public void close() {
            proxy.close();
            threads.close();
            fanout.shutdownNow();
        }
    }

    /** A store that counts the uploads and locks it holds now: a node whose end is awaited. */
    record Holding(LocalStore inner, java.util.concurrent.atomic.AtomicInteger count) implements LocalStore {
        @Override
        public boolean isPresent(Key key) throws IOException {
            return inner.isPresent(key);
        }

        @Override
        public java.util.OptionalLong contentSize(Key key) throws IOException {
            return inner.contentSize(key);
        }

        @Override
        public Optional<java.io.InputStream> openContent(Key key, long offset) throws IOException {
            return inner.openContent(key, offset);
        }

        @Override
        public Upload beginUpload(Key key, org.annexhost.p2p.message.AssociatedFile file) throws IOException {
            Upload u = inner.beginUpload(key, file);
            count.incrementAndGet();
            return new Upload() {
                private boolean closed;

                @Override
                public long offset() {
                    return u.offset();
                }

                @Override
                public Optional<java.util.List<Uuid>> alreadyStored() throws IOException {
                    return u.alreadyStored();
                }

                @Override
                public void write(org.annexhost.api.content.Content data) throws IOException {
                    u.write(data);
                }

                @Override
                public Reach commit(Optional<Boolean> senderSaysValid) throws IOException {
                    return u.commit(senderSaysValid);
                }

                @Override
                public void close() throws IOException {
                    try {
                        u.close();
                    } finally {
                        if (!closed) {
                            closed = true;
                            count.decrementAndGet();
                        }
                    }
                }
            };
        }

        @Override
        public Optional<ContentLock> lockContent(Key key) throws IOException {
            Optional<ContentLock> lock = inner.lockContent(key);
            if (lock.isEmpty()) {
                return lock;
            }
            count.incrementAndGet();
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable release = () -> {
                if (ended.compareAndSet(false, true)) {
                    count.decrementAndGet();
                }
            };
            return Optional.of(new ContentLock() {
                @Override
                public void close() throws IOException {
                    try {
                        lock.get().close();
                    } finally {
                        release.run();
                    }
                }

                @Override
                public void abandon() throws IOException {
                    try {
                        lock.get().abandon();
                    } finally {
                        release.run();
                    }
                }
            });
        }

        @Override
        public Reach remove(Key key, java.util.OptionalLong deadlineSeconds) throws IOException {
            return inner.remove(key, deadlineSeconds);
        }
    }
}
