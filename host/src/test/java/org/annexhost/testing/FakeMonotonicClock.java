package org.annexhost.testing;

import java.util.concurrent.atomic.AtomicLong;
import org.annexhost.time.MonotonicClock;

/** A monotonic clock that moves only when a test says so. Thread-safe. */
public final class FakeMonotonicClock implements MonotonicClock {
    private final AtomicLong seconds;

    /** @param start the first reading */
    public FakeMonotonicClock(long start) {
        this.seconds = new AtomicLong(start);
    }

    @Override
    public long seconds() {
        return seconds.get();
    }

    /** Moves the clock forward. */
    public void advance(long by) {
        if (by < 0) {
            throw new IllegalArgumentException("a monotonic clock does not go back");
        }
        seconds.addAndGet(by);
    }
}
