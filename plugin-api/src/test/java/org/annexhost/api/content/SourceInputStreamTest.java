package org.annexhost.api.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class SourceInputStreamTest {
    /** A source of the given bytes that hands out at most two per bulk read, counting its calls. */
    static final class TwoAtATime extends SourceInputStream {
        final byte[] bytes;
        int pos;
        int bulkReads;

        TwoAtATime(byte... bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            bulkReads++;
            if (pos == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 2), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void theSingleByteReadGoesThroughTheBulkReadAndKeepsHighBytesUnsigned() throws IOException {
        TwoAtATime s = new TwoAtATime((byte) 0x41, (byte) 0xff, (byte) 0x80);
        assertThat(s.read()).isEqualTo(0x41);
        assertThat(s.read()).isEqualTo(0xff);
        assertThat(s.read()).isEqualTo(0x80);
        assertThat(s.read()).isEqualTo(-1);
        assertThat(s.bulkReads).isEqualTo(4);
    }

    @Test
    void everyOtherReadOfInputStreamComesThroughTheBulkReadToo() throws IOException {
        TwoAtATime s = new TwoAtATime((byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5);
        assertThat(s.readAllBytes()).containsExactly(1, 2, 3, 4, 5);
        assertThat(s.bulkReads).isGreaterThanOrEqualTo(3);
    }
}
