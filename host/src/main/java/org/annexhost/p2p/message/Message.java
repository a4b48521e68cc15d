package org.annexhost.p2p.message;

import java.util.List;
import java.util.Objects;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;

/**
 * The whole vocabulary of git-annex's P2P protocol, versions 0 to 4, one record per verb
 * ({@code doc/design/p2p_protocol.mdwn}). Records are immutable; the wire form belongs to
 * {@code MessageCodec}. {@link Data} carries only the length: the bytes travel beside it on the
 * connection.
 */
public sealed interface Message {
    /** @return the verb this message is sent as */
    Verb verb();

    /** {@code AUTH UUID TOKEN}: a client authenticates. */
    record Auth(Uuid uuid, String token) implements Message {
        /** Requires a non-empty token without line breaks. */
        public Auth {
            Objects.requireNonNull(uuid);
            if (token.isEmpty() || token.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("invalid auth token");
            }
        }

        public Verb verb() {
            return Verb.AUTH;
        }

        @Override
        public String toString() {
            return "Auth[uuid=" + uuid + ", token=<redacted>]";
        }
    }

    /** {@code AUTH-SUCCESS UUID}: the server's uuid, after authentication. */
    record AuthSuccess(Uuid uuid) implements Message {
        public Verb verb() {
            return Verb.AUTH_SUCCESS;
        }
    }

    /** {@code AUTH-FAILURE}. */
    record AuthFailure() implements Message {
        public Verb verb() {
            return Verb.AUTH_FAILURE;
        }
    }

    /** {@code VERSION N}: offered by the client, answered by the server. */
    record Version(ProtocolVersion version) implements Message {
        public Verb verb() {
            return Verb.VERSION;
        }
    }

    /** {@code BYPASS UUID...}: cluster gateways to avoid (v2). */
    record Bypass(List<Uuid> uuids) implements Message {
        /** Copies the list. */
        public Bypass {
            uuids = List.copyOf(uuids);
        }

        public Verb verb() {
            return Verb.BYPASS;
        }
    }

    /** {@code CONNECT SERVICE}: relay git-upload-pack or git-receive-pack. */
    record Connect(GitService service) implements Message {
        public Verb verb() {
            return Verb.CONNECT;
        }
    }

    /** {@code CONNECTDONE CODE}: the relayed service exited. */
    record ConnectDone(int exitCode) implements Message {
        public Verb verb() {
            return Verb.CONNECTDONE;
        }
    }

    /** {@code NOTIFYCHANGE}: wait for a ref to change. */
    record NotifyChange() implements Message {
        public Verb verb() {
            return Verb.NOTIFYCHANGE;
        }
    }

    /** {@code CHANGED REF...}: the refs that changed. */
    record Changed(List<String> refs) implements Message {
        /** Copies the list; refs are single words. */
        public Changed {
            refs = List.copyOf(refs);
            for (String r : refs) {
                if (r.isEmpty() || r.chars().anyMatch(c -> c <= 0x20)) {
                    throw new IllegalArgumentException("invalid ref name in CHANGED");
                }
            }
        }

        public Verb verb() {
            return Verb.CHANGED;
        }
    }

    /** {@code CHECKPRESENT KEY}. */
    record CheckPresent(Key key) implements Message {
        public Verb verb() {
            return Verb.CHECKPRESENT;
        }
    }

    /** {@code LOCKCONTENT KEY}. */
    record LockContent(Key key) implements Message {
        public Verb verb() {
            return Verb.LOCKCONTENT;
        }
    }

    /** {@code UNLOCKCONTENT}. */
    record UnlockContent() implements Message {
        public Verb verb() {
            return Verb.UNLOCKCONTENT;
        }
    }

    /** {@code REMOVE KEY}. */
    record Remove(Key key) implements Message {
        public Verb verb() {
            return Verb.REMOVE;
        }
    }

    /** {@code REMOVE-BEFORE TIMESTAMP KEY} (v3): remove only before a monotonic time. */
    record RemoveBefore(long deadline, Key key) implements Message {
        /** Rejects a negative timestamp. */
        public RemoveBefore {
            requireNonNegative(deadline, "timestamp");
        }

        public Verb verb() {
            return Verb.REMOVE_BEFORE;
        }
    }

    /** {@code GETTIMESTAMP} (v3). */
    record GetTimestamp() implements Message {
        public Verb verb() {
            return Verb.GETTIMESTAMP;
        }
    }

    /** {@code TIMESTAMP SECONDS} (v3): the server's monotonic clock. */
    record Timestamp(long seconds) implements Message {
        /** Rejects a negative timestamp. */
        public Timestamp {
            requireNonNegative(seconds, "timestamp");
        }

        public Verb verb() {
            return Verb.TIMESTAMP;
        }
    }

    /** {@code GET OFFSET FILE KEY}. */
    record Get(long offset, AssociatedFile file, Key key) implements Message {
        /** Rejects a negative offset. */
        public Get {
            requireNonNegative(offset, "offset");
        }

        public Verb verb() {
            return Verb.GET;
        }
    }

    /** {@code PUT FILE KEY}. */
    record Put(AssociatedFile file, Key key) implements Message {
        public Verb verb() {
            return Verb.PUT;
        }
    }

    /** {@code PUT-FROM OFFSET}: send the content from here. */
    record PutFrom(long offset) implements Message {
        /** Rejects a negative offset. */
        public PutFrom {
            requireNonNegative(offset, "offset");
        }

        public Verb verb() {
            return Verb.PUT_FROM;
        }
    }

    /** {@code ALREADY-HAVE}. */
    record AlreadyHave() implements Message {
        public Verb verb() {
            return Verb.ALREADY_HAVE;
        }
    }

    /** {@code ALREADY-HAVE-PLUS UUID...} (v2). */
    record AlreadyHavePlus(List<Uuid> uuids) implements Message {
        /** Copies the list. */
        public AlreadyHavePlus {
            uuids = List.copyOf(uuids);
        }

        public Verb verb() {
            return Verb.ALREADY_HAVE_PLUS;
        }
    }

    /** {@code SUCCESS}. */
    record Success() implements Message {
        public Verb verb() {
            return Verb.SUCCESS;
        }
    }

    /** {@code SUCCESS-PLUS UUID...} (v2). */
    record SuccessPlus(List<Uuid> uuids) implements Message {
        /** Copies the list. */
        public SuccessPlus {
            uuids = List.copyOf(uuids);
        }

        public Verb verb() {
            return Verb.SUCCESS_PLUS;
        }
    }

    /** {@code FAILURE}. */
    record Failure() implements Message {
        public Verb verb() {
            return Verb.FAILURE;
        }
    }

    /** {@code FAILURE-PLUS UUID...} (v2). */
    record FailurePlus(List<Uuid> uuids) implements Message {
        /** Copies the list. */
        public FailurePlus {
            uuids = List.copyOf(uuids);
        }

        public Verb verb() {
            return Verb.FAILURE_PLUS;
        }
    }

    /** {@code DATA LEN}: LEN bytes follow on the connection. */
    record Data(long length) implements Message {
        /** Rejects a negative length. */
        public Data {
            requireNonNegative(length, "length");
        }

        public Verb verb() {
            return Verb.DATA;
        }
    }

    /** {@code DATA-PRESENT} (v4): the content arrived some other way. */
    record DataPresent() implements Message {
        public Verb verb() {
            return Verb.DATA_PRESENT;
        }
    }

    /** {@code VALID} or {@code INVALID} (v1): did the content change while it was sent. */
    record Validity(boolean valid) implements Message {
        public Verb verb() {
            return valid ? Verb.VALID : Verb.INVALID;
        }
    }

    /** {@code ERROR TEXT}. */
    record Error(String text) implements Message {
        /** Replaces line breaks, which cannot travel in one protocol line. */
        public Error {
            text = text.replace('\n', ' ').replace('\r', ' ');
        }

        public Verb verb() {
            return Verb.ERROR;
        }
    }

    private static void requireNonNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException("negative " + what + ": " + value);
        }
    }
}
