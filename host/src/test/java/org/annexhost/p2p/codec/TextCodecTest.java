package org.annexhost.p2p.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TextCodecTest {
    @Property(tries = 3000)
    void everyByteStringSurvivesTheRoundTrip(@ForAll byte[] bytes) {
        assertThat(TextCodec.encode(TextCodec.decode(bytes))).isEqualTo(bytes);
    }

    @Property(tries = 3000)
    void distinctBytesNeverBecomeOneText(@ForAll byte[] a, @ForAll byte[] b) {
        if (!java.util.Arrays.equals(a, b)) {
            assertThat(TextCodec.decode(a)).isNotEqualTo(TextCodec.decode(b));
        }
    }

    @Test
    void validUtf8DecodesAsUsualAndInvalidBytesAreMarked() {
        assertThat(TextCodec.decode("café ☃ 😀".getBytes(StandardCharsets.UTF_8))).isEqualTo("café ☃ 😀");
        assertThat(TextCodec.hasEscapedBytes("café")).isFalse();
        String latin1 = TextCodec.decode(new byte[] {'c', 'a', 'f', (byte) 0xe9});
        assertThat(latin1).isNotEqualTo("caf\ufffd").startsWith("caf").hasSize(4);
        assertThat(TextCodec.hasEscapedBytes(latin1)).isTrue();
        assertThat(TextCodec.decode(new byte[] {'c', 'a', 'f', (byte) 0xe8})).isNotEqualTo(latin1);
        // An encoded surrogate (CESU-8) and an overlong slash are not UTF-8: escaped byte by byte.
        assertThat(TextCodec.encode(TextCodec.decode(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})))
                .containsExactly(0xed, 0xa0, 0x80);
        assertThat(TextCodec.decode(new byte[] {(byte) 0xc0, (byte) 0xaf})).doesNotContain("/");
    }
}
