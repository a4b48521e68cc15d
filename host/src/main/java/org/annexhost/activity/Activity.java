package org.annexhost.activity;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * What clients did, in one place: a line in the host's log for each HTTP request
 * ({@code org.annexhost.activity.request}), each P2P conversation
 * ({@code org.annexhost.activity.conversation}) and each content change
 * ({@code org.annexhost.activity.audit}), all at INFO with their fields as key-value pairs (so the
 * JSON log format has them as fields); every content change and refusal appended to its
 * repository's {@link AuditLog}; and, for the status page, the transfers in flight and the last
 * {@value #RECENT} failures. The front doors report here; nothing reported is a secret (users
 * by name, never a password or token). Thread-safe; one per process.
 */
public final class Activity {
    private final java.util.concurrent.atomic.AtomicInteger sshLocks = new java.util.concurrent.atomic.AtomicInteger();
    private static final Logger REQUESTS = LoggerFactory.getLogger("org.annexhost.activity.request");
    private static final Logger CONVERSATIONS = LoggerFactory.getLogger("org.annexhost.activity.conversation");
    private static final Logger CHANGES = LoggerFactory.getLogger("org.annexhost.activity.audit");
    /** Failures kept for the status page. */
    public static final int RECENT = 20;

    private final Clock clock;
    private final Set<Transfer> inFlight = ConcurrentHashMap.newKeySet();
    private final Deque<Failure> failures = new ArrayDeque<>();
    /** The last outcome at each remote (and cluster node) clients reached, by repository and remote. */
    private final java.util.Map<java.util.List<String>, Seen> seen = new ConcurrentHashMap<>();

    /** @param clock what records are timed by */
    public Activity(Clock clock) {
        this.clock = clock;
    }

    /** @return a new id for a request or conversation: 16 hex digits, unlikely to repeat */
    public static String newId() {
        long v = ThreadLocalRandom.current().nextLong();
        char[] digits = new char[16];
        for (int i = 15; i >= 0; i--) {
            digits[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return new String(digits);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** @return the time now, by this activity's clock */
    public Instant now() {
        return clock.instant();
    }

    /**
     * One HTTP request, answered.
     *
     * @param id its id (also sent to the client as {@code X-Request-Id})
     * @param user who asked ({@code anonymous} without a login)
     * @param client the client's address
     * @param method the HTTP method
     * @param endpoint the API operation, {@code git}, or the operator page asked for
     * @param place the repository and remote it reached, if it named one served here
     * @param key the key it named, or empty
     * @param status the HTTP status (0 if the answer did not complete)
     * @param bytesIn request body bytes read
     * @param bytesOut response body bytes written
     * @param elapsed from receiving it to the end of the answer
     */
    public void request(String id, String user, String client, String method, String endpoint, Optional<Place> place,
                        String key, int status, long bytesIn, long bytesOut, Duration elapsed) {
        if (REQUESTS.isInfoEnabled()) {
            LoggingEventBuilder e = REQUESTS.atInfo().setMessage("http").addKeyValue("id", id).addKeyValue("user", user)
                    .addKeyValue("client", client).addKeyValue("method", method).addKeyValue("op", endpoint);
            placed(e, place).addKeyValue("key", key.isEmpty() ? "-" : key).addKeyValue("status", status)
                    .addKeyValue("in", bytesIn).addKeyValue("out", bytesOut).addKeyValue("ms", elapsed.toMillis()).log();
        }
        if (status >= 500 || status == 0) {
            failed(place, method + " " + endpoint + (key.isEmpty() ? "" : " " + key),
                    status == 0 ? "the answer did not complete" : "HTTP " + status);
        } else {
            place.ifPresent(p -> seen(p, true, ""));
        }
    }

    /**
     * One P2P conversation, ended.
     *
     * @param id its id
     * @param user who it was (over ssh, the account, and the client's address)
     * @param client the client's address, or {@code -}
     * @param place what it was served by
     * @param requests how many requests it made
     * @param bytesIn content bytes received
     * @param bytesOut content bytes sent
     * @param elapsed how long it lasted
     * @param end how it ended: {@code ok}, or what broke it
     */
    public void conversation(String id, String user, String client, Place place, int requests, long bytesIn, long bytesOut,
                             Duration elapsed, String end) {
        if (CONVERSATIONS.isInfoEnabled()) {
            LoggingEventBuilder e = CONVERSATIONS.atInfo().setMessage("p2p").addKeyValue("id", id).addKeyValue("user", user)
                    .addKeyValue("client", client);
            placed(e, Optional.of(place)).addKeyValue("requests", requests).addKeyValue("in", bytesIn)
                    .addKeyValue("out", bytesOut).addKeyValue("ms", elapsed.toMillis()).addKeyValue("end", end).log();
        }
        if (!end.equals("ok")) {
            failed(Optional.of(place), "p2p conversation " + id, end);
        } else {
            seen(place, true, "");
        }
    }

    /**
     * A content change or refusal: appended to the repository's audit log, and logged. An audit
     * log that cannot be written is logged as a warning; the change itself stands.
     */
    public void changed(Change c) {
        try {
            AuditLog.append(c);
        } catch (java.nio.file.FileSystemException e) {
            // "No space left on device" and the like: the reason, without the exception's name.
            CHANGES.warn("cannot append to the audit log of {}: {}", c.place().repository(),
                    e.getReason() == null ? e.getMessage() : e.getReason());
        } catch (IOException | RuntimeException e) {
            CHANGES.warn("cannot append to the audit log of {}: {}", c.place().repository(), e.getMessage());
        }
        if (CHANGES.isInfoEnabled()) {
            LoggingEventBuilder e = CHANGES.atInfo().setMessage(c.operation().word()).addKeyValue("id", c.id())
                    .addKeyValue("via", c.via()).addKeyValue("user", c.user()).addKeyValue("client", c.client());
            placed(e, Optional.of(c.place())).addKeyValue("key", c.key()).addKeyValue("result", c.result().word())
                    .addKeyValue("bytes", c.bytes());
            if (!c.detail().isEmpty()) {
                e.addKeyValue("detail", c.detail());
            }
            e.log();
        }
        if (c.result() == Change.Result.FAILED || c.result() == Change.Result.REFUSED) {
            failed(Optional.of(c.place()), c.operation().word() + " " + c.key(),
                    c.result().word() + (c.detail().isEmpty() ? "" : ": " + c.detail()));
        } else {
            seen(c.place(), true, "");
        }
    }

    private static LoggingEventBuilder placed(LoggingEventBuilder e, Optional<Place> place) {
        return e.addKeyValue("repo", place.map(Place::repository).orElse("-"))
                .addKeyValue("remote", place.flatMap(Place::remote).orElse("-"));
    }

    /**
     * A transfer begins.
     *
     * @param id the request or conversation it is part of
     * @param place where its content goes to or comes from
     * @param key the key
     * @param upload whether the client sends the content (else receives it)
     * @param length the bytes declared
     * @return the transfer, to count bytes on and close at its end
     */
    public Transfer transfer(String id, Place place, String key, boolean upload, long length) {
        Transfer t = new Transfer(this, id, place, key, upload, length, clock.instant());
        inFlight.add(t);
        return t;
    }

    /** @return content locks held now for clients over ssh (HTTP's are the server's own count) */
    public int locksHeld() {
        return sshLocks.get();
    }

    /** A conversation took (+1) or let go of (-1) a content lock. */
    void lockHeld(int change) {
        sshLocks.addAndGet(change);
    }

    /** @return the transfers in flight, oldest first */
    public List<Transfer> transfers() {
        List<Transfer> out = new ArrayList<>(inFlight);
        out.sort(Comparator.comparing(Transfer::started));
        return out;
    }

    /** @return the last failures, newest first */
    public List<Failure> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    /**
     * A failure seen behind a front door (a cluster's node that failed its part of a request),
     * for the status page.
     *
     * @param where the repository, and the remote or node of it that failed
     * @param what what it was asked
     * @param why what went wrong
     */
    public void failure(Place where, String what, String why) {
        failed(Optional.of(where), what, why);
    }

    /**
     * Notes how a remote (or a cluster's node) answered just now, as readiness reports it: the
     * host never probes what is behind it, it remembers what clients' requests found.
     *
     * @param where the repository and its remote or node; the repository itself is not noted
     * @param ok whether it did what was asked
     * @param detail why not, or empty
     */
    public void seen(Place where, boolean ok, String detail) {
        if (where.remote().isPresent()) {
            seen.put(java.util.List.of(where.repository(), where.remote().get()), new Seen(where, clock.instant(), ok, detail));
        }
    }

    /** @return the last outcome seen at this repository's remote (or node) of this name, if clients reached it */
    public Optional<Seen> lastSeen(String repository, String remote) {
        return Optional.ofNullable(seen.get(java.util.List.of(repository, remote)));
    }

    /** @return the last outcome seen at each remote and node, by repository then remote name */
    public List<Seen> lastSeen() {
        List<Seen> out = new ArrayList<>(seen.values());
        out.sort(Comparator.comparing((Seen x) -> x.place().repository()).thenComparing(x -> x.place().remote().orElse("")));
        return out;
    }

    /**
     * The last outcome at a remote.
     *
     * @param place the repository and remote
     * @param time when
     * @param ok whether the remote did what was asked
     * @param detail why not, or empty
     */
    public record Seen(Place place, Instant time, boolean ok, String detail) {
    }

    private void failed(Optional<Place> where, String what, String why) {
        where.ifPresent(p -> seen(p, false, why));
        synchronized (failures) {
            failures.addFirst(new Failure(clock.instant(), where.map(Place::repository).orElse("-"),
                    where.flatMap(Place::remote), what, why));
            while (failures.size() > RECENT) {
                failures.removeLast();
            }
        }
    }

    /**
     * A failure, for the status page.
     *
     * @param time when
     * @param repository the repository, or {@code -} if the request named none served here
     * @param remote the remote of it, if the request reached one
     * @param what the request
     * @param why the answer
     */
    public record Failure(Instant time, String repository, Optional<String> remote, String what, String why) {
    }

    /** A transfer in flight: what the status page shows. Counted by one thread, read by any. */
    public static final class Transfer implements AutoCloseable {
        private final Activity owner;
        private final String id;
        private final Place place;
        private final String key;
        private final boolean upload;
        private final long length;
        private final Instant started;
        private final AtomicLong done = new AtomicLong();

        private Transfer(Activity owner, String id, Place place, String key, boolean upload, long length, Instant started) {
            this.owner = owner;
            this.id = id;
            this.place = place;
            this.key = key;
            this.upload = upload;
            this.length = length;
            this.started = started;
        }

        /** Counts bytes moved. */
        public void add(long n) {
            done.addAndGet(n);
        }

        /** @return a stream that counts what is read from the given one on this transfer */
        public java.io.InputStream counting(java.io.InputStream in) {
            return new org.annexhost.api.content.ForwardingInputStream(in) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        add(n);
                    }
                    return n;
                }
            };
        }

        public String id() {
            return id;
        }

        public Place place() {
            return place;
        }

        public String key() {
            return key;
        }

        public boolean upload() {
            return upload;
        }

        public long length() {
            return length;
        }

        public Instant started() {
            return started;
        }

        /** @return bytes moved so far */
        public long done() {
            return done.get();
        }

        /** The transfer is over, whatever came of it. */
        @Override
        public void close() {
            owner.inFlight.remove(this);
        }
    }
}
