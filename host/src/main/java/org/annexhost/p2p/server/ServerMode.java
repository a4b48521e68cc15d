package org.annexhost.p2p.server;

/**
 * What a client may do, as git-annex's {@code ServerMode}: read only; read and store new content
 * but never remove; or everything.
 */
public enum ServerMode {
    READ_ONLY,
    APPEND_ONLY,
    READ_WRITE;

    /** git-annex's wording, so clients show the same message. */
    static final String READ_ONLY_ERROR = "this repository is read-only; write access denied";
    /** git-annex's wording, so clients show the same message. */
    static final String APPEND_ONLY_ERROR = "this repository is append-only; removal denied";

    /** @return true if PUT is allowed */
    public boolean mayStore() {
        return this != READ_ONLY;
    }

    /** @return the refusal for REMOVE, or null if allowed */
    String removeRefusal() {
        return switch (this) {
            case READ_ONLY -> READ_ONLY_ERROR;
            case APPEND_ONLY -> APPEND_ONLY_ERROR;
            case READ_WRITE -> null;
        };
    }
}
