package org.annexhost.api;

import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * The extension point a storage plugin implements: it names a remote type (the {@code type=} of
 * {@code annexhost initremote}), describes its parameters, and opens one {@link StorageBackend}
 * per configured remote. Annotate implementations with PF4J's {@code @Extension}.
 *
 * <p>Implementations must be thread-safe and stateless apart from configuration.
 *
 * @since 0.1
 */
public interface StorageBackendFactory extends ExtensionPoint {
    /** @return the remote type this factory serves, spelled as git-annex spells it in {@code remote.log} (e.g. {@code directory}, {@code S3}), no spaces */
    String type();

    /** @return every configuration parameter the type takes, required or not */
    List<ConfigParameter> parameters();

    /**
     * Initializes a new remote once, when it is created (initremote) or reconfigured
     * (enableremote): create a bucket, check credentials. May add settings to the configuration,
     * which the host then records with the remote.
     *
     * @return the configuration to record; by default the one given
     * @throws BackendException if the remote cannot be initialized, naming why
     */
    default BackendConfig initialize(BackendConfig config, BackendContext context) throws BackendException {
        return config;
    }

    /**
     * Opens a backend for one configured remote. Called once per remote when the host starts
     * serving it; validate the configuration here and fail with a message that names the
     * parameter.
     *
     * @param config the remote's configuration, already checked for required parameters
     * @param context what the backend may use of the host
     * @return the backend, owned by the host, which closes it
     * @throws BackendException if the configuration is unusable (the message names the parameter)
     */
    StorageBackend open(BackendConfig config, BackendContext context) throws BackendException;
}
