package org.annexhost.time;

/**
 * A clock that never goes backwards, in seconds, as git-annex's {@code GETTIMESTAMP} uses. Tests
 * substitute a clock they move by hand. Implementations are thread-safe.
 */
public interface MonotonicClock {
    /** @return seconds since an arbitrary, fixed origin */
    long seconds();

    /** @return the system's monotonic clock */
    static MonotonicClock system() {
        return SystemMonotonicClock.INSTANCE;
    }
}
