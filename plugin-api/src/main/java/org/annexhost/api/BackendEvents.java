package org.annexhost.api;

import java.util.function.IntSupplier;

/**
 * What a backend tells its host about the helper processes it runs (an external special remote's
 * program, say), so that an operator can see them: how many run and are idle, how many started
 * and ended and why, and requests that got no answer in time. Every method does nothing by
 * default; a host that does not watch pays nothing. Implementations are thread-safe and quick
 * (they are called on the backend's request path).
 */
public interface BackendEvents {
    /** Events nobody watches. */
    BackendEvents NONE = new BackendEvents() {
    };

    /**
     * Called once, when the backend opens: how to read, whenever the host asks, the processes
     * it runs and those of them idle.
     */
    default void pool(IntSupplier running, IntSupplier idle) {
    }

    /** A helper process started. */
    default void processStarted() {
    }

    /**
     * A helper process ended.
     *
     * @param reason one word or few: {@code closed}, {@code timed out}, {@code misbehaved},
     *     {@code prepare failed}, {@code died}
     */
    default void processEnded(String reason) {
    }

    /** A request got no answer within the backend's timeout. */
    default void timedOut() {
    }
}
