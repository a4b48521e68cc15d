package org.annexhost.activity;

import java.time.Instant;

/**
 * A content change or a refusal of one, as the audit log keeps it; of what changes nothing
 * (reading content, fetching, pushing refs), only refusals are kept.
 *
 * @param time when it was answered
 * @param id the HTTP request or P2P conversation it was part of
 * @param via {@code http} or {@code ssh}
 * @param user who asked: the authenticated user, or {@code anonymous}; over ssh the account
 * @param client the client's address, or {@code -}
 * @param place the repository, and the remote of it, the change was made at
 * @param key the key
 * @param operation what was asked
 * @param result what came of it
 * @param bytes the content bytes a store declared (0 for removals, locks, and a store of content already there)
 * @param detail the reason given with a refusal or failure, or empty
 */
public record Change(Instant time, String id, String via, String user, String client, Place place, String key,
                     Operation operation, Result result, long bytes, String detail) {
    /** What a client asked for. */
    public enum Operation {
        STORE, REMOVE, LOCK,
        /** reading content or presence (recorded when refused) */
        READ,
        /** git's fetch or clone (recorded when refused) */
        FETCH,
        /** git's push (recorded when refused) */
        PUSH;

        /** @return its name in logs: lower case */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What came of it. */
    public enum Result {
        /** Stored, removed or locked as asked. */
        DONE,
        /** Nothing to do: the content was there already (a store) or not there (a removal). */
        ALREADY,
        /** Tried and not done: the content did not verify, a remote failed, a lock was not taken. */
        FAILED,
        /** Not allowed: the client's rights do not cover it. */
        REFUSED;

        /** @return its name in logs: lower case */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
