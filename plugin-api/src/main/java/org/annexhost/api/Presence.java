package org.annexhost.api;

import java.util.Objects;

/**
 * The answer to "is this key's content stored?": present, absent, or unknown with the reason.
 *
 * @param state which of the three
 * @param reason why it is unknown; empty otherwise
 * @since 0.1
 */
public record Presence(State state, String reason) {
    /** The three answers. */
    public enum State { PRESENT, ABSENT, UNKNOWN }

    private static final Presence PRESENT = new Presence(State.PRESENT, "");
    private static final Presence ABSENT = new Presence(State.ABSENT, "");

    /** Requires a reason for UNKNOWN. */
    public Presence {
        Objects.requireNonNull(state);
        Objects.requireNonNull(reason);
        if (state == State.UNKNOWN && reason.isBlank()) {
            throw new IllegalArgumentException("an unknown presence needs a reason");
        }
    }

    /** @return the content is stored */
    public static Presence present() {
        return PRESENT;
    }

    /** @return the content is not stored */
    public static Presence absent() {
        return ABSENT;
    }

    /** @return it cannot be told, for this reason */
    public static Presence unknown(String reason) {
        return new Presence(State.UNKNOWN, reason);
    }

    /** @return present or absent, from a boolean */
    public static Presence of(boolean present) {
        return present ? PRESENT : ABSENT;
    }

    /** @return true if present */
    public boolean isPresent() {
        return state == State.PRESENT;
    }
}
