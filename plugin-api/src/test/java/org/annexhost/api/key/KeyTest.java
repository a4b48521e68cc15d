package org.annexhost.api.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyTest {
    static final String HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @ParameterizedTest
    @ValueSource(strings = {
        "SHA256E-s5--" + HELLO + ".txt",
        "SHA256-s5--" + HELLO,
        "WORM-s5-m1700000000--hello world.txt",
        "SHA256E-s104857600-S10485760-C3--" + HELLO + ".iso",
        "MD5--5d41402abc4b2a76b9719d911017c592",
        "URL--http&c%%example.com%file",
        "SHA3_256E-s0--a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
        "WORM--a--b",
    })
    void parsesAndPrintsGitAnnexKeys(String text) {
        assertThat(Key.parse(text).toString()).isEqualTo(text);
    }

    @Test
    void readsEveryField() {
        Key k = Key.parse("SHA256E-s104857600-m7-S10485760-C3--" + HELLO + ".iso");
        assertThat(k.backend()).isEqualTo("SHA256E");
        assertThat(k.size()).isEqualTo(OptionalLong.of(104857600));
        assertThat(k.mtime()).isEqualTo(OptionalLong.of(7));
        assertThat(k.chunkSize()).isEqualTo(OptionalLong.of(10485760));
        assertThat(k.chunkNumber()).isEqualTo(OptionalLong.of(3));
        assertThat(k.isChunk()).isTrue();
        assertThat(k.withoutChunk().toString()).isEqualTo("SHA256E-s104857600-m7--" + HELLO + ".iso");
        assertThat(k.hashAlgorithm()).contains(HashAlgorithm.SHA256);
        assertThat(k.expectedDigest()).contains(HELLO);
    }

    @Test
    void nonHashingBackendsHaveNoDigest() {
        assertThat(Key.parse("WORM-s5--x.y").expectedDigest()).isEmpty();
        assertThat(Key.parse("BLAKE2B256E-s5--abc").hashAlgorithm()).isEmpty();
        assertThat(Key.parse("SHA1--abc").hashAlgorithm()).contains(HashAlgorithm.SHA1);
        assertThat(Key.parse("SHA512E--abc.d.e").expectedDigest()).contains("abc");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            SHA256E-s1--../../x          | path separator
            WORM--a/b                    | path separator
            WORM--a\\b                   | path separator
            WORM--                       | empty name
            --abc                        | not a key
            abc                          | not a key
            SHA-256--abc                 | unknown field
            SHA256E-s-1--abc             | malformed field
            SHA256E-sabc--abc            | malformed number
            SHA256E-x5--abc              | unknown field
            SHA256E-S5--abc              | go together
            SHA256E-s99999999999999999999--abc | malformed number
            S.HA--abc                    | invalid key backend
            """)
    void refusesBadAndHostileKeysNamingThem(String text, String why) {
        assertThatThrownBy(() -> Key.parse(text)).isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining(why);
    }

    @Test
    void refusesControlCharactersAndOverLongKeys() {
        assertThatThrownBy(() -> Key.parse("WORM--a\u0000b")).hasMessageContaining("U+0000");
        assertThatThrownBy(() -> Key.parse("WORM--a\nb")).hasMessageContaining("U+000A");
        assertThatThrownBy(() -> Key.parse("WORM--" + "x".repeat(300))).hasMessageContaining("too long");
        assertThat(Key.parse("WORM--" + "x".repeat(200)).name()).hasSize(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            WORM-s03-m1--abc     | WORM-s3-m1--abc
            WORM-m1-s3--abc      | WORM-s3-m1--abc
            WORM-s3-s3-m1--abc   | WORM-s3-m1--abc
            WORM-s4-s3-m1--abc   | WORM-s3-m1--abc
            WORM-s3-m01--abc     | WORM-s3-m1--abc
            SHA256-C1-S5-s9--abc | SHA256-s9-S5-C1--abc
            """)
    void refusesEverySecondSpellingOfAKey(String text, String canonical) {
        // git-annex compares keys as bytes: a second spelling taken as the first would alias it.
        assertThatThrownBy(() -> Key.parse(text)).isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("not written as git-annex writes it");
    }

    @Test
    void numbersAreAsciiDigitsOnly() {
        // U+0663 ARABIC-INDIC DIGIT THREE is a digit to Character.isDigit and Long.parseLong.
        assertThatThrownBy(() -> Key.parse("WORM-s\u0663-m1--x")).hasMessageContaining("malformed number");
        assertThatThrownBy(() -> Key.parse("WORM-s\uff13--x")).hasMessageContaining("malformed number");
        assertThatThrownBy(() -> Key.parse("WORM-s+3--x")).hasMessageContaining("malformed number");
    }

    @Test
    void refusesNamesThatAreNotUtf8() {
        // A byte that was not UTF-8 arrives as a lone surrogate; such a name has no exact bytes.
        assertThatThrownBy(() -> Key.parse("WORM-s3--caf\udce9")).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> Key.parse("WORM-s3--caf\ud800")).hasMessageContaining("not valid UTF-8");
        assertThat(Key.parse("WORM-s3--caf\ud83d\ude00").name()).isEqualTo("caf\ud83d\ude00");
        assertThat(Key.parse("WORM-s3--café")).isNotEqualTo(Key.parse("WORM-s3--cafè"));
    }
}
