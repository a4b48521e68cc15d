package org.annexhost.plugins.s3;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.BackendException;
import org.annexhost.api.ConfigParameter;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.StorageBackendFactory;
import org.pf4j.Extension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@code S3} remote type, named as git-annex names it ({@code type=S3} in remote.log), with
 * git-annex's parameters and defaults, so a remote either program configured works in the other
 * and both read the same objects. Initialization records git-annex's defaults, keeps the key
 * pair from the environment in the host's credential store (or embeds it with
 * {@code embedcreds=yes}), creates the bucket if it is missing and writes its
 * {@code annex-uuid} object, as git-annex's initremote does. Stateless and thread-safe.
 */
@Extension
public final class S3BackendFactory implements StorageBackendFactory {
    private final Map<String, String> environment;

    /** The factory PF4J instantiates: credentials come from the process environment. */
    public S3BackendFactory() {
        this(System.getenv());
    }

    /** @param environment where {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY} are looked up */
    S3BackendFactory(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String type() {
        return "S3";
    }

    @Override
    public List<ConfigParameter> parameters() {
        return List.of(
                ConfigParameter.optional("bucket", "name of bucket to store content in", "REMOTENAME-UUID"),
                ConfigParameter.optional("fileprefix", "prefix to add to object names in the bucket", ""),
                ConfigParameter.optional("host", "S3 server host name", S3Settings.DEFAULT_HOST),
                ConfigParameter.optional("port", "port to connect to (80, or 443 with protocol=https)", "80"),
                ConfigParameter.optional("protocol", "http or https (https when port=443)", ""),
                ConfigParameter.optional("requeststyle", "path for path-style requests, domain for bucket host names", "domain"),
                ConfigParameter.optional("datacenter", "S3 datacenter (US, EU, us-west-1, ...)", "US"),
                ConfigParameter.optional("region", "S3 region to sign for (default from datacenter)", ""),
                ConfigParameter.optional("signature", "v4 or anonymous (v2 is signed as v4)", "v4"),
                ConfigParameter.optional("storageclass", "storage class, e.g. STANDARD or STANDARD_IA", "STANDARD"),
                ConfigParameter.optional("public", "yes to give objects the public-read ACL", "no"),
                ConfigParameter.optional("publicurl", "url the public can download files from (recorded only)", ""),
                ConfigParameter.optional("partsize", "multipart uploads in parts of this size, e.g. 1GiB", ""),
                ConfigParameter.optional("encryption", "only none is supported", "none"),
                ConfigParameter.optional("embedcreds", "yes to record the key pair in the branch (base64, not encrypted)", "no"),
                ConfigParameter.optional("chunk", "store content in chunks of this size, e.g. 1MiB (done by the host)", ""));
    }

    @Override
    public BackendConfig initialize(BackendConfig config, BackendContext context) throws BackendException {
        Map<String, String> values = new HashMap<>(config.values());
        // git-annex's s3Setup records these defaults, so both programs read the remote alike.
        values.putIfAbsent("datacenter", "US");
        values.putIfAbsent("storageclass", "STANDARD");
        values.putIfAbsent("host", S3Settings.DEFAULT_HOST);
        values.putIfAbsent("port", "80");
        values.putIfAbsent("encryption", "none");
        if (!values.containsKey("bucket") || values.get("bucket").isBlank()) {
            values.put("bucket", (config.remoteName() + "-" + context.uuid().value()).toLowerCase(Locale.ROOT));
        }
        S3Settings settings = S3Settings.of(new BackendConfig(config.remoteName(), values, Set.of()));
        Optional<S3Credentials> fromEnv = S3Credentials.fromEnvironment(environment);
        if (fromEnv.isPresent()) {
            if (yes(values.get("embedcreds"))) {
                values.put(S3Credentials.EMBED_FIELD, fromEnv.get().embedded());
            } else {
                context.setCredential(S3Credentials.STORE_NAME, fromEnv.get().twoLines());
            }
        }
        BackendConfig initialized = new BackendConfig(config.remoteName(), values, Set.of());
        Optional<S3Credentials> credentials = credentials(initialized, context, settings);
        try (S3Client s3 = S3Clients.build(settings, credentials)) {
            S3Bucket bucket = new S3Bucket(s3, settings);
            bucket.create();
            bucket.claim(context.uuid(), context.logger());
        }
        return initialized;
    }

    @Override
    public StorageBackend open(BackendConfig config, BackendContext context) throws BackendException {
        S3Settings settings = S3Settings.of(config);
        Optional<S3Credentials> credentials = credentials(config, context, settings);
        if (settings.signatureV2() && context != null) {
            context.logger().log(System.Logger.Level.INFO, "remote " + config.remoteName()
                    + ": signature=v2 requested; the AWS SDK signs with v4, which the server must accept");
        }
        return new S3Backend(S3Clients.build(settings, credentials), settings);
    }

    private Optional<S3Credentials> credentials(BackendConfig config, BackendContext context, S3Settings settings)
            throws BackendException {
        if (settings.anonymous()) {
            return Optional.empty();
        }
        Optional<S3Credentials> found = S3Credentials.find(config, context, environment);
        if (found.isEmpty()) {
            // git-annex's missingCredPairFor, adapted to where annexhost keeps them.
            throw new BackendException("remote " + config.remoteName() + ": no S3 credentials: set both"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (annexhost initremote/enableremote store them"
                    + " for later), or use signature=anonymous");
        }
        return found;
    }

    private static boolean yes(String v) {
        return v != null && (v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("true"));
    }
}
