package org.annexhost.p2p.message;

import java.util.Optional;

/** The git services CONNECT may relay; git-annex accepts exactly these two. */
public enum GitService {
    UPLOAD_PACK("git-upload-pack"),
    RECEIVE_PACK("git-receive-pack");

    private final String wire;

    GitService(String wire) {
        this.wire = wire;
    }

    /** @return the service name as sent in CONNECT, which is also the git command */
    public String wire() {
        return wire;
    }

    /** @return the service with this name */
    public static Optional<GitService> fromWire(String s) {
        for (GitService g : values()) {
            if (g.wire.equals(s)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
