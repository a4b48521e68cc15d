package org.annexhost.p2p.client;

import java.util.List;
import org.annexhost.api.Uuid;

/**
 * What a server answered to a request that ends in SUCCESS or FAILURE, with the PLUS lists of
 * protocol version 2, or an ERROR. A value, never an exception: the protocol can say all of these.
 *
 * @param kind which answer
 * @param uuids the extra uuids of a PLUS reply (SUCCESS-PLUS, FAILURE-PLUS, ALREADY-HAVE-PLUS)
 * @param error the ERROR text, or empty
 */
public record ClientReply(Kind kind, List<Uuid> uuids, String error) {
    /** The possible answers. */
    public enum Kind { SUCCESS, FAILURE, ALREADY_HAVE, ERROR }

    /** Copies the list. */
    public ClientReply {
        uuids = List.copyOf(uuids);
    }

    static ClientReply success(List<Uuid> plus) {
        return new ClientReply(Kind.SUCCESS, plus, "");
    }

    static ClientReply failure(List<Uuid> plus) {
        return new ClientReply(Kind.FAILURE, plus, "");
    }

    static ClientReply alreadyHave(List<Uuid> plus) {
        return new ClientReply(Kind.ALREADY_HAVE, plus, "");
    }

    static ClientReply error(String text) {
        return new ClientReply(Kind.ERROR, List.of(), text);
    }

    /** @return true for SUCCESS or ALREADY-HAVE */
    public boolean ok() {
        return kind == Kind.SUCCESS || kind == Kind.ALREADY_HAVE;
    }
}
