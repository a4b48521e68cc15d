package org.annexhost.api.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where git-annex puts a key on disk: the file name made from a key ({@code keyFile}) and its two
 * hash directory layouts ({@code Annex/Locations.hs}, {@code Annex/DirHashes.hs}). The lower-case
 * layout ({@code abc/def/}) is used by bare repositories, special remotes and the git-annex
 * branch; the mixed-case layout ({@code Xw/3q/}) by non-bare repositories. Both hash the key
 * without its chunk fields. Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class KeyPaths {
    private static final String MIXED_CHARS = "0123456789zqjxkmvwgpfZQJXKMVWGPF";

    private KeyPaths() {
    }

    /**
     * @return the key as one file name: {@code &} → {@code &a}, {@code %} → {@code &s},
     *     {@code :} → {@code &c}, {@code /} → {@code %}
     */
    public static String keyFile(Key key) {
        String k = key.toString();
        if (k.chars().noneMatch(c -> c == '&' || c == '%' || c == ':' || c == '/')) {
            return k;
        }
        StringBuilder b = new StringBuilder(k.length() + 8);
        for (char c : k.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&a");
                case '%' -> b.append("&s");
                case ':' -> b.append("&c");
                case '/' -> b.append('%');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** @return the lower-case two-level hash directory, e.g. {@code f87/4d5/} */
    public static String hashDirLower(Key key) {
        String hex = java.util.HexFormat.of().formatHex(md5(key), 0, 3);
        return hex.substring(0, 3) + "/" + hex.substring(3, 6) + "/";
    }

    /** @return the mixed-case two-level hash directory, e.g. {@code pX/Z3/} */
    public static String hashDirMixed(Key key) {
        byte[] md5 = md5(key);
        long word = (md5[0] & 0xffL) | (md5[1] & 0xffL) << 8 | (md5[2] & 0xffL) << 16 | (md5[3] & 0xffL) << 24;
        char[] cs = new char[8];
        for (int i = 0; i < 8; i++) {
            cs[i] = MIXED_CHARS.charAt((int) ((word >>> (6 * i)) & 31));
        }
        // git-annex swaps each pair of characters, then keeps four: two directories of two.
        String s = "" + cs[1] + cs[0] + cs[3] + cs[2];
        return s.substring(0, 2) + "/" + s.substring(2, 4) + "/";
    }

    /** One digest per thread: looking the algorithm up costs more than hashing a key. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks MD5", e);
        }
    });

    private static byte[] md5(Key key) {
        MessageDigest md = MD5.get();
        md.reset();
        return md.digest(key.withoutChunk().toString().getBytes(StandardCharsets.UTF_8));
    }
}
