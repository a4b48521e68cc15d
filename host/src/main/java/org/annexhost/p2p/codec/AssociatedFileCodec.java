package org.annexhost.p2p.codec;

import java.util.Optional;
import org.annexhost.p2p.message.AssociatedFile;

/**
 * The associated file's wire form. It is not the last word of its line, so it may hold no
 * whitespace: git-annex writes each whitespace character as {@code %} and {@code %} as
 * {@code %%}. Decoding is git-annex's too, lossy on purpose: a lone {@code %} becomes {@code _},
 * control characters and bytes that are not UTF-8 become {@code _} (the name is only a hint; the
 * key is what identifies content), and an absolute path is refused
 * ({@code P2P/Protocol.hs}, {@code Serializable ProtoAssociatedFile}).
 */
public final class AssociatedFileCodec {
    private AssociatedFileCodec() {
    }

    /** @return the wire form; empty for no file */
    public static String encode(AssociatedFile file) {
        if (file.path().isEmpty()) {
            return "";
        }
        String p = file.path().get();
        StringBuilder b = new StringBuilder(p.length() + 8);
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '%') {
                b.append("%%");
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                b.append('%');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** @return the associated file, or empty if the word is not acceptable (an absolute path) */
    public static Optional<AssociatedFile> decode(String word) {
        StringBuilder b = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '%' && i + 1 < word.length() && word.charAt(i + 1) == '%') {
                b.append('%');
                i++;
            } else if (c == '%' || c < 0x20 || c == 0x7f || TextCodec.isEscapedByte(c)) {
                b.append('_');
            } else {
                b.append(c);
            }
        }
        String path = b.toString();
        if (path.startsWith("/")) {
            return Optional.empty();
        }
        return Optional.of(AssociatedFile.of(path));
    }
}
