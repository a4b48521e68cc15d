package org.annexhost.api.key;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * Parsing and validation rules for {@link Key}. The grammar is git-annex's ({@code Types/Key.hs}):
 * a backend name without dashes, optional fields each introduced by {@code -} and one letter, then
 * {@code --} and the name, each key written one way only (git-annex compares keys as bytes). The
 * safety rules are ours: a key becomes a file name on disk, so it may hold no path separator, no
 * control character, nothing that is not UTF-8, nothing this JVM cannot name a file with, and at
 * most {@value #MAX_KEY_BYTES} bytes.
 *
 * @since 0.1
 */
public final class KeySyntax {
    /** The longest serialized key accepted, in UTF-8 bytes: one file name on common filesystems. */
    public static final int MAX_KEY_BYTES = 240;

    /**
     * How this JVM turns file names into bytes. Under a C locale that is ASCII, and every other
     * character would become {@code ?}, so two keys would share one file: such keys are refused.
     */
    private static final Charset FILE_NAMES = fileNameCharset();

    private KeySyntax() {
    }

    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    static Key parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidKeyException("empty key");
        }
        int sep = text.indexOf("--");
        if (sep <= 0) {
            throw new InvalidKeyException("not a key (no BACKEND--NAME): " + quote(text));
        }
        String head = text.substring(0, sep);
        String name = text.substring(sep + 2);
        String[] parts = head.split("-", -1);
        String backend = parts[0];
        OptionalLong size = OptionalLong.empty();
        OptionalLong mtime = OptionalLong.empty();
        OptionalLong chunkSize = OptionalLong.empty();
        OptionalLong chunkNumber = OptionalLong.empty();
        for (int i = 1; i < parts.length; i++) {
            String field = parts[i];
            if (field.length() < 2) {
                throw new InvalidKeyException("malformed field " + quote(field) + " in key " + quote(text));
            }
            long value = number(field.substring(1), text);
            switch (field.charAt(0)) {
                case 's' -> size = OptionalLong.of(value);
                case 'm' -> mtime = OptionalLong.of(value);
                case 'S' -> chunkSize = OptionalLong.of(value);
                case 'C' -> chunkNumber = OptionalLong.of(value);
                default -> throw new InvalidKeyException(
                        "unknown field " + quote(field) + " in key " + quote(text));
            }
        }
        Key key = new Key(backend, size, mtime, chunkSize, chunkNumber, name);
        // git-annex compares keys as bytes: "-s03", fields out of order or twice would be a second
        // spelling of one key, so only the one spelling git-annex writes is accepted.
        if (!key.toString().equals(text)) {
            throw new InvalidKeyException("key " + quote(abbreviate(text)) + " is not written as git-annex writes it ("
                    + quote(abbreviate(key.toString())) + ")");
        }
        return key;
    }

    static void requireValid(String backend, OptionalLong size, OptionalLong mtime,
                             OptionalLong chunkSize, OptionalLong chunkNumber, String name) {
        if (backend == null || backend.isEmpty() || !backend.chars().allMatch(KeySyntax::isBackendChar)) {
            throw new InvalidKeyException("invalid key backend name " + quote(String.valueOf(backend)));
        }
        if (name == null || name.isEmpty()) {
            throw new InvalidKeyException("key has an empty name: " + quote(backend + "--"));
        }
        for (OptionalLong v : new OptionalLong[] {size, chunkSize, chunkNumber}) {
            if (v == null || (v.isPresent() && v.getAsLong() < 0)) {
                throw new InvalidKeyException("negative or missing size field in key " + quote(backend + "--" + name));
            }
        }
        if (mtime == null) {
            throw new InvalidKeyException("missing mtime field in key " + quote(backend + "--" + name));
        }
        if (chunkSize.isPresent() != chunkNumber.isPresent()) {
            throw new InvalidKeyException("chunk size and chunk number go together in key "
                    + quote(backend + "--" + name));
        }
        requireSafeName(name);
        int bytes = backend.length() + 2 + name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw new InvalidKeyException("key too long (" + bytes + " bytes; at most "
                    + MAX_KEY_BYTES + "): " + quote(abbreviate(backend + "--" + name)));
        }
    }

    /**
     * Refuses a key name that could escape the directory it is stored in or confuse a terminal.
     *
     * @param name a key name
     * @throws InvalidKeyException naming the key and the offending character
     */
    public static void requireSafeName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                throw new InvalidKeyException("key name contains a path separator: " + quote(abbreviate(name)));
            }
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidKeyException(String.format(
                        "key name contains control character U+%04X: %s", (int) c, quote(abbreviate(name))));
            }
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // What a byte that is not UTF-8 decodes to: such a key could not keep its bytes.
                throw new InvalidKeyException("key name is not valid UTF-8: " + quote(abbreviate(name)));
            }
        }
        if (!FILE_NAMES.equals(StandardCharsets.UTF_8) && !FILE_NAMES.newEncoder().canEncode(name)) {
            throw new InvalidKeyException("key name " + quote(abbreviate(name)) + " cannot be a file name here: this host"
                    + " names files in " + FILE_NAMES + " (run it under a UTF-8 locale, such as LC_ALL=C.UTF-8)");
        }
    }

    private static boolean isBackendChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static long number(String digits, String key) {
        if (digits.isEmpty() || digits.length() > 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidKeyException("malformed number " + quote(digits) + " in key " + quote(abbreviate(key)));
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new InvalidKeyException("number out of range " + quote(digits) + " in key " + quote(abbreviate(key)));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else if (c >= 0xdc80 && c <= 0xdcff) {
                b.append(String.format("\\x%02x", c - 0xdc00));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
