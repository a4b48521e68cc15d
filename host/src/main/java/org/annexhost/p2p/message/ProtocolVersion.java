package org.annexhost.p2p.message;

/**
 * A P2P protocol version, with each version-dependent feature named once.
 *
 * @param number the version number, 0 or more (a peer may offer versions newer than ours)
 */
public record ProtocolVersion(int number) implements Comparable<ProtocolVersion> {
    /** Version 0: what a connection speaks until VERSION is negotiated. */
    public static final ProtocolVersion V0 = new ProtocolVersion(0);
    /** The newest version annexhost speaks. */
    public static final ProtocolVersion LATEST = new ProtocolVersion(4);

    /** Rejects a negative version. */
    public ProtocolVersion {
        if (number < 0) {
            throw new IllegalArgumentException("negative protocol version " + number);
        }
    }

    /** @return VALID/INVALID follow DATA (v1) */
    public boolean hasValidity() {
        return number >= 1;
    }

    /** @return SUCCESS-PLUS, FAILURE-PLUS and ALREADY-HAVE-PLUS may be sent (v2) */
    public boolean hasPlusReplies() {
        return number >= 2;
    }

    /** @return BYPASS may follow VERSION (v2) */
    public boolean hasBypass() {
        return number >= 2;
    }

    /** @return GETTIMESTAMP and REMOVE-BEFORE exist (v3) */
    public boolean hasRemoveBefore() {
        return number >= 3;
    }

    /** @return DATA-PRESENT may answer PUT-FROM (v4) */
    public boolean hasDataPresent() {
        return number >= 4;
    }

    /**
     * The server's side of negotiation: the highest version both speak.
     *
     * @param offered the version the client sent
     * @param ours the highest version this side speaks
     * @return the version both sides now use
     */
    public static ProtocolVersion negotiate(ProtocolVersion offered, ProtocolVersion ours) {
        return offered.compareTo(ours) <= 0 ? offered : ours;
    }

    @Override
    public int compareTo(ProtocolVersion o) {
        return Integer.compare(number, o.number);
    }

    @Override
    public String toString() {
        return Integer.toString(number);
    }
}
