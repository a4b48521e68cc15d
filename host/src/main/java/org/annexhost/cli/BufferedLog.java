package org.annexhost.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The activity lines' appender in {@code serve}: lines are gathered in memory and written
 * every half second, at {@value #BATCH} bytes, and when the log stops (at exit), so that a
 * line per request costs no write, nor lock, of its own. A killed host loses at most the last
 * half second of them; the audit log is written as each change happens. To the file, or
 * stderr when it is null.
 */
final class BufferedLog extends ch.qos.logback.core.UnsynchronizedAppenderBase<ILoggingEvent> {
    static final int BATCH = 256 * 1024;
    private static final java.util.concurrent.ScheduledExecutorService FLUSHER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "log-flush");
                t.setDaemon(true);
                return t;
            });
    private final Path file;
    private final Encoder<ILoggingEvent> encoder;
    /** Lines gathered; swapped with {@code spare} at each write, so nothing is copied under the lock. */
    private java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream(BATCH + 64 * 1024);
    private java.io.ByteArrayOutputStream spare = new java.io.ByteArrayOutputStream(BATCH + 64 * 1024);
    private final Object lock = new Object();
    private final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.ScheduledFuture<?> timer;
    private OutputStream out;

    BufferedLog(LoggerContext context, Path file) {
        this.file = file;
        this.encoder = LogSetup.encoder(context);
        setContext(context);
        setName(LogSetup.ACTIVITY_APPENDER);
        start();
        timer = FLUSHER.scheduleWithFixedDelay(this::flush, 500, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    protected void append(ILoggingEvent e) {
        byte[] line = encoder.encode(e);
        int size;
        synchronized (lock) {
            pending.writeBytes(line);
            size = pending.size();
        }
        if (size >= 4 * BATCH) {
            flush(); // the flush thread fell behind: this thread writes, so what waits stays bounded
        } else if (size >= BATCH && queued.compareAndSet(false, true)) {
            FLUSHER.execute(this::flush); // a full batch is written by the flush thread, not by a request's
        }
    }

    /** Writes what is gathered, in one write. */
    synchronized void flush() {
        queued.set(false);
        java.io.ByteArrayOutputStream batch;
        synchronized (lock) {
            if (pending.size() == 0) {
                return;
            }
            batch = pending;
            pending = spare;
            spare = null;
        }
        try {
            if (out == null) {
                out = file == null ? new java.io.FileOutputStream(java.io.FileDescriptor.err) : LogSetup.FileLog.open(file);
            }
            batch.writeTo(out);
            out.flush();
        } catch (IOException | RuntimeException broken) {
            try {
                batch.writeTo(System.err);
            } catch (IOException ignored) {
                // nowhere left to write
            }
        }
        batch.reset();
        synchronized (lock) {
            spare = batch;
        }
    }

    @Override
    public void stop() {
        timer.cancel(false);
        flush();
        super.stop();
    }
}
