package org.annexhost.remote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.Uuid;

/**
 * What a backend may use of the host, for one remote: state and credentials are files under the
 * repository's {@code annex/annexhost/remotes/UUID/}, credentials readable by the owner only and
 * never in the branch. Thread-safe (each value is one file, replaced atomically).
 */
final class RemoteContext implements BackendContext {
    private final Uuid uuid;
    private final BackendConfig config;
    private final Path dir;
    private final Path gitDir;

    RemoteContext(Uuid uuid, BackendConfig config, Path dir, Path gitDir) {
        this.uuid = uuid;
        this.config = config;
        this.dir = dir;
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
        try {
            return Files.createDirectories(dir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<String> getState(String key) {
        return read(dir.resolve("state").resolve(fileName(key)));
    }

    @Override
    public void setState(String key, String value) {
        write(dir.resolve("state").resolve(fileName(key)), value, false);
    }

    @Override
    public Optional<String> credential(String name) {
        return read(dir.resolve("creds").resolve(fileName(name)));
    }

    @Override
    public void setCredential(String name, String value) {
        write(dir.resolve("creds").resolve(fileName(name)), value, true);
    }

    @Override
    public Optional<Path> gitDirectory() {
        return Optional.of(gitDir);
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("annexhost.remote." + config.remoteName());
    }

    private static String fileName(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> read(Path p) {
        try {
            return Files.exists(p) ? Optional.of(Files.readString(p)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path p, String value, boolean secret) {
        try {
            Files.createDirectories(p.getParent());
            if (value.isEmpty()) {
                Files.deleteIfExists(p);
                return;
            }
            Path tmp = Files.createTempFile(p.getParent(), ".new", "");
            if (secret) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(tmp, value);
            Files.move(tmp, p, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
