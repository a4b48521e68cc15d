package org.annexhost.proxy;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The gateway's threads that run the per-node halves of a cluster's requests, and waiting for them. */
final class Fanout {
    private final ExecutorService threads;

    Fanout(ExecutorService threads) {
        this.threads = threads;
    }

    /** Starts one node's half of a request. */
    <T> Future<T> start(Callable<T> work) {
        return threads.submit(work);
    }

    /** @return what a node's half came to; its failure as an IOException */
    static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
