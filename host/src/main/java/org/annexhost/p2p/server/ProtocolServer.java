package org.annexhost.p2p.server;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.CountingInputStream;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.Message.*;
import org.annexhost.p2p.message.Message.Error;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.transport.ConnectionClosedException;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.p2p.transport.ProtocolException;
import org.annexhost.time.MonotonicClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the P2P protocol: what a repository does for each request. Written once
 * against {@link P2PConnection} and {@link LocalStore}, it runs unchanged over stdio, sockets, the
 * internal transport, and one command at a time for HTTP. Follows git-annex's
 * {@code serverLoop}/{@code serverHandler} in {@code P2P/Protocol.hs}.
 *
 * <p>Immutable and thread-safe: one server may serve many connections at once, each on its own
 * thread.
 *
 * <p>Longer than 400 lines on purpose: the policy is applied once ({@link #serveOne}) and each
 * verb's handler follows it on the same page, as in git-annex's {@code serverHandler}, so that
 * what the server does for any request can be read in one place.
 */
public final class ProtocolServer {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolServer.class);
    private static final Duration NOTIFY_WAIT = Duration.ofHours(1);

    private final Uuid uuid;
    private final LocalStore store;
    private final ServerMode mode;
    private final MonotonicClock clock;
    private final Optional<RepositoryServices> services;
    private final ProtocolVersion maxVersion;
    private final ServerEvents events;

    /**
     * How a server serves, apart from what: what clients may do, the clock behind GETTIMESTAMP,
     * the git side (CONNECT, NOTIFYCHANGE) where there is one, and the newest version to agree
     * to. Start from {@link #of} and narrow.
     *
     * @param mode what clients may do
     * @param clock the monotonic clock behind GETTIMESTAMP
     * @param services git services for CONNECT and NOTIFYCHANGE, if the repository has them
     * @param maxVersion the highest protocol version to agree to
     * @param events what is told of each request served (metrics)
     */
    public record Options(ServerMode mode, MonotonicClock clock, Optional<RepositoryServices> services,
                          ProtocolVersion maxVersion, ServerEvents events) {
        /** Checks every part is there. */
        public Options {
            java.util.Objects.requireNonNull(mode, "mode");
            java.util.Objects.requireNonNull(clock, "clock");
            java.util.Objects.requireNonNull(services, "services");
            java.util.Objects.requireNonNull(maxVersion, "maxVersion");
            java.util.Objects.requireNonNull(events, "events");
        }

        /** @return read-write, no git services, the latest version, timestamps from the clock, unobserved */
        public static Options of(MonotonicClock clock) {
            return new Options(ServerMode.READ_WRITE, clock, Optional.empty(), ProtocolVersion.LATEST, ServerEvents.NONE);
        }

        /** @return these options, clients limited to the mode */
        public Options mode(ServerMode m) {
            return new Options(m, clock, services, maxVersion, events);
        }

        /** @return these options with the repository's git services */
        public Options services(RepositoryServices s) {
            return new Options(mode, clock, Optional.of(s), maxVersion, events);
        }

        /** @return these options, agreeing to no version above the given one */
        public Options maxVersion(ProtocolVersion v) {
            return new Options(mode, clock, services, v, events);
        }

        /** @return these options, each request served told to the observer */
        public Options events(ServerEvents e) {
            return new Options(mode, clock, services, maxVersion, e);
        }
    }

    /**
     * @param uuid the served repository's uuid
     * @param store its content
     * @param options how it is served
     */
    public ProtocolServer(Uuid uuid, LocalStore store, Options options) {
        this.uuid = uuid;
        this.store = store;
        this.mode = options.mode();
        this.clock = options.clock();
        this.services = options.services();
        this.maxVersion = options.maxVersion();
        this.events = options.events();
    }

    /**
     * @return this server for a client with at most these rights: the same store and options,
     *     the mode narrowed (this server itself when that changes nothing)
     */
    public ProtocolServer narrowedTo(ServerMode rights) {
        ServerMode narrowed = mode.narrowedTo(rights);
        return narrowed == mode ? this
                : new ProtocolServer(uuid, store, new Options(narrowed, clock, services, maxVersion, events));
    }

    /** @return the served repository's uuid */
    public Uuid uuid() {
        return uuid;
    }

    /**
     * Serves messages until the client sends ERROR, the conversation ends, or the connection
     * closes. A hung-up client is a normal end, not an error.
     *
     * @throws IOException when the connection broke mid-conversation (short DATA, bad framing)
     */
    public void serve(P2PConnection connection) throws IOException {
        Conversation conversation = new Conversation(store);
        P2PConnection c = events == ServerEvents.NONE ? connection : new ObservedConnection(connection, events);
        try {
            while (serveOneCommand(c, conversation) != Outcome.DONE) {
                // next message
            }
        } catch (ConnectionClosedException e) {
            LOG.debug("{}: {}", connection.name(), e.getMessage());
        }
    }

    /**
     * Receives and handles one message, applying git-annex's loop policy: an unparsable line gets
     * {@code ERROR unknown command}, an unexpected one {@code ERROR unexpected command}, and an
     * ERROR from the client ends the conversation.
     *
     * @return {@link Outcome#DONE} when the conversation is over, else {@link Outcome#CONTINUE}
     */
    private Outcome serveOneCommand(P2PConnection connection, Conversation conversation) throws IOException {
        Optional<Message> received = conversation.next(connection);
        if (received.isEmpty()) {
            connection.send(new Error("unknown command"));
            return Outcome.CONTINUE;
        }
        Message message = received.get();
        if (message instanceof Error) {
            // git-annex: the client's state is unknown after its ERROR, so stop serving.
            return Outcome.DONE;
        }
        if (!(connection instanceof ObservedConnection observed)) {
            return handle(connection, conversation, message);
        }
        observed.beginRequest();
        long start = System.nanoTime();
        try {
            return handle(connection, conversation, message);
        } finally {
            events.served(message.verb(), observed.answer(), System.nanoTime() - start);
        }
    }

    /** Handles one request, answering a failure the protocol can report as ERROR. */
    private Outcome handle(P2PConnection connection, Conversation conversation, Message message) throws IOException {
        Outcome outcome;
        try {
            outcome = serveOne(connection, conversation, message);
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            if (connection.isClosed()) {
                throw new ProtocolException(connection.name() + ": " + e.getMessage(), e);
            }
            // A local failure the protocol can report: the client decides what to do next.
            LOG.warn("{}: {} failed: {}", connection.name(), message.verb().wire(), e.getMessage());
            connection.send(new Error(e.getMessage() == null ? e.toString() : e.getMessage()));
            return Outcome.CONTINUE;
        } catch (RuntimeException e) {
            LOG.error("{}: internal error handling {}", connection.name(), message.verb().wire(), e);
            connection.send(new Error("internal error"));
            return Outcome.DONE;
        }
        if (outcome == Outcome.UNEXPECTED) {
            connection.send(new Error("unexpected command"));
            return Outcome.CONTINUE;
        }
        return outcome;
    }

    /**
     * What one conversation has said that lasts: BYPASS changes the store it is served from; a
     * message read ahead while NOTIFYCHANGE waited is the next one handled.
     */
    private static final class Conversation {
        private LocalStore store;
        private java.util.concurrent.CompletableFuture<Optional<Message>> readAhead;

        Conversation(LocalStore store) {
            this.store = store;
        }

        Optional<Message> next(P2PConnection c) throws IOException {
            if (readAhead == null) {
                return c.receive();
            }
            java.util.concurrent.CompletableFuture<Optional<Message>> f = readAhead;
            readAhead = null;
            return await(f);
        }
    }

    private static Optional<Message> await(java.util.concurrent.CompletableFuture<Optional<Message>> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Handles one parsed message from the client. */
    Outcome serveOne(P2PConnection c, Conversation conversation, Message m) throws IOException {
        LocalStore store = conversation.store;
        Optional<String> refusal = mode.refusal(m);
        if (refusal.isPresent()) {
            c.send(new Error(refusal.get()));
            return Outcome.CONTINUE;
        }
        if (m instanceof Version v) {
            return handleVersion(c, v);
        } else if (m instanceof CheckPresent cp) {
            return reply(c, store.isPresent(cp.key()));
        } else if (m instanceof LockContent lc) {
            return handleLockContent(c, store, lc.key());
        } else if (m instanceof Remove r) {
            return handleRemove(c, store, r.key(), OptionalLong.empty());
        } else if (m instanceof RemoveBefore rb) {
            return handleRemove(c, store, rb.key(), OptionalLong.of(rb.deadline()));
        } else if (m instanceof GetTimestamp) {
            c.send(new Timestamp(clock.seconds()));
            return Outcome.CONTINUE;
        } else if (m instanceof Put p) {
            return handlePut(c, store, p.key(), p.file());
        } else if (m instanceof Get g) {
            return handleGet(c, store, g.offset(), g.key());
        } else if (m instanceof Connect cn) {
            return new ServiceRelay(c, services, mode).run(cn.service());
        } else if (m instanceof NotifyChange) {
            return handleNotifyChange(c, conversation);
        } else if (m instanceof Bypass b) {
            // Gateways the client came through: a cluster leaves out nodes behind them.
            conversation.store = this.store.bypassing(b.uuids());
            return Outcome.CONTINUE;
        }
        return Outcome.UNEXPECTED;
    }

    private Outcome handleVersion(P2PConnection c, Version v) throws IOException {
        ProtocolVersion agreed = ProtocolVersion.negotiate(v.version(), maxVersion);
        c.setVersion(agreed);
        c.send(new Version(agreed));
        return Outcome.CONTINUE;
    }

    private Outcome handleLockContent(P2PConnection c, LocalStore store, Key key) throws IOException {
        Optional<LocalStore.ContentLock> lock = store.lockContent(key);
        if (lock.isEmpty()) {
            return reply(c, false);
        }
        try {
            c.send(new Success());
            Optional<Message> next = c.receive();
            if (next.isEmpty() || !(next.get() instanceof UnlockContent)) {
                c.send(new Error("expected UNLOCKCONTENT"));
            }
            lock.get().close();
        } catch (IOException e) {
            // The connection broke while locked: the content stays locked for the retention period.
            lock.get().abandon();
            throw e;
        }
        return Outcome.CONTINUE;
    }

    private Outcome handleRemove(P2PConnection c, LocalStore store, Key key, OptionalLong deadline) throws IOException {
        LocalStore.Reach r = store.remove(key, deadline);
        boolean plus = !r.uuids().isEmpty() && c.version().hasPlusReplies();
        if (r.ok()) {
            c.send(plus ? new SuccessPlus(r.uuids()) : new Success());
        } else if (plus) {
            c.send(new FailurePlus(r.uuids()));
        } else if (r.error().isPresent()) {
            c.send(new Error(r.error().get()));
        } else {
            c.send(new Failure());
        }
        return Outcome.CONTINUE;
    }

    private Outcome handlePut(P2PConnection c, LocalStore store, Key key, AssociatedFile file) throws IOException {
        try (LocalStore.Upload upload = store.beginUpload(key, file)) {
            Optional<List<Uuid>> have = upload.alreadyStored();
            if (have.isPresent()) {
                boolean plus = !have.get().isEmpty() && c.version().hasPlusReplies();
                c.send(plus ? new AlreadyHavePlus(have.get()) : new AlreadyHave());
                return Outcome.CONTINUE;
            }
            c.send(new PutFrom(upload.offset()));
            return receivePutData(c, store, key, upload);
        }
    }

    private Outcome receivePutData(P2PConnection c, LocalStore store, Key key, LocalStore.Upload upload) throws IOException {
        Optional<Message> next = c.receive();
        if (next.isPresent() && next.get() instanceof Data data) {
            Content content = c.receivedContent();
            CountingInputStream incoming = content.counted();
            IncomingWatch watched = new IncomingWatch(incoming);
            try {
                upload.write(new Content(content.length(), watched));
            } catch (IOException e) {
                if (watched.broke || c.isClosed()) {
                    // git-annex: a receiver that cannot take all the data can only close the connection.
                    c.close();
                    throw new ProtocolException(c.name() + ": PUT " + key + " not stored: " + e.getMessage(), e);
                }
                // The store failed, not the connection: take the rest of the DATA, then say so.
                incoming.drain();
                Optional<Boolean> validity = receiveValidity(c);
                if (data.length() == 0 && validity.equals(Optional.of(false))) {
                    // The sender had nothing to send (p2phttp's putoffset probe ends this way): no failure.
                    return reply(c, false);
                }
                LOG.warn("{}: PUT {} not stored: {}", c.name(), key, e.getMessage());
                if (StoreFailures.isDiskFull(e) && c.version().hasPlusReplies()) {
                    // v2 clients take ERROR as the PUT's answer and show it: the server's disk, not theirs.
                    c.send(new Error(StoreFailures.diskFull(key)));
                    return Outcome.CONTINUE;
                }
                return reply(c, false);
            }
            Optional<Boolean> validity = receiveValidity(c);
            if (data.length() == 0 && validity.equals(Optional.of(false))) {
                // git-annex: empty DATA marked INVALID means the sender had nothing to send.
                return reply(c, false);
            }
            LocalStore.Reach stored = upload.commit(validity);
            if (!stored.ok()) {
                return reply(c, false);
            }
            List<Uuid> on = stored.uuids();
            c.send(!on.isEmpty() && c.version().hasPlusReplies() ? new SuccessPlus(on) : new Success());
            return Outcome.CONTINUE;
        }
        if (next.isPresent() && next.get() instanceof DataPresent && c.version().hasDataPresent()) {
            return reply(c, store.isPresent(key));
        }
        if (next.isPresent() && next.get() instanceof Error) {
            return Outcome.CONTINUE;
        }
        c.send(new Error("expected DATA"));
        return Outcome.CONTINUE;
    }

    /** Remembers whether reading the client's content failed, to tell a broken link from a failed store. */
    private static final class IncomingWatch extends java.io.FilterInputStream {
        private boolean broke;

        IncomingWatch(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                broke = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                broke = true;
                throw e;
            }
        }
    }

    private Optional<Boolean> receiveValidity(P2PConnection c) throws IOException {
        if (!c.version().hasValidity()) {
            return Optional.empty();
        }
        Optional<Message> m = c.receive();
        if (m.isPresent() && m.get() instanceof Validity v) {
            return Optional.of(v.valid());
        }
        c.send(new Error("expected VALID or INVALID"));
        return Optional.empty();
    }

    private Outcome handleGet(P2PConnection c, LocalStore store, long offset, Key key) throws IOException {
        Optional<Content> content = store.read(key, offset);
        // git-annex: content that is not there is sent as empty DATA marked INVALID.
        c.sendContent(content.orElse(Content.empty()));
        if (c.version().hasValidity()) {
            c.send(new Validity(content.isPresent()));
        }
        Optional<Message> ack = c.receive();
        if (ack.isEmpty() || !isTransferReply(ack.get())) {
            c.send(new Error("expected SUCCESS or FAILURE"));
        }
        return Outcome.CONTINUE;
    }

    private static boolean isTransferReply(Message m) {
        return m instanceof Success || m instanceof Failure || m instanceof SuccessPlus
                || m instanceof FailurePlus || m instanceof Error;
    }

    /**
     * Waits for a ref to change, while the next message is read on another thread: a client that
     * hangs up ends the conversation at once, as git-annex-shell ends (it would otherwise wait for
     * a change that may never come). A message that arrives instead is the next one handled.
     */
    private Outcome handleNotifyChange(P2PConnection c, Conversation conversation) throws IOException {
        if (services.isEmpty()) {
            c.send(new Error("change notification not available"));
            return Outcome.CONTINUE;
        }
        java.util.concurrent.CompletableFuture<Optional<Message>> next = new java.util.concurrent.CompletableFuture<>();
        Thread watch = new Thread(() -> {
            try {
                next.complete(c.receive());
            } catch (IOException | RuntimeException e) {
                next.completeExceptionally(e);
            }
        }, c.name() + "-notify-watch");
        watch.setDaemon(true);
        watch.start();
        conversation.readAhead = next;
        try {
            List<String> refs = List.of();
            while (refs.isEmpty() && !next.isDone()) {
                refs = services.get().awaitRefChange(NOTIFY_WAIT, next::isDone);
            }
            if (!refs.isEmpty()) {
                c.send(new Changed(refs));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException(c.name() + ": interrupted while waiting for changes");
        }
        return Outcome.CONTINUE;
    }

    private static Outcome reply(P2PConnection c, boolean ok) throws IOException {
        c.send(ok ? new Success() : new Failure());
        return Outcome.CONTINUE;
    }
}
