package org.annexhost.p2p.message;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every verb of git-annex's P2P protocol, versions 0 to 4, with its wire spelling. This enum is the
 * only place the spellings appear (git-annex: {@code P2P/Protocol.hs}, {@code Sendable} and
 * {@code Receivable}).
 */
public enum Verb {
    AUTH("AUTH"),
    AUTH_SUCCESS("AUTH-SUCCESS"),
    AUTH_FAILURE("AUTH-FAILURE"),
    VERSION("VERSION"),
    BYPASS("BYPASS"),
    CONNECT("CONNECT"),
    CONNECTDONE("CONNECTDONE"),
    NOTIFYCHANGE("NOTIFYCHANGE"),
    CHANGED("CHANGED"),
    CHECKPRESENT("CHECKPRESENT"),
    LOCKCONTENT("LOCKCONTENT"),
    UNLOCKCONTENT("UNLOCKCONTENT"),
    REMOVE("REMOVE"),
    REMOVE_BEFORE("REMOVE-BEFORE"),
    GETTIMESTAMP("GETTIMESTAMP"),
    TIMESTAMP("TIMESTAMP"),
    GET("GET"),
    PUT("PUT"),
    PUT_FROM("PUT-FROM"),
    ALREADY_HAVE("ALREADY-HAVE"),
    ALREADY_HAVE_PLUS("ALREADY-HAVE-PLUS"),
    SUCCESS("SUCCESS"),
    SUCCESS_PLUS("SUCCESS-PLUS"),
    FAILURE("FAILURE"),
    FAILURE_PLUS("FAILURE-PLUS"),
    DATA("DATA"),
    DATA_PRESENT("DATA-PRESENT"),
    VALID("VALID"),
    INVALID("INVALID"),
    ERROR("ERROR");

    private static final Map<String, Verb> BY_WIRE = new HashMap<>();

    static {
        for (Verb v : values()) {
            BY_WIRE.put(v.wire, v);
        }
    }

    private final String wire;

    Verb(String wire) {
        this.wire = wire;
    }

    /** @return the verb as it is written on the wire */
    public String wire() {
        return wire;
    }

    /** @return the verb with this wire spelling (case-sensitive, as git-annex) */
    public static Optional<Verb> fromWire(String word) {
        return Optional.ofNullable(BY_WIRE.get(word));
    }
}
