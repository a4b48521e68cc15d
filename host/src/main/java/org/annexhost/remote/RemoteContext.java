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
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.repo.HostRepository;
import java.util.Map;

/**
 * What a backend may use of the host, for one remote, kept where git-annex keeps it so a remote
 * git-annex configured works here with its state and credentials:
 * <ul>
 *   <li>per-key state (SETSTATE/GETSTATE) in the branch's {@code KEY.log.rmt}, as
 *       {@code Logs/RemoteState.hs} writes it; other state in private files;</li>
 *   <li>credentials in private files readable by the owner only, never in the branch, falling back
 *       to git-annex's own cache ({@code annex/creds/UUID-SETTING}, {@code Creds.hs});</li>
 *   <li>temporary files in a directory per process, whose leftovers from dead processes are
 *       removed when a new one starts.</li>
 * </ul>
 * Thread-safe (each value is one file replaced atomically, or one branch change).
 */
final class RemoteContext implements BackendContext {
    private final Uuid uuid;
    private final BackendConfig config;
    private final Path dir;
    private final HostRepository repo;
    private final org.annexhost.api.BackendEvents events;

    RemoteContext(Uuid uuid, BackendConfig config, Path dir, HostRepository repo, org.annexhost.api.BackendEvents events) {
        this.events = events;
        this.uuid = uuid;
        this.config = config;
        this.dir = dir;
        this.repo = repo;
    }

    @Override
    public Uuid uuid() {
        return uuid;
    }

    @Override
    public org.annexhost.api.BackendEvents events() {
        return events;
    }

    @Override
    public BackendConfig config() {
        return config;
    }

    @Override
    public Path tempDirectory() {
        try {
            Path all = Files.createDirectories(dir.resolve("tmp"));
            // Leftovers of crashed processes: another process's directory is only removed once it has
            // not changed for a day, since liveness by pid cannot be trusted across namespaces.
            long dayAgo = System.currentTimeMillis() - java.time.Duration.ofDays(1).toMillis();
            long mine = ProcessHandle.current().pid();
            try (java.util.stream.Stream<Path> old = Files.list(all)) {
                for (Path p : (Iterable<Path>) old::iterator) {
                    long pid = parsePid(p.getFileName().toString());
                    if (pid > 0 && pid != mine && Files.getLastModifiedTime(p).toMillis() < dayAgo) {
                        deleteTree(p);
                    }
                }
            }
            return Files.createDirectories(all.resolve(Long.toString(ProcessHandle.current().pid())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<String> getState(String key) {
        Optional<Key> k = asKey(key);
        if (k.isEmpty()) {
            return read(dir.resolve("state").resolve(fileName(key)));
        }
        try {
            String log = repo.branch().read(stateLog(k.get())).orElse("");
            return RemoteStateLog.value(log, uuid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void setState(String key, String value) {
        Optional<Key> k = asKey(key);
        if (k.isEmpty()) {
            write(dir.resolve("state").resolve(fileName(key)), value, false);
            return;
        }
        try {
            repo.branch().change(Map.of(stateLog(k.get()),
                    log -> RemoteStateLog.update(log, uuid, value, java.time.Instant.now())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void setUrl(String key, String url, boolean present) {
        Optional<Key> k = asKey(key);
        if (k.isEmpty()) {
            throw new IllegalArgumentException("not a key: " + key);
        }
        try {
            repo.branch().change(Map.of(urlLog(k.get()),
                    log -> org.annexhost.repo.branch.PresenceLog.update(log, url, present, java.time.Instant.now())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public java.util.List<String> urls(String key) {
        Optional<Key> k = asKey(key);
        if (k.isEmpty()) {
            return java.util.List.of();
        }
        try {
            return org.annexhost.repo.branch.PresenceLog.present(repo.branch().read(urlLog(k.get())).orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String urlLog(Key key) {
        return KeyPaths.hashDirLower(key) + KeyPaths.keyFile(key) + ".log.web";
    }

    @Override
    public Optional<String> credential(String name) {
        Optional<String> own = read(dir.resolve("creds").resolve(fileName(name)));
        if (own.isPresent()) {
            return own;
        }
        // git-annex's local credential cache: "login\npassword\n" in annex/creds/UUID-SETTING.
        Path cached = repo.annexDir().resolve("creds").resolve((uuid.value() + "-" + name).replace('/', '_'));
        return read(cached).map(String::stripTrailing);
    }

    @Override
    public void setCredential(String name, String value) {
        write(dir.resolve("creds").resolve(fileName(name)), value, true);
    }

    @Override
    public Optional<Path> gitDirectory() {
        return Optional.of(repo.gitDir());
    }

    private static Optional<Key> asKey(String key) {
        try {
            return Optional.of(Key.parse(key));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String stateLog(Key key) {
        return KeyPaths.hashDirLower(key) + KeyPaths.keyFile(key) + ".log.rmt";
    }

    private static long parsePid(String name) {
        return name.matches("[0-9]{1,10}") ? Long.parseLong(name) : -1;
    }

    private static void deleteTree(Path p) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
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
