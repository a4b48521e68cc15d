package com.example.annexhost;

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

/** The {@code flatfolder} remote type: one file per key in a folder. */
@Extension
public final class FlatFolderFactory implements StorageBackendFactory {
    @Override
    public String type() {
        return "flatfolder";
    }

    @Override
    public List<ConfigParameter> parameters() {
        return List.of(ConfigParameter.required("folder", "where the files go"));
    }

    @Override
    public StorageBackend open(BackendConfig config, BackendContext context) throws BackendException {
        Path folder = Path.of(config.require("folder"));
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new BackendException("cannot create folder " + folder + ": " + e.getMessage(), e);
        }
        return new FlatFolderBackend(folder);
    }
}
