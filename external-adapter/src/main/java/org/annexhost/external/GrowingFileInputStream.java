package org.annexhost.external;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.annexhost.api.content.SourceInputStream;
import org.annexhost.external.message.Response;

/**
 * Reads a file while an external remote is still writing it, in order (the remote said ORDERED),
 * so content streams on before the transfer ends. It ends when the declared size was read and the
 * transfer succeeded, and fails with the remote's own words if the transfer failed. The file is
 * deleted once both the reader and the transfer are done.
 *
 * <p>One reader; not thread-safe.
 */
final class GrowingFileInputStream extends SourceInputStream {
    private static final long POLL_MILLIS = 5;

    private final Path file;
    private final CompletableFuture<Response> transfer;
    private final long size;
    private final String remote;
    private RandomAccessFile raf;
    private long pos;

    GrowingFileInputStream(Path file, CompletableFuture<Response> transfer, long size, String remote) {
        this.file = file;
        this.transfer = transfer;
        this.size = size;
        this.remote = remote;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (raf == null && Files.exists(file)) {
                raf = new RandomAccessFile(file.toFile(), "r");
            }
            long available = raf == null ? 0 : raf.length() - pos;
            if (available > 0) {
                raf.seek(pos);
                int n = raf.read(b, off, (int) Math.min(len, available));
                if (n > 0) {
                    pos += n;
                    return n;
                }
            }
            if (transfer.isDone()) {
                Response r;
                try {
                    r = transfer.join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw new IOException("external remote " + remote + " failed while streaming: " + e.getCause().getMessage(), e.getCause());
                }
                if (!(r instanceof Response.TransferSuccess)) {
                    throw new IOException("external remote " + remote + " failed while streaming: " + r);
                }
                if (raf == null || raf.length() <= pos) {
                    return pos >= size ? -1 : fail();
                }
                continue;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while streaming from external remote " + remote);
            }
        }
    }

    private int fail() throws IOException {
        throw new IOException("external remote " + remote + " wrote " + pos + " of " + size + " bytes");
    }

    @Override
    public void close() throws IOException {
        if (raf != null) {
            raf.close();
        }
        transfer.whenComplete((r, e) -> {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            } catch (IOException ignored) {
                // a spool file left behind is removed with its process directory
            }
        });
    }
}
