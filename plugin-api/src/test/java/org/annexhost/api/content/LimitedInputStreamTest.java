package org.annexhost.api.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LimitedInputStreamTest {
    private final int[] hookRuns = {0};
    private final int[] closedEarly = {0};
    private final LimitedInputStream.Hook counting = new LimitedInputStream.Hook() {
        @Override
        public void exhausted() {
            hookRuns[0]++;
        }

        @Override
        public void closedEarly() {
            closedEarly[0]++;
        }
    };

    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsNoFurtherThanTheLimit() throws Exception {
        ByteArrayInputStream shared = bytes("hello, world");
        LimitedInputStream in = new LimitedInputStream(shared, 5, counting);
        assertThat(in.readAllBytes()).asString().isEqualTo("hello");
        assertThat(in.remaining()).isZero();
        assertThat(new String(shared.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(", world");
    }

    @Test
    void theHookRunsOnceInTheReadOfTheLastByte() throws Exception {
        LimitedInputStream in = new LimitedInputStream(bytes("hello!"), 5, counting);
        for (int i = 0; i < 4; i++) {
            assertThat(in.read()).isEqualTo("hello".charAt(i));
        }
        assertThat(hookRuns[0]).isZero();
        assertThat(in.read()).isEqualTo('o');
        assertThat(hookRuns[0]).isEqualTo(1);
        assertThat(in.read()).isEqualTo(-1);
        in.close();
        assertThat(hookRuns[0]).isEqualTo(1);
        assertThat(closedEarly[0]).isZero();
    }

    @Test
    void aZeroLimitRunsTheHookOnClose() throws Exception {
        LimitedInputStream in = new LimitedInputStream(bytes("x"), 0, counting);
        in.close();
        in.close();
        assertThat(hookRuns[0]).isEqualTo(1);
        assertThat(closedEarly[0]).isZero();
    }

    @Test
    void closingEarlyTellsTheHookOnceAndLeavesTheWrappedStreamOpen() throws Exception {
        boolean[] closed = {false};
        ByteArrayInputStream shared = new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        LimitedInputStream in = new LimitedInputStream(shared, 5, counting);
        assertThat(in.read()).isEqualTo('h');
        in.close();
        in.close();
        assertThat(closedEarly[0]).isEqualTo(1);
        assertThat(hookRuns[0]).isZero();
        assertThat(closed[0]).isFalse();
        assertThat(shared.read()).isEqualTo('e');
    }

    @Test
    void shortInputThrowsNamingTheCountsAndSkipsTheHook() throws Exception {
        LimitedInputStream in = new LimitedInputStream(bytes("hel"), 5, counting);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(ContentLengthException.class)
                .hasMessage("content ended after 3 of 5 declared bytes");
        assertThat(hookRuns[0]).isZero();
        in.close();
        assertThat(closedEarly[0]).isEqualTo(1);
    }

    @Test
    void aFailingHookFailsTheLastReadAndEveryLaterOne() {
        IOException bad = new IOException("content does not match key K");
        LimitedInputStream in = new LimitedInputStream(bytes("hello"), 5, () -> {
            hookRuns[0]++;
            throw bad;
        });
        byte[] buf = new byte[8];
        assertThatThrownBy(() -> in.read(buf)).isSameAs(bad);
        assertThatThrownBy(in::read).isSameAs(bad);
        assertThat(hookRuns[0]).isEqualTo(1);
    }

    @Test
    void skipAndAvailableStayWithinTheLimit() throws Exception {
        LimitedInputStream in = new LimitedInputStream(bytes("hello, world"), 5, counting);
        assertThat(in.available()).isEqualTo(5);
        assertThat(in.skip(100)).isEqualTo(5);
        assertThat(hookRuns[0]).isEqualTo(1);
        assertThat(in.available()).isZero();
    }
}
