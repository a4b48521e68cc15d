package org.annexhost.api.contract;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.HashAlgorithm;
import org.annexhost.api.key.Key;

/**
 * Deterministic pseudo-random content of any size, generated as it is read, so the contract can
 * store gibibytes without holding them. The same seed and size always give the same bytes and key.
 *
 * @param size bytes
 * @param seed what the bytes derive from
 * @since 0.1
 */
public record GeneratedContent(long size, long seed) {
    /** @return the SHA256E key of this content */
    public Key key() {
        MessageDigest d = HashAlgorithm.SHA256.newDigest();
        try (InputStream in = stream(0)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Key.parse("SHA256E-s" + size + "--" + HexFormat.of().formatHex(d.digest()) + ".bin");
    }

    /** @return the content from an offset, as a length-declared stream */
    public Content content(long offset) {
        return new Content(size - offset, stream(offset));
    }

    /** @return the bytes from an offset */
    public InputStream stream(long offset) {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private long pos;
            private long word;

            {
                try {
                    skipNBytes(offset);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public int read() {
                if (pos >= size) {
                    return -1;
                }
                if (pos % 8 == 0) {
                    word = random.nextLong();
                }
                int b = (int) (word >>> (8 * (pos % 8))) & 0xff;
                pos++;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) read();
                }
                return n;
            }
        };
    }
}
