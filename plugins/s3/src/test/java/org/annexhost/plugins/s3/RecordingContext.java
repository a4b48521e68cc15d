package org.annexhost.plugins.s3;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.Uuid;

/** A strict hand-written context: records credentials and state, fails on what S3 must not use. */
final class RecordingContext implements BackendContext {
    final Uuid uuid;
    final Map<String, String> credentials = new ConcurrentHashMap<>();
    private final BackendConfig config;
    private final Path temp;
    private final Path gitDir;

    RecordingContext(BackendConfig config, Path temp, Path gitDir) {
        this(Uuid.random(), config, temp, gitDir);
    }

    RecordingContext(Uuid uuid, BackendConfig config, Path temp, Path gitDir) {
        this.uuid = uuid;
        this.config = config;
        this.temp = temp;
        this.gitDir = gitDir;
    }

    @Override
    public Uuid uuid() {
        return uuid;
    }

    @Override
    public BackendConfig config() {
        return config;
    }

    @Override
    public Path tempDirectory() {
        return temp;
    }

    @Override
    public Optional<String> getState(String key) {
        throw new AssertionError("the S3 backend keeps no state, asked for " + key);
    }

    @Override
    public void setState(String key, String value) {
        throw new AssertionError("the S3 backend keeps no state, set " + key);
    }

    @Override
    public Optional<String> credential(String name) {
        return Optional.ofNullable(credentials.get(name));
    }

    @Override
    public void setCredential(String name, String value) {
        credentials.put(name, value);
    }

    @Override
    public Optional<Path> gitDirectory() {
        return Optional.ofNullable(gitDir);
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("annexhost.remote.test");
    }
}
