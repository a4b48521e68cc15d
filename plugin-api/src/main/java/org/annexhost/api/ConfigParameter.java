package org.annexhost.api;

import java.util.Optional;

/**
 * One configuration parameter of a remote type, as {@code key=value} on the command line.
 *
 * @param name the key, e.g. {@code directory}
 * @param description one line for help output
 * @param required whether initremote refuses to go on without it
 * @param secret whether it is a credential: never printed, logged or stored in the branch
 * @param defaultValue used when the parameter is absent
 * @since 0.1
 */
public record ConfigParameter(String name, String description, boolean required, boolean secret,
                              Optional<String> defaultValue) {
    /** @return a required, non-secret parameter */
    public static ConfigParameter required(String name, String description) {
        return new ConfigParameter(name, description, true, false, Optional.empty());
    }

    /** @return an optional, non-secret parameter with a default */
    public static ConfigParameter optional(String name, String description, String defaultValue) {
        return new ConfigParameter(name, description, false, false, Optional.ofNullable(defaultValue));
    }

    /** @return an optional secret parameter (a credential) */
    public static ConfigParameter secret(String name, String description) {
        return new ConfigParameter(name, description, false, true, Optional.empty());
    }
}
