package org.annexhost.external.message;

/** The host's answers to a {@link RemoteRequest}. */
public sealed interface RemoteResponse {
    /** {@code VALUE Value}; empty for an unset value, as git-annex sends it. */
    record Value(String value) implements RemoteResponse {
    }

    /** {@code CREDS User Password}; both empty when there are none. */
    record Creds(String user, String password) implements RemoteResponse {
        @Override
        public String toString() {
            return "Creds[<redacted>]";
        }
    }
}
