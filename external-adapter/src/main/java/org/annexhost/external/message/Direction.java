package org.annexhost.external.message;

/** Which way a transfer goes, as TRANSFER and its replies spell it. */
public enum Direction {
    STORE,
    RETRIEVE
}
