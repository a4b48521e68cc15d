package org.annexhost.p2p.server;

import java.util.Optional;
import org.annexhost.p2p.message.Message;

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

    /**
     * @return the mode allowing only what both allow: a client's rights narrow what a server
     *     offers, never widen it
     */
    public ServerMode narrowedTo(ServerMode other) {
        return compareTo(other) <= 0 ? this : other;
    }

    /**
     * The one refusal policy, for a server and for a relay to another repository alike.
     *
     * @return git-annex's ERROR message for a request this mode does not allow, or empty if it
     *     is allowed (CONNECT is left to the git service, which knows push from fetch)
     */
    public Optional<String> refusal(Message request) {
        if (request instanceof Message.Put && !mayStore()) {
            return Optional.of(READ_ONLY_ERROR);
        }
        if (request instanceof Message.Remove
                || request instanceof Message.RemoveBefore) {
            return Optional.ofNullable(removeRefusal());
        }
        return Optional.empty();
    }

    /** @return true if PUT is allowed */
    public boolean mayStore() {
        return this != READ_ONLY;
    }

    /**
     * How git pushes are limited in this mode, the one rule for every way a push arrives (a
     * {@code git-receive-pack} over ssh, CONNECT inside p2pstdio, smart HTTP). Read-only allows no
     * push. Append-only allows pushes, as git-annex-shell does, but since it promises that nothing
     * is lost, refs may only move forward: git's own {@code receive.denyDeletes} and
     * {@code receive.denyNonFastForwards}.
     *
     * @return the {@code git -c} settings to run receive-pack with
     * @throws IllegalStateException in read-only mode, where nothing may be pushed
     */
    public java.util.List<String> receivePackSettings() {
        return switch (this) {
            case READ_ONLY -> throw new IllegalStateException("no push is allowed in a read-only repository");
            case APPEND_ONLY -> java.util.List.of("-c", "receive.denyDeletes=true", "-c", "receive.denyNonFastForwards=true");
            case READ_WRITE -> java.util.List.of();
        };
    }

    /** @return true if a git push is allowed at all (see {@link #receivePackSettings}) */
    public boolean mayPush() {
        return this != READ_ONLY;
    }

    private String removeRefusal() {
        return switch (this) {
            case READ_ONLY -> READ_ONLY_ERROR;
            case APPEND_ONLY -> APPEND_ONLY_ERROR;
            case READ_WRITE -> null;
        };
    }
}
