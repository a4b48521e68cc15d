package org.annexhost.api.contract;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.Uuid;

/**
 * A backend context for a plugin's own tests, keeping what a host would keep (state, credentials,
 * urls) in memory where the test can look at it. A backend that must not keep state is checked
 * with {@link #refusingState()}: any state call then fails the test. Thread-safe.
 *
 * @since 0.1.3
 */
public final class MemoryContext implements BackendContext {
    private final Uuid uuid;
    private final BackendConfig config;
    private final Path temp;
    private final Path gitDirectory;
    private final boolean refusesState;
    private final Map<String, String> state = new ConcurrentHashMap<>();
    private final Map<String, String> credentials = new ConcurrentHashMap<>();
    private final Map<String, List<String>> urls = new ConcurrentHashMap<>();

    private final org.annexhost.api.BackendEvents events;

    private MemoryContext(Uuid uuid, BackendConfig config, Path temp, Path gitDirectory, boolean refusesState,
                          org.annexhost.api.BackendEvents events) {
        this.events = events;
        this.uuid = uuid;
        this.config = config;
        this.temp = temp;
        this.gitDirectory = gitDirectory;
        this.refusesState = refusesState;
    }

    /**
     * @param uuid the remote's uuid
     * @param config its configuration
     * @param temp the directory it may keep temporary files in
     */
    public MemoryContext(Uuid uuid, BackendConfig config, Path temp) {
        this(uuid, config, temp, null, false, org.annexhost.api.BackendEvents.NONE);
    }

    /** @return the same context, with a git directory the backend may read */
    public MemoryContext withGitDirectory(Path dir) {
        return new MemoryContext(uuid, config, temp, dir, refusesState, events);
    }

    /** @return the same context, telling these events what the backend reports of its processes */
    public MemoryContext withEvents(org.annexhost.api.BackendEvents told) {
        return new MemoryContext(uuid, config, temp, gitDirectory, refusesState, told);
    }

    @Override
    public org.annexhost.api.BackendEvents events() {
        return events;
    }

    /** @return the same context, failing the test (an {@link AssertionError}) at any state call */
    public MemoryContext refusingState() {
        return new MemoryContext(uuid, config, temp, gitDirectory, true, events);
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
        if (refusesState) {
            throw new AssertionError(config.remoteName() + " must keep no state, asked for " + key);
        }
        return Optional.ofNullable(state.get(key));
    }

    @Override
    public void setState(String key, String value) {
        if (refusesState) {
            throw new AssertionError(config.remoteName() + " must keep no state, set " + key);
        }
        if (value.isEmpty()) {
            state.remove(key);
        } else {
            state.put(key, value);
        }
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
    public void setUrl(String key, String url, boolean present) {
        List<String> l = urls.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
        l.remove(url);
        if (present) {
            l.add(url);
        }
    }

    @Override
    public List<String> urls(String key) {
        return List.copyOf(urls.getOrDefault(key, List.of()));
    }

    @Override
    public Optional<Path> gitDirectory() {
        return Optional.ofNullable(gitDirectory);
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("annexhost.remote." + config.remoteName());
    }

    /** @return the state the backend kept, key to value */
    public Map<String, String> state() {
        return Map.copyOf(state);
    }

    /** @return the credentials the backend stored, name to value */
    public Map<String, String> credentials() {
        return Map.copyOf(credentials);
    }
}
