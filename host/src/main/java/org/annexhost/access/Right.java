package org.annexhost.access;

import java.util.Locale;
import org.annexhost.p2p.server.ServerMode;

/**
 * What someone may do in a repository or a remote it proxies, the same four everywhere (HTTP,
 * git smart HTTP, the ssh drop-in): each includes the ones before it. {@code read} is fetching
 * and getting content, {@code append} adds storing content and pushing refs forward, {@code full}
 * adds removing content.
 */
public enum Right {
    NONE, READ, APPEND, FULL;

    /** @return whether this right allows what needs {@code needed} */
    public boolean covers(Right needed) {
        return compareTo(needed) >= 0;
    }

    /** @return the wider of the two */
    public Right orWider(Right other) {
        return compareTo(other) >= 0 ? this : other;
    }

    /** @return the narrower of the two */
    public Right orNarrower(Right other) {
        return compareTo(other) <= 0 ? this : other;
    }

    /**
     * @return the protocol's server mode for this right: what a conversation is served at, so the
     *     protocol server refuses whatever the right does not cover even if asked
     */
    public ServerMode serverMode() {
        return switch (this) {
            case NONE, READ -> ServerMode.READ_ONLY;
            case APPEND -> ServerMode.APPEND_ONLY;
            case FULL -> ServerMode.READ_WRITE;
        };
    }

    /** @return the right a server mode stands for (a mode never means no access) */
    public static Right of(ServerMode mode) {
        return switch (mode) {
            case READ_ONLY -> READ;
            case APPEND_ONLY -> APPEND;
            case READ_WRITE -> FULL;
        };
    }

    /** @return the word for it, as commands take and print it */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param word none, read, append or full (git-annex's readonly and appendonly too)
     * @throws IllegalArgumentException for anything else, naming the four
     */
    public static Right parse(String word) {
        return switch (word.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "read", "readonly" -> READ;
            case "append", "appendonly" -> APPEND;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown right '" + word + "': expected none, read, append or full");
        };
    }
}
