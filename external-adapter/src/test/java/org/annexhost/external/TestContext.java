package org.annexhost.external;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendContext;
import org.annexhost.api.Uuid;

/** A backend context that keeps state and credentials in maps, for tests. Thread-safe. */
final class TestContext implements BackendContext {
    final Uuid uuid = new Uuid("8c4d3c51-2cb0-4a4a-9d1b-1a2b3c4d5e6f");
    final Map<String, String> state = new ConcurrentHashMap<>();
    final Map<String, String> credentials = new ConcurrentHashMap<>();
    private final BackendConfig config;
    private final Path temp;

    TestContext(String remote, Map<String, String> config, Path temp) {
        this.config = new BackendConfig(remote, config, Set.of());
        this.temp = temp;
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
        return Optional.ofNullable(state.get(key));
    }

    @Override
    public void setState(String key, String value) {
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

    final Map<String, java.util.List<String>> urls = new ConcurrentHashMap<>();

    @Override
    public void setUrl(String key, String url, boolean present) {
        java.util.List<String> l = urls.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        l.remove(url);
        if (present) {
            l.add(url);
        }
    }

    @Override
    public java.util.List<String> urls(String key) {
        return java.util.List.copyOf(urls.getOrDefault(key, java.util.List.of()));
    }

    @Override
    public System.Logger logger() {
        return System.getLogger("test." + config.remoteName());
    }
}
