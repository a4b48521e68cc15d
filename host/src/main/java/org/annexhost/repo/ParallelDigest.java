package org.annexhost.repo;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.annexhost.api.content.ContentVerifier;

/**
 * Feeds a verifier on a thread of its own: the receiving thread hands over filled buffers and
 * takes empty ones back, so hashing overlaps receiving and writing. A fixed set of buffers bounds
 * the memory; the receiver waits when the hasher falls behind. One per upload; the receiving
 * side is one thread.
 */
final class ParallelDigest implements AutoCloseable {
    private static final int BUFFERS = 8;
    private static final int BUFFER_SIZE = 256 * 1024;
    private static final byte[] END = new byte[0];

    private record Filled(byte[] buf, int length) {
    }

    private final ContentVerifier verifier;
    private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Filled> filled = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread hasher;
    private volatile Throwable failure;

    ParallelDigest(ContentVerifier verifier) {
        this.verifier = verifier;
        for (int i = 0; i < BUFFERS; i++) {
            empty.add(new byte[BUFFER_SIZE]);
        }
        hasher = new Thread(this::hash, "upload-hash");
        hasher.setDaemon(true);
        hasher.start();
    }

    private void hash() {
        try {
            while (true) {
                Filled f = filled.take();
                if (f.buf() == END) {
                    return;
                }
                verifier.update(f.buf(), 0, f.length());
                empty.put(f.buf());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** @return an empty buffer to receive into */
    byte[] buffer() throws IOException {
        try {
            return empty.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while receiving");
        }
    }

    /** Hands a received buffer over to be hashed; it comes back through {@link #buffer()}. */
    void update(byte[] buf, int length) throws IOException {
        try {
            filled.put(new Filled(buf, length));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while receiving");
        }
    }

    /** Returns a buffer that was not used. */
    void recycle(byte[] buf) {
        empty.offer(buf);
    }

    /** Waits until every handed-over byte is hashed. */
    void finish() throws IOException {
        try {
            filled.put(new Filled(END, 0));
            hasher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing");
        }
        if (failure != null) {
            throw new IOException("hashing failed: " + failure, failure);
        }
    }

    @Override
    public void close() {
        if (hasher.isAlive()) {
            hasher.interrupt();
        }
    }
}
