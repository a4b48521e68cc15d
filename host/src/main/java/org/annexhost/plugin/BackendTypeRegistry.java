package org.annexhost.plugin;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.annexhost.api.StorageBackendFactory;

/**
 * Remote types by name ({@code type=} of initremote), each with the factory that opens it and
 * where it came from. Immutable once built; thread-safe.
 */
public final class BackendTypeRegistry {
    /** A factory and its origin, for messages. */
    public record Entry(StorageBackendFactory factory, String origin) {
    }

    private final Map<String, Entry> types;

    /** @param types by name */
    public BackendTypeRegistry(Map<String, Entry> types) {
        this.types = Map.copyOf(types);
    }

    /** @return the factory for a type */
    public Optional<StorageBackendFactory> factory(String type) {
        return Optional.ofNullable(types.get(type)).map(Entry::factory);
    }

    /** @return every type name, sorted */
    public Set<String> names() {
        return new TreeMap<>(types).keySet();
    }

    /** @return where a type came from (plugin id and jar, or "built in") */
    public Optional<String> origin(String type) {
        return Optional.ofNullable(types.get(type)).map(Entry::origin);
    }
}
