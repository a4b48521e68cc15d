package org.annexhost.api.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CountingInputStreamTest {
    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void exactLengthReadsThrough() throws Exception {
        CountingInputStream in = new CountingInputStream(bytes("hello"), 5);
        assertThat(in.readAllBytes()).asString().isEqualTo("hello");
        assertThat(in.count()).isEqualTo(5);
        assertThat(in.complete()).isTrue();
    }

    @Test
    void shortStreamThrowsNamingTheCounts() {
        CountingInputStream in = new CountingInputStream(bytes("hel"), 5);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(ContentLengthException.class)
                .hasMessage("content ended after 3 of 5 declared bytes");
    }

    @Test
    void longStreamThrows() {
        CountingInputStream in = new CountingInputStream(bytes("hello, world"), 5);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(ContentLengthException.class)
                .hasMessageContaining("ran past its declared length of 5");
    }

    @Test
    void drainChecksTheEnd() {
        assertThatThrownBy(() -> new CountingInputStream(bytes("hello!"), 5).drain())
                .isInstanceOf(ContentLengthException.class);
    }
}
