package org.annexhost.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Passwords and tokens as the host keeps them: salted Argon2id hashes (Bouncy Castle's) written
 * as PHC strings ({@code $argon2id$v=19$m=...,t=...,p=...$SALT$HASH}), never the secret itself.
 * The cost is OWASP's first recommendation (19 MiB, 2 passes, 1 lane): tens of milliseconds per
 * check, which {@link HostUsers} pays once per secret and caches.
 */
public final class Secrets {
    private static final int MEMORY_KIB = 19 * 1024;
    private static final int ITERATIONS = 2;
    private static final int LANES = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private Secrets() {
    }

    /** @return a new salted hash of the secret, as a PHC string */
    public static String hash(String secret) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] h = argon2(secret, salt, MEMORY_KIB, ITERATIONS, LANES, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + LANES + "$" + B64.encodeToString(salt)
                + "$" + B64.encodeToString(h);
    }

    /** @return whether the secret is the one hashed; false for anything that is not such a hash */
    public static boolean verify(String secret, String phc) {
        String[] f = phc.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (f.length != 6 || !f[1].equals("argon2id") || !f[2].equals("v=19")) {
            return false;
        }
        try {
            int m = 0;
            int t = 0;
            int p = 0;
            for (String kv : f[3].split(",")) {
                int v = Integer.parseInt(kv.substring(2));
                switch (kv.substring(0, 2)) {
                    case "m=" -> m = v;
                    case "t=" -> t = v;
                    case "p=" -> p = v;
                    default -> {
                        return false;
                    }
                }
            }
            // A hash file is written by our own commands; bounds keep a damaged one from costing a gigabyte.
            if (m < 8 || m > 1 << 20 || t < 1 || t > 16 || p < 1 || p > 8) {
                return false;
            }
            byte[] salt = B64D.decode(f[4]);
            byte[] expected = B64D.decode(f[5]);
            if (expected.length < 16 || expected.length > 64) {
                return false;
            }
            return MessageDigest.isEqual(argon2(secret, salt, m, t, p, expected.length), expected);
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }

    /** @return {@code n} random bytes, url-safe base64 */
    static String randomText(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** @return {@code n} random bytes as lowercase hex */
    static String randomHex(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        StringBuilder s = new StringBuilder(2 * n);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        }
        return s.toString();
    }

    /** @return a SHA-256 of the text, for remembering that a secret was right without keeping it */
    static String digest(String text) {
        try {
            return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] argon2(String secret, byte[] salt, int memoryKib, int iterations, int lanes, int length) {
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(lanes).build());
        byte[] out = new byte[length];
        g.generateBytes(secret.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
