package org.annexhost.remote;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.StorageBackendFactory;
import org.annexhost.api.Uuid;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.peer.BackendStore;
import org.annexhost.plugin.BackendTypeRegistry;
import org.annexhost.remote.chunk.BranchChunkRecords;
import org.annexhost.remote.chunk.ChunkConfig;
import org.annexhost.remote.chunk.ChunkedBackend;
import org.annexhost.repo.HostRepository;

/**
 * Opens the backends of configured remotes when first asked, each as a {@link LocalStore} the
 * protocol server can serve, with content locks kept in the host repository (a backend cannot
 * lock by itself) and git-annex's chunking done in front of it. Thread-safe; owned by the composition root, which closes it.
 */
public final class ServedRemotes implements AutoCloseable {
    /** How long a backend call that does not stream may take. */
    static final Duration CALL_DEADLINE = Duration.ofMinutes(5);

    private final HostRepository repo;
    private final ConfiguredRemotes remotes;
    private final BackendTypeRegistry types;
    private final Duration lockRetention;
    private final Map<Uuid, Opened> open = new ConcurrentHashMap<>();
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "backend-call");
        t.setDaemon(true);
        return t;
    });

    private record Opened(StorageBackend backend, LocalStore store) {
    }

    /**
     * @param repo the host repository
     * @param remotes the configured remotes
     * @param types the remote types available
     * @param lockRetention how long a lock holds once its holder is gone
     */
    public ServedRemotes(HostRepository repo, ConfiguredRemotes remotes, BackendTypeRegistry types, Duration lockRetention) {
        this.repo = repo;
        this.remotes = remotes;
        this.types = types;
        this.lockRetention = lockRetention;
    }

    /**
     * @return the store of a configured remote that the gateway publishes; empty if there is no
     *     such remote (a client cannot reach remotes that are not proxied)
     * @throws IOException if the remote exists but cannot be opened, naming why
     */
    public Optional<LocalStore> proxiedStore(Uuid uuid) throws IOException {
        Optional<RemoteDefinition> def = remotes.byUuid(uuid).filter(RemoteDefinition::proxied);
        if (def.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(opened(def.get()).store());
    }

    /** @return the backend of a configured remote, opened if needed */
    public StorageBackend backend(RemoteDefinition def) throws IOException {
        return opened(def).backend();
    }

    private Opened opened(RemoteDefinition def) throws IOException {
        Opened o = open.get(def.uuid());
        if (o != null) {
            return o;
        }
        synchronized (this) {
            o = open.get(def.uuid());
            if (o == null) {
                o = openBackend(def);
                open.put(def.uuid(), o);
            }
            return o;
        }
    }

    private Opened openBackend(RemoteDefinition def) throws IOException {
        StorageBackendFactory factory = types.factory(def.type()).orElseThrow(() -> new IOException(
                "remote " + def.name() + " (" + def.uuid() + ") has type " + def.type()
                        + ", which no loaded plugin provides; known types: " + String.join(", ", types.names())));
        BackendConfig config = remotes.backendConfig(def);
        try {
            StorageBackend backend = new ChunkedBackend(factory.open(config, remotes.context(def.name(), def.uuid(), config)),
                    ChunkConfig.of(config), new BranchChunkRecords(repo.branch(), def.uuid(), Clock.systemUTC()));
            LockTable locks = new LockTable(repo.hostDir().resolve("remotes").resolve(def.uuid().value()).resolve("locks"),
                    Clock.systemUTC(), lockRetention);
            return new Opened(backend, new BackendStore(def.name(), backend, locks, calls, CALL_DEADLINE));
        } catch (BackendException e) {
            throw new IOException("cannot open remote " + def.name() + " (" + def.uuid() + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (Opened o : open.values()) {
            try {
                o.backend().close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
        calls.shutdownNow();
    }
}
