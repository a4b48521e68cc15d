package org.annexhost.http;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who is served now. A request that works on storage takes one of {@code --jobs} slots, waiting in
 * a bounded queue for one. A request that moves content to or from the client (a download, a PUT
 * body) spends its time waiting on the client's socket, not on storage, so it takes a transfer
 * slot instead, of which there are more: clients that stop reading or sending then hold only
 * transfer slots until the client deadline cuts them off, and the jobs stay free for everyone
 * else (a slow client must not starve the server). Locks held for {@code keeplocked} take
 * neither. When a request cannot be admitted the answer is 503 with Retry-After.
 *
 * <p>Thread-safe.
 */
final class Admission {
    /** What a request needs. */
    enum Kind { JOB, TRANSFER, NONE }

    /** Requests that may wait for a job slot at once; more are refused at once. */
    private static final int MAX_WAITING = 200;

    private final int jobCount;
    private final int transferCount;
    private final int waitSeconds;
    private final Semaphore jobs;
    private final Semaphore transfers;
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * @param jobs storage work at once
     * @param transfers client transfers at once
     * @param waitSeconds how long a request may wait for a job slot
     */
    Admission(int jobs, int transfers, int waitSeconds) {
        this.jobCount = jobs;
        this.transferCount = transfers;
        this.waitSeconds = waitSeconds;
        this.jobs = new Semaphore(jobs, true);
        this.transfers = new Semaphore(transfers, true);
    }

    /** A slot held by one request; close it when the request ends. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    /** @return the slot, or empty if the request must be refused (503) */
    Optional<Slot> admit(Kind kind) throws InterruptedException {
        return switch (kind) {
            case NONE -> Optional.of(() -> { });
            case TRANSFER -> transfers.tryAcquire() ? Optional.of(transfers::release) : Optional.empty();
            case JOB -> takeJob() ? Optional.of(jobs::release) : Optional.empty();
        };
    }

    /** @return job slots in use now */
    int jobsBusy() {
        return jobCount - jobs.availablePermits();
    }

    /** @return transfer slots in use now */
    int transfersBusy() {
        return transferCount - transfers.availablePermits();
    }

    /** @return requests waiting for a job slot now */
    int waiting() {
        return waiting.get();
    }

    /** @return why a request of this kind was refused, for the client */
    String refusal(Kind kind) {
        return kind == Kind.TRANSFER
                ? "busy: all " + transferCount + " transfers in progress; retry later"
                : "busy: all " + jobCount + " jobs in use; retry later";
    }

    private boolean takeJob() throws InterruptedException {
        if (jobs.tryAcquire()) {
            return true;
        }
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            return jobs.tryAcquire(waitSeconds, TimeUnit.SECONDS);
        } finally {
            waiting.decrementAndGet();
        }
    }
}
