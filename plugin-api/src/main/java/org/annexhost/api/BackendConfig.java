package org.annexhost.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A remote's configuration: the {@code key=value} parameters it was initialized with. Secret
 * values never appear in {@link #toString()}. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class BackendConfig {
    private final String remoteName;
    private final Map<String, String> values;
    private final Set<String> secretNames;

    /**
     * @param remoteName the remote's name, for messages
     * @param values every parameter
     * @param secretNames the parameters whose values must not be shown
     */
    public BackendConfig(String remoteName, Map<String, String> values, Set<String> secretNames) {
        this.remoteName = remoteName;
        this.values = Map.copyOf(values);
        this.secretNames = Set.copyOf(secretNames);
    }

    /** @return the remote's name */
    public String remoteName() {
        return remoteName;
    }

    /** @return the value, if set */
    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * @return the value of a parameter that must be set
     * @throws BackendException naming the remote and the parameter
     */
    public String require(String name) throws BackendException {
        String v = values.get(name);
        if (v == null || v.isEmpty()) {
            throw new BackendException("remote " + remoteName + ": missing parameter " + name + "=");
        }
        return v;
    }

    /** @return every parameter, secrets included: for the backend only, never for display */
    public Map<String, String> values() {
        return values;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, secretNames.contains(k) ? "<redacted>" : v));
        return "BackendConfig[" + remoteName + " " + shown + "]";
    }
}
