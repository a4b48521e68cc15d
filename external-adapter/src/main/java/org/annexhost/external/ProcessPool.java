package org.annexhost.external;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.annexhost.external.message.Request;
import org.annexhost.external.message.Response;
import org.annexhost.external.async.AsyncRelay;
import org.annexhost.external.process.ExternalProcess;
import org.annexhost.external.process.LineChannel;

/**
 * The processes of one external remote: at most {@code max} at once, reused across requests,
 * prepared once each. A process that misbehaved is killed and replaced. A PREPARE failure is
 * remembered for a while and repeated to every caller, as git-annex's {@code PrepareStatus} does,
 * rather than starting a new process per request.
 *
 * <p>Thread-safe.
 */
final class ProcessPool implements AutoCloseable {
    private final ExternalProgram program;
    private final HostQueries queries;
    private final int max;
    private final Duration waitForProcess;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final Deque<ExternalProcess> idle = new ArrayDeque<>();
    private int running;
    private volatile AsyncRelay shared;
    private boolean closed;
    private String prepareFailure;
    private Instant prepareFailedAt = Instant.MIN;

    private final org.annexhost.api.BackendEvents events;

    ProcessPool(ExternalProgram program, HostQueries queries, int max, Duration waitForProcess, Clock clock) {
        this(program, queries, max, waitForProcess, clock, org.annexhost.api.BackendEvents.NONE);
    }

    /** @param events told of each process started and ended, and of timeouts; asked how many run */
    ProcessPool(ExternalProgram program, HostQueries queries, int max, Duration waitForProcess, Clock clock,
                org.annexhost.api.BackendEvents events) {
        this.program = program;
        this.queries = queries;
        this.max = max;
        this.waitForProcess = waitForProcess;
        this.clock = clock;
        this.events = events;
        events.pool(this::running, this::idleCount);
    }

    /** @return the few words the host's metrics keep of why a process ended */
    static String reason(String why) {
        if (why.startsWith("no reply within") || why.contains("got no reply within")) {
            return "timed out";
        }
        if (why.equals("closed") || why.equals("pool closed") || why.equals("not needed")) {
            return "closed";
        }
        if (why.startsWith("PREPARE failed")) {
            return "prepare failed";
        }
        if (why.equals("misbehaved") || why.startsWith("sent a line")) {
            return "misbehaved";
        }
        return "died";
    }

    /**
     * @return a prepared channel for the caller alone until {@link #release}: a process of its
     *     own, or a job on the shared process of a remote that speaks ASYNC
     */
    LineChannel acquire() throws IOException {
        AsyncRelay relay = shared;
        if (relay != null && relay.healthy()) {
            return relay.job();
        }
        if (relay != null) {
            forgetShared(relay);
        }
        ExternalProcess idleOne = takeIdleOrReserveSlot();
        if (idleOne != null) {
            idleOne.setState(ExternalProcess.State.BUSY);
            return idleOne;
        }
        try {
            ExternalProgram.Started started = program.start(queries);
            ExternalProcess p = started.process();
            events.processStarted();
            p.onDeath(why -> {
                String r = reason(why);
                if (r.equals("timed out")) {
                    events.timedOut();
                }
                events.processEnded(r);
            });
            if (started.async()) {
                return shareAsync(p);
            }
            prepare(p);
            p.setState(ExternalProcess.State.BUSY);
            return p;
        } catch (IOException | RuntimeException e) {
            lock.lock();
            try {
                running--;
                available.signalAll();
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    /**
     * Waits, bounded, for an idle process or room for a new one.
     *
     * @return an idle process, or null when a slot was reserved for the caller to start one
     */
    private ExternalProcess takeIdleOrReserveSlot() throws IOException {
        lock.lock();
        try {
            long nanos = waitForProcess.toNanos();
            while (true) {
                if (closed) {
                    throw new IOException("external remote " + program.remote() + " is shut down");
                }
                if (prepareFailure != null && clock.instant().isBefore(prepareFailedAt.plusSeconds(30))) {
                    throw new IOException("external remote " + program.remote() + " failed to prepare: " + prepareFailure);
                }
                if (!idle.isEmpty()) {
                    return idle.pollFirst();
                }
                if (running < max) {
                    running++;
                    return null;
                }
                if (nanos <= 0) {
                    throw new IOException("external remote " + program.remote() + ": all " + max
                            + " processes stayed busy for " + waitForProcess.toSeconds() + "s");
                }
                nanos = available.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for external remote " + program.remote());
        } finally {
            lock.unlock();
        }
    }

    private void forgetShared(AsyncRelay dead) {
        lock.lock();
        try {
            if (shared == dead) {
                shared = null;
                running--;
                available.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Makes an ASYNC process the one every request shares; PREPARE runs once, as its first job. */
    private LineChannel shareAsync(ExternalProcess p) throws IOException {
        AsyncRelay relay = new AsyncRelay(p);
        prepare(relay.job());
        lock.lock();
        try {
            if (shared != null && shared.healthy()) {
                // Another thread won the race: keep one shared process.
                running--;
                relay.kill("not needed");
                return shared.job();
            }
            shared = relay;
            return relay.job();
        } finally {
            lock.unlock();
        }
    }

    private void prepare(LineChannel p) throws IOException {
        Response r = new ExternalConversation(p, queries, program.timeout()).request(new Request.Prepare());
        if (r instanceof Response.PrepareSuccess) {
            return;
        }
        String why = r instanceof Response.PrepareFailure f ? f.error() : "unexpected reply " + r;
        p.kill("PREPARE failed");
        lock.lock();
        try {
            prepareFailure = why;
            prepareFailedAt = clock.instant();
        } finally {
            lock.unlock();
        }
        throw new IOException("external remote " + program.remote() + " failed to prepare: " + why);
    }

    /** Returns a channel: a healthy process is reused, anything else killed and its slot freed. */
    void release(LineChannel channel, boolean healthy) {
        if (!(channel instanceof ExternalProcess p)) {
            AsyncRelay.finish(channel);
            if (!healthy) {
                channel.kill("misbehaved");
                lock.lock();
                try {
                    if (shared != null && !shared.healthy()) {
                        shared = null;
                        running--;
                        available.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
            return;
        }
        lock.lock();
        try {
            if (healthy && !closed && p.state() != ExternalProcess.State.DEAD) {
                p.setState(ExternalProcess.State.READY);
                idle.addLast(p);
            } else {
                p.kill(healthy ? "pool closed" : "misbehaved");
                running--;
            }
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return a conversation helper for a channel of this pool */
    ExternalConversation conversation(LineChannel p) {
        return new ExternalConversation(p, queries, program.timeout());
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (ExternalProcess p : idle) {
                p.close();
            }
            if (shared != null) {
                shared.kill("pool closed");
            }
            idle.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return the processes waiting for a request */
    int idleCount() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return idle plus busy processes, for tests */
    int running() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

}
