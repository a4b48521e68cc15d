package org.annexhost.api.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class ForwardingInputStreamTest {
    /** Overrides only the array read, as every decorator does, and records what passed. */
    private static final class Recording extends ForwardingInputStream {
        int calls;
        long bytes;

        Recording(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            calls++;
            int n = in.read(b, off, len);
            if (n > 0) {
                bytes += n;
            }
            return n;
        }
    }

    @Test
    void singleByteReadsGoThroughTheArrayReadAndAreUnsigned() throws Exception {
        Recording in = new Recording(new ByteArrayInputStream(new byte[] {(byte) 0xff, 0, 7}));
        assertThat(in.read()).isEqualTo(255);
        assertThat(in.read()).isZero();
        assertThat(in.read()).isEqualTo(7);
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.calls).isEqualTo(4);
        assertThat(in.bytes).isEqualTo(3);
    }

    @Test
    void skipReadsThroughTheDecorator() throws Exception {
        Recording in = new Recording(new ByteArrayInputStream(new byte[20_000]));
        assertThat(in.skip(12_345)).isEqualTo(12_345);
        assertThat(in.bytes).isEqualTo(12_345);
        assertThat(in.skip(100_000)).isEqualTo(20_000 - 12_345);
        assertThat(in.bytes).isEqualTo(20_000);
        assertThat(in.skip(-1)).isZero();
    }

    @Test
    void forwardsAvailableAndClose() throws Exception {
        boolean[] closed = {false};
        InputStream inner = new ByteArrayInputStream(new byte[5]) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        Recording in = new Recording(inner);
        assertThat(in.available()).isEqualTo(5);
        in.close();
        assertThat(closed[0]).isTrue();
    }

    @Test
    void refusesMarkEvenIfTheWrappedStreamSupportsIt() throws Exception {
        ByteArrayInputStream inner = new ByteArrayInputStream(new byte[] {1, 2, 3});
        Recording in = new Recording(inner);
        assertThat(inner.markSupported()).isTrue();
        assertThat(in.markSupported()).isFalse();
        in.mark(10);
        assertThat(in.read()).isEqualTo(1);
        assertThatThrownBy(in::reset).isInstanceOf(IOException.class).hasMessage("mark and reset are not supported");
        assertThat(in.read()).isEqualTo(2);
    }
}
