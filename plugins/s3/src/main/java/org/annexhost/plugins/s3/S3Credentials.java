package org.annexhost.plugins.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.BackendException;

/**
 * An S3 access key pair, found where git-annex looks for one ({@code Creds.hs},
 * {@code getRemoteCredPair}), in its order:
 * <ol>
 *   <li>{@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} in the environment (with
 *       {@code AWS_SESSION_TOKEN} if set);</li>
 *   <li>the host's private credential store ({@link BackendContext#credential}), where
 *       initremote put the pair as {@value #STORE_NAME}: two lines, access key then secret;</li>
 *   <li>git-annex's own cache in the repository, {@code annex/creds/UUID}, same two lines;</li>
 *   <li>{@code s3creds=} embedded in the configuration ({@code embedcreds=yes}, base64 of the two
 *       lines; only without encryption, the one mode annexhost supports).</li>
 * </ol>
 * The secret never appears in {@link #toString()}. Immutable.
 *
 * @param accessKey the access key id
 * @param secret the secret access key
 * @param sessionToken a session token, or empty
 */
record S3Credentials(String accessKey, String secret, String sessionToken) {
    /** The name of the pair in the host's credential store. */
    static final String STORE_NAME = "s3creds";
    /** The configuration field git-annex embeds the pair in ({@code AWS.s3credsField}). */
    static final String EMBED_FIELD = "s3creds";

    /** @return git-annex's two-line form, access key then secret */
    String twoLines() {
        return accessKey + "\n" + secret + "\n";
    }

    /** @return the pair from the environment, if both variables are set */
    static Optional<S3Credentials> fromEnvironment(Map<String, String> env) throws BackendException {
        String id = env.getOrDefault("AWS_ACCESS_KEY_ID", "");
        String secret = env.getOrDefault("AWS_SECRET_ACCESS_KEY", "");
        if (id.isEmpty() && secret.isEmpty()) {
            return Optional.empty();
        }
        if (id.isEmpty() || secret.isEmpty()) {
            throw new BackendException("Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to use S3");
        }
        return Optional.of(new S3Credentials(id, secret, env.getOrDefault("AWS_SESSION_TOKEN", "")));
    }

    /** @return the pair for a remote, looked for in git-annex's order, if there is one */
    static Optional<S3Credentials> find(BackendConfig config, BackendContext context, Map<String, String> env)
            throws BackendException {
        Optional<S3Credentials> found = fromEnvironment(env);
        if (found.isEmpty() && context != null) {
            found = context.credential(STORE_NAME).flatMap(S3Credentials::parse);
        }
        if (found.isEmpty() && context != null) {
            found = context.gitDirectory().flatMap(git -> gitAnnexCache(git, context));
        }
        if (found.isEmpty()) {
            found = config.get(EMBED_FIELD).flatMap(S3Credentials::decodeEmbedded);
        }
        return found;
    }

    /** @return the base64 form git-annex embeds with {@code embedcreds=yes} and no encryption */
    String embedded() {
        return Base64.getEncoder().encodeToString(twoLines().getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<S3Credentials> gitAnnexCache(Path gitDir, BackendContext context) {
        Path file = gitDir.resolve("annex").resolve("creds").resolve(context.uuid().value());
        try {
            return Files.isReadable(file) ? parse(Files.readString(file)) : Optional.empty();
        } catch (IOException e) {
            context.logger().log(System.Logger.Level.WARNING, "cannot read git-annex's S3 credentials cache " + file
                    + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<S3Credentials> decodeEmbedded(String b64) {
        try {
            return parse(new String(Base64.getDecoder().decode(b64.trim()), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** git-annex's {@code decodeCredPair}: the first line is the login, the second the password. */
    private static Optional<S3Credentials> parse(String twoLines) {
        String[] lines = twoLines.split("\n");
        if (lines.length < 2 || lines[0].isBlank() || lines[1].isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new S3Credentials(lines[0].trim(), lines[1].trim(), ""));
    }

    @Override
    public String toString() {
        return "S3Credentials[" + accessKey + ", <secret redacted>]";
    }
}
