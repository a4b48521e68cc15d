package org.annexhost.http;

import java.util.Optional;
import org.annexhost.activity.Change;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.eclipse.jetty.server.Request;

/**
 * What an annex API request did, as the host's {@link org.annexhost.activity.Activity} records
 * it: its content change or refusal (in the audit log of the repository the uuid is served by),
 * and its transfer while it moves. The request's id, user and key travel as request attributes,
 * set once by the server and {@link AnnexApi#handle}. Thread-safe.
 */
final class ApiActivity {
    /** Request attributes for the request's line in the log: the uuid it named, its key, its user. */
    static final String PEER = "annexhost.peer";
    static final String KEY = "annexhost.key";
    static final String USER = "annexhost.user";

    private final Operations operations;

    ApiActivity(Operations operations) {
        this.operations = operations;
    }

    /** @return the content change an operation asks for, if it asks for one */
    static Change.Operation changeOf(String operation) {
        return switch (operation) {
            case "put", "putoffset" -> Change.Operation.STORE;
            case "remove", "remove-before" -> Change.Operation.REMOVE;
            case "lockcontent", "keeplocked" -> Change.Operation.LOCK;
            default -> Change.Operation.READ;
        };
    }

    /** Records a content change as the protocol's answer says it went. */
    void changed(Request request, ApiRequest api, Change.Operation op, ClientReply r, long bytes) {
        Change.Result result = switch (r.kind()) {
            case SUCCESS -> Change.Result.DONE;
            case ALREADY_HAVE -> Change.Result.ALREADY;
            default -> Change.Result.FAILED;
        };
        changed(request, api, op, result, result == Change.Result.DONE ? bytes : 0,
                r.kind() == ClientReply.Kind.ERROR ? r.error() : "");
    }

    /** Records a content change, or a refusal of one, in the audit log of the repository the uuid is served by. */
    void changed(Request request, ApiRequest api, Change.Operation op, Change.Result result, long bytes, String detail) {
        Optional<org.annexhost.activity.Place> place = operations.places().apply(api.peer());
        if (place.isEmpty()) {
            return; // not a uuid served here: there is no repository to keep its record
        }
        Object user = request.getAttribute(USER);
        Object key = request.getAttribute(KEY);
        operations.activity().changed(new Change(operations.activity().now(),
                (String) request.getAttribute(P2pHttpServer.REQUEST_ID), "http", user == null ? "anonymous" : user.toString(),
                P2pHttpServer.client(request), place.get(), key == null ? "" : key.toString(), op, result, bytes, detail));
    }

    /**
     * @return a download or upload of the key, shown on the status page while it moves; null if
     *     the uuid is not served here
     */
    org.annexhost.activity.Activity.Transfer transfer(Request request, ApiRequest api, Key key, boolean upload, long length) {
        return operations.places().apply(api.peer()).map(place -> operations.activity().transfer(
                (String) request.getAttribute(P2pHttpServer.REQUEST_ID), place, key.toString(), upload, length)).orElse(null);
    }
}
