package org.annexhost.api.key;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The hash functions behind git-annex's hashing key backends, by the backend name git-annex uses
 * (without the {@code E} suffix that marks "keeps the file extension").
 *
 * <p>BLAKE2 and SKEIN backends are recognised as keys but not verified: the JDK has no
 * implementation of them.
 *
 * @since 0.1
 */
public enum HashAlgorithm {
    MD5("MD5", "MD5"),
    SHA1("SHA1", "SHA-1"),
    SHA224("SHA224", "SHA-224"),
    SHA256("SHA256", "SHA-256"),
    SHA384("SHA384", "SHA-384"),
    SHA512("SHA512", "SHA-512"),
    SHA3_224("SHA3_224", "SHA3-224"),
    SHA3_256("SHA3_256", "SHA3-256"),
    SHA3_384("SHA3_384", "SHA3-384"),
    SHA3_512("SHA3_512", "SHA3-512");

    private final String backendName;
    private final String jdkName;

    HashAlgorithm(String backendName, String jdkName) {
        this.backendName = backendName;
        this.jdkName = jdkName;
    }

    /** @return the git-annex backend name without the E suffix, e.g. {@code SHA256} */
    public String backendName() {
        return backendName;
    }

    /** @return a fresh digest for this algorithm */
    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + jdkName, e);
        }
    }

    /**
     * @param backend a key's backend name such as {@code SHA256E}
     * @return the algorithm that verifies it, if it is a hashing backend this host can verify
     */
    public static Optional<HashAlgorithm> forBackend(String backend) {
        String base = backend.endsWith("E") ? backend.substring(0, backend.length() - 1) : backend;
        for (HashAlgorithm a : values()) {
            if (a.backendName.equals(base)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
