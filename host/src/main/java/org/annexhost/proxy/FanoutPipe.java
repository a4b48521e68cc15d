package org.annexhost.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Carries one upload's bytes to one node's sender thread: a bounded queue of shared, read-only
 * chunks, so memory stays bounded whatever the size and one slow node slows the fan-out rather
 * than buffering. A reader that fails abandons the pipe and the writer stops feeding it; a
 * writer that fails aborts it and the reader's next read throws. Every wait ends: a reader that
 * takes nothing for the stall limit while the writer waits for room is given up ({@link #feed}
 * answers false), so a node that stops reading cannot hold the upload and the other nodes.
 * Thread-safe for one writer and one reader.
 */
final class FanoutPipe {
    private static final byte[] END = new byte[0];
    private static final long POLL_MILLIS = 100;

    private final BlockingQueue<byte[]> queue;
    private final long stallNanos;
    private volatile long lastTaken = System.nanoTime();
    private volatile boolean abandoned;
    private volatile boolean aborted;
    private long skip;

    /**
     * @param capacity chunks in flight
     * @param skip leading bytes this node already has (its PUT-FROM offset beyond the shared one)
     * @param stall how long the reader may take nothing while the writer waits for room
     */
    FanoutPipe(int capacity, long skip, Duration stall) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.skip = skip;
        this.stallNanos = stall.toNanos();
    }

    /**
     * Feeds a chunk, which must not change afterwards; returns at once if the reader is gone.
     *
     * @return false if the reader took nothing for the stall limit: the pipe is abandoned
     */
    boolean feed(byte[] chunk) throws InterruptedException {
        byte[] part = chunk;
        if (skip > 0) {
            int drop = (int) Math.min(skip, chunk.length);
            skip -= drop;
            if (drop == chunk.length) {
                return true;
            }
            part = java.util.Arrays.copyOfRange(chunk, drop, chunk.length);
        }
        return offer(part);
    }

    /**
     * Marks the end of the content.
     *
     * @return false if the reader took nothing for the stall limit: the pipe is abandoned
     */
    boolean end() throws InterruptedException {
        return offer(END);
    }

    private boolean offer(byte[] part) throws InterruptedException {
        while (!abandoned && !queue.offer(part, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            // The node is slower than the sender: wait for it, but not for one that stopped.
            if (System.nanoTime() - lastTaken > stallNanos) {
                abandon();
                return false;
            }
        }
        return true;
    }

    /** The incoming content failed: the reader's next read throws. */
    void abort() {
        aborted = true;
    }

    /** The reader is gone (its node failed or finished): feeding returns at once from now on. */
    void abandon() {
        abandoned = true;
        queue.clear();
    }

    /** @return true once the reader gave up */
    boolean abandoned() {
        return abandoned;
    }

    /** @return the reading side */
    InputStream input() {
        return new org.annexhost.api.content.SourceInputStream() {
            private byte[] current = null;
            private int pos;
            private boolean ended;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                while (current == null || pos == current.length) {
                    if (ended) {
                        return -1;
                    }
                    byte[] next;
                    try {
                        next = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        abandoned = true;
                        throw new IOException("interrupted");
                    }
                    if (next == null) {
                        if (aborted) {
                            abandoned = true;
                            throw new IOException("the upload being fanned out failed");
                        }
                        continue;
                    }
                    if (next == END) {
                        ended = true;
                        return -1;
                    }
                    current = next;
                    pos = 0;
                }
                lastTaken = System.nanoTime();
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() {
                if (!ended) {
                    abandoned = true;
                    queue.clear();
                }
            }
        };
    }
}
