package org.annexhost.plugins.directory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.BackendException;
import org.annexhost.api.ConfigParameter;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.StorageBackendFactory;
import org.pf4j.Extension;

/**
 * The {@code directory} remote type: content in a directory, in exactly the layout of git-annex's
 * own directory special remote, so either program can read what the other wrote. Stateless and
 * thread-safe.
 */
@Extension
public final class DirectoryBackendFactory implements StorageBackendFactory {
    @Override
    public String type() {
        return "directory";
    }

    @Override
    public List<ConfigParameter> parameters() {
        return List.of(
                ConfigParameter.required("directory", "where to store content"),
                ConfigParameter.optional("encryption", "only none is supported", "none"),
                ConfigParameter.optional("chunk", "store content in chunks of this size, e.g. 1MiB (done by the host)", ""),
                ConfigParameter.optional("fsync", "yes to flush each file to disk before it counts as stored", "no"));
    }

    @Override
    public BackendConfig initialize(BackendConfig config, BackendContext context) throws BackendException {
        Path dir = directory(config);
        if (!Files.isDirectory(dir)) {
            throw new BackendException("remote " + config.remoteName() + ": directory " + dir + " does not exist");
        }
        return config;
    }

    @Override
    public StorageBackend open(BackendConfig config, BackendContext context) throws BackendException {
        return new DirectoryBackend(directory(config), config.get("fsync").map(v -> v.equals("yes") || v.equals("true")).orElse(false));
    }

    private static Path directory(BackendConfig config) throws BackendException {
        String enc = config.get("encryption").orElse("none");
        if (!enc.equals("none")) {
            throw new BackendException("remote " + config.remoteName() + ": encryption=" + enc
                    + " is not supported by annexhost's directory type; use encryption=none");
        }
        return Path.of(config.require("directory")).toAbsolutePath().normalize();
    }
}
