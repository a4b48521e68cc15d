package org.annexhost.http;

import java.util.concurrent.TimeoutException;
import org.annexhost.p2p.server.StoreFailures;
import org.annexhost.peer.PeerBusyException;
import org.eclipse.jetty.http.BadMessageException;

/**
 * What a request that failed with an exception is answered, blaming the right side: a malformed
 * or cut-short request body is the client's (400), a client too slow for the client deadline gets
 * 408, a busy peer 503 (with Retry-After), a full disk 507; only our own faults are 500, and they
 * never show their exception to the client. Immutable.
 *
 * @param status the HTTP status
 * @param message one line for the client
 */
record HttpFailure(int status, String message) {
    static HttpFailure of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadMessageException bad) {
                return new HttpFailure(bad.getCode() >= 400 && bad.getCode() < 500 ? bad.getCode() : 400,
                        "malformed request: " + (bad.getReason() == null ? "bad message" : bad.getReason()));
            }
            if (t instanceof PeerBusyException busy) {
                return new HttpFailure(503, "busy: " + busy.getMessage() + "; retry later");
            }
            if (t instanceof TimeoutException) {
                return new HttpFailure(408, "the request body stopped arriving");
            }
            if (t instanceof java.io.EOFException || t instanceof org.annexhost.api.content.ContentLengthException) {
                return new HttpFailure(400, "the request body ended early");
            }
        }
        if (StoreFailures.isDiskFull(e)) {
            return new HttpFailure(507, StoreFailures.DISK_FULL);
        }
        return new HttpFailure(500, "internal error");
    }
}
