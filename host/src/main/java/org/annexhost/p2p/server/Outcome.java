package org.annexhost.p2p.server;

/** What handling one message did to the serve loop, as git-annex's {@code ServerHandler}. */
public enum Outcome {
    /** Serve the next message. */
    CONTINUE,
    /** The conversation is over (after CONNECT, or an ERROR from the client). */
    DONE,
    /** The message made no sense here: answer {@code ERROR unexpected command} and carry on. */
    UNEXPECTED
}
