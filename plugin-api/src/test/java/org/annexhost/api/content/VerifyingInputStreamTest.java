package org.annexhost.api.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.annexhost.api.key.Key;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {
    private static final Key HELLO = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");

    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ContentVerifier verifier() {
        return ContentVerifier.forKey(HELLO).orElseThrow();
    }

    @Test
    void failingAtEndPassesContentThatMatches() throws Exception {
        VerifyingInputStream in = VerifyingInputStream.failingAtEnd(bytes("hello"), verifier());
        assertThat(in.matched()).isFalse();
        assertThat(in.readAllBytes()).asString().isEqualTo("hello");
        assertThat(in.matched()).isTrue();
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void failingAtEndThrowsInsteadOfTheEndOfBadContent() throws Exception {
        VerifyingInputStream in = VerifyingInputStream.failingAtEnd(bytes("hellO"), verifier());
        for (int i = 0; i < 5; i++) {
            assertThat(in.read()).isEqualTo("hellO".charAt(i));
        }
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("content does not match key " + HELLO);
        // A consumer that tries again still gets no clean end.
        assertThatThrownBy(() -> in.read(new byte[8])).hasMessage("content does not match key " + HELLO);
        assertThat(in.matched()).isFalse();
    }

    @Test
    void failingAtEndFailsContentThatIsShort() {
        VerifyingInputStream in = VerifyingInputStream.failingAtEnd(bytes("hell"), verifier());
        assertThatThrownBy(in::readAllBytes).hasMessage("content does not match key " + HELLO);
    }

    @Test
    void theConstructorJudgesButLeavesTheVerdictToItsOwner() throws Exception {
        ContentVerifier good = verifier();
        VerifyingInputStream in = new VerifyingInputStream(bytes("hello"), good);
        in.readAllBytes();
        assertThat(in.matched()).isTrue();
        assertThat(good.matches()).isTrue();

        ContentVerifier bad = verifier();
        VerifyingInputStream badIn = new VerifyingInputStream(bytes("hellO"), bad);
        assertThat(badIn.readAllBytes()).asString().isEqualTo("hellO");
        assertThat(badIn.read()).isEqualTo(-1);
        assertThat(badIn.matched()).isFalse();
        assertThat(bad.matches()).isFalse();
        assertThat(ContentVerifier.forKey(Key.parse("WORM--x"))).isEmpty();
    }

    @Test
    void theVerdictIsKeptAndNoMoreBytesCount() {
        ContentVerifier v = verifier();
        v.update("hello".getBytes(StandardCharsets.UTF_8), 0, 5);
        assertThat(v.matches()).isTrue();
        assertThat(v.matches()).isTrue();
        assertThatThrownBy(() -> v.update(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(HELLO.toString());
    }

    @Test
    void refusesToSkip() {
        VerifyingInputStream in = VerifyingInputStream.failingAtEnd(bytes("hello"), verifier());
        assertThatThrownBy(() -> in.skip(2)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("skipping would bypass verification");
    }
}
