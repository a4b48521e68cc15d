package org.annexhost.p2p.transport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A small bounded hand-off between two threads, with a deadline on every wait and a
 * {@link #close()} that wakes both sides with {@link ConnectionClosedException}.
 *
 * <p>Thread-safe.
 *
 * @param <T> what is handed over
 */
final class Rendezvous<T> {
    private final String name;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private boolean closed;
    private String closeReason = "closed";

    Rendezvous(String name, int capacity) {
        this.name = name;
        this.capacity = capacity;
    }

    void put(T item, Duration timeout) throws ConnectionClosedException {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (!closed && items.size() >= capacity) {
                if (nanos <= 0) {
                    throw new ConnectionClosedException(name + ": peer did not take a message within " + timeout);
                }
                nanos = changed.awaitNanos(nanos);
            }
            requireOpen();
            items.add(item);
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException(name + ": interrupted");
        } finally {
            lock.unlock();
        }
    }

    T take(Duration timeout) throws ConnectionClosedException {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (items.isEmpty()) {
                requireOpen();
                if (nanos <= 0) {
                    throw new ConnectionClosedException(name + ": no message from peer within " + timeout);
                }
                nanos = changed.awaitNanos(nanos);
            }
            T item = items.poll();
            changed.signalAll();
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException(name + ": interrupted");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the condition holds. Fails if the rendezvous closes, or if the progress counter
     * stays still for the idle timeout (a slow peer is fine; a stuck one is not).
     */
    void awaitUntil(BooleanSupplier done, Duration idle, LongSupplier progress)
            throws ConnectionClosedException {
        lock.lock();
        try {
            long last = progress.getAsLong();
            long idleDeadline = System.nanoTime() + idle.toNanos();
            while (!done.getAsBoolean()) {
                requireOpen();
                long now = progress.getAsLong();
                if (now != last) {
                    last = now;
                    idleDeadline = System.nanoTime() + idle.toNanos();
                }
                long left = idleDeadline - System.nanoTime();
                if (left <= 0) {
                    throw new ConnectionClosedException(name + ": peer made no progress for " + idle);
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException(name + ": interrupted");
        } finally {
            lock.unlock();
        }
    }

    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void close(String reason) {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                closeReason = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() throws ConnectionClosedException {
        if (closed) {
            throw new ConnectionClosedException(name + ": " + closeReason);
        }
    }
}
