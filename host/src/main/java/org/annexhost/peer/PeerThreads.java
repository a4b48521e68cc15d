package org.annexhost.peer;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of named threads for peer conversations. When every thread is busy it refuses
 * at once (the caller reports "too busy") instead of queueing without limit.
 *
 * <p>Thread-safe; owned by the composition root, which shuts it down.
 */
public final class PeerThreads implements AutoCloseable {
    private final String prefix;
    private final ThreadPoolExecutor pool;

    /**
     * @param prefix thread name prefix, e.g. {@code peer-photos}
     * @param max the most conversations at once
     */
    public PeerThreads(String prefix, int max) {
        this.prefix = prefix;
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = new ThreadPoolExecutor(0, max, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory,
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs the task on a pool thread, or throws RejectedExecutionException if all are busy. */
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** @return the pool's state, for "too busy" messages */
    public String describe() {
        return prefix + ": " + pool.getActiveCount() + " of " + pool.getMaximumPoolSize() + " conversations busy";
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
