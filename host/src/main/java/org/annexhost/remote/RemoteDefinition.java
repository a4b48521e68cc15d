package org.annexhost.remote;

import java.util.Map;
import org.annexhost.api.Uuid;

/**
 * A special remote configured on the host: its git remote name, uuid, type and parameters (as in
 * remote.log, secrets excluded), and whether the gateway publishes it to clients.
 *
 * @param name the remote's name, a legal git remote name
 * @param uuid its uuid
 * @param type its type, e.g. {@code directory}
 * @param params its configuration, {@code name} and {@code type} included, as git-annex records it
 * @param proxied whether clients see it as {@code GATEWAY-NAME}
 */
public record RemoteDefinition(String name, Uuid uuid, String type, Map<String, String> params, boolean proxied) {
    /** Copies the parameters. */
    public RemoteDefinition {
        params = Map.copyOf(params);
    }
}
