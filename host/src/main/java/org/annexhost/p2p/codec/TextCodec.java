package org.annexhost.p2p.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A protocol line's bytes as text and back, byte-exact. git-annex treats keys, file names and
 * messages as bytes, so two lines that differ in one byte must never become the same text: valid
 * UTF-8 decodes as usual, and each byte that is not part of valid UTF-8 becomes the lone
 * surrogate {@code U+DC80 + (byte - 0x80)} (Python's "surrogateescape"), which {@link #encode}
 * turns back into that byte. Such text can never name a key ({@code KeySyntax} refuses lone
 * surrogates), so an invalid byte gets a clear refusal instead of aliasing another key. Stateless
 * and thread-safe.
 */
public final class TextCodec {
    private static final char ESCAPE_BASE = '\uDC00';

    private TextCodec() {
    }

    /** @return the text of {@code length} bytes of {@code bytes}, invalid bytes escaped */
    public static String decode(byte[] bytes, int length) {
        boolean ascii = true;
        for (int i = 0; i < length && ascii; i++) {
            ascii = bytes[i] >= 0;
        }
        if (ascii) {
            return new String(bytes, 0, length, StandardCharsets.US_ASCII);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
        CharBuffer out = CharBuffer.allocate(length);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isUnderflow()) {
                break;
            }
            if (r.isError()) {
                for (int i = 0; i < r.length(); i++) {
                    int b = in.get() & 0xff;
                    out.put(b < 0x80 ? (char) b : (char) (ESCAPE_BASE + b));
                }
            } else {
                throw new IllegalStateException("a UTF-8 decoding of n bytes fits in n chars");
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** @return the text of the bytes, invalid bytes escaped */
    public static String decode(byte[] bytes) {
        return decode(bytes, bytes.length);
    }

    /** @return the bytes of the text: UTF-8, escaped bytes as themselves */
    public static byte[] encode(String text) {
        boolean plain = true;
        for (int i = 0; i < text.length() && plain; i++) {
            plain = !Character.isSurrogate(text.charAt(i));
        }
        if (plain) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 16);
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (isEscapedByte(c)) {
                out.writeBytes(text.substring(start, i).getBytes(StandardCharsets.UTF_8));
                out.write(c - ESCAPE_BASE);
                start = i + 1;
            }
        }
        out.writeBytes(text.substring(start).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** @return true if the text holds a byte that was not valid UTF-8 */
    public static boolean hasEscapedBytes(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isEscapedByte(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** @return true for the lone surrogate standing for one invalid byte */
    public static boolean isEscapedByte(char c) {
        return c >= ESCAPE_BASE + 0x80 && c <= ESCAPE_BASE + 0xff;
    }
}
