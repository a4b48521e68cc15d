package org.annexhost.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.annexhost.access.Quotas;
import org.annexhost.access.Right;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.StoreFailures;
import org.annexhost.api.content.FileBacked;
import org.annexhost.peer.PeerResolver;
import org.annexhost.p2p.server.ServerMode;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content.Sink;
import org.eclipse.jetty.io.Content.Source;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The annex HTTP API ({@code doc/design/p2p_protocol_over_http.mdwn}): each request becomes one
 * command in a pooled P2P conversation with the target peer, so the same protocol server answers
 * it as answers ssh clients. Replies are the JSON git-annex's client parses. Thread-safe.
 *
 * <p>Longer than 400 lines on purpose: one method per API operation, after one access check
 * ({@link #handle}), as the design document lists them, so the mapping from each HTTP request
 * to its P2P command reads in one place.
 */
final class AnnexApi {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AnnexApi.class);

    /** The HTTP API's own addition, with no P2P feature behind it (putoffset, from v1). */
    private static final ProtocolVersion PUTOFFSET_SINCE = new ProtocolVersion(1);
    /** Operations and whether a version has each: the P2P feature behind it, where there is one. */
    private static final java.util.Map<String, java.util.function.Predicate<ProtocolVersion>> SINCE = java.util.Map.of(
            "key", v -> true, "checkpresent", v -> true, "remove", v -> true,
            "remove-before", ProtocolVersion::hasRemoveBefore, "gettimestamp", ProtocolVersion::hasRemoveBefore,
            "put", v -> true, "putoffset", v -> v.compareTo(PUTOFFSET_SINCE) >= 0, "lockcontent", v -> true,
            "keeplocked", v -> true);
    private static final Set<String> WRITES = Set.of("put", "putoffset");

    /** @return whether the API has an operation of this name (in some version) */
    static boolean isOperation(String name) {
        return SINCE.containsKey(name);
    }
    private static final Set<String> REMOVES = Set.of("remove", "remove-before");

    private final PeerResolver peers;
    private final Conversations conversations;
    private final HttpAccess access;
    private final KeptLocks locks;
    private final java.util.Map<org.annexhost.api.Uuid, HttpAccess> accessByPeer;
    private final ApiActivity recorded;

    private final TrustedProxy trustedProxy;

    AnnexApi(PeerResolver peers, Conversations conversations, HttpAccess access, KeptLocks locks,
             java.util.Map<org.annexhost.api.Uuid, HttpAccess> accessByPeer, Operations operations, TrustedProxy trustedProxy) {
        this.trustedProxy = trustedProxy;
        this.accessByPeer = accessByPeer;
        this.recorded = new ApiActivity(operations);
        this.peers = peers;
        this.conversations = conversations;
        this.access = access;
        this.locks = locks;
    }

    /** A reply: status, body, and for downloads nothing (already written). */
    record Reply(int status, String json) {
        static Reply ok(String json) {
            return new Reply(200, json);
        }
    }

    /** @return true if this is an annex API request, whether or not it succeeded */
    boolean handle(Request request, Response response, Callback callback, ApiRequest api) throws Exception {
        java.util.function.Predicate<ProtocolVersion> has = SINCE.get(api.operation());
        if (has == null || !has.test(api.versionOrLatest())) {
            HttpReplies.text(response, callback, 404, "no such request: " + api.operation() + " in version " + api.versionOrLatest());
            return true;
        }
        Right needed = WRITES.contains(api.operation()) ? Right.APPEND
                : REMOVES.contains(api.operation()) ? Right.FULL : Right.READ;
        boolean lock = api.operation().equals("lockcontent") || api.operation().equals("keeplocked");
        HttpAccess rules = accessByPeer.getOrDefault(api.peer(), access);
        Optional<String> authorization = Optional.ofNullable(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        request.setAttribute(ApiActivity.PEER, api.peer());
        api.keyText().ifPresent(k -> request.setAttribute(ApiActivity.KEY, k));
        // Who the request is and what it may do, decided once, as git-annex does (checkAuthActionClass).
        HttpAccess.Decision decision;
        try {
            decision = rules.decide(authorization, request.isSecure(), trustedProxy.of(request));
        } catch (IllegalArgumentException badHeader) {
            HttpReplies.text(response, callback, 400, TrustedProxy.ACCESS + ": " + badHeader.getMessage());
            return true;
        }
        decision.userName().ifPresent(u -> request.setAttribute(ApiActivity.USER, u));
        HttpAccess.Verdict verdict = rules.check(decision, needed, lock);
        if (verdict != HttpAccess.Verdict.ALLOWED) {
            LOG.info("refused {} {} to {}: {} has {} here, {} needs {}", api.operation(), api.keyText().orElse(""),
                    rules.remote().orElse("the repository"), decision.userName().orElse("anonymous"),
                    decision.right().word(), api.operation(), needed.word());
            recorded.changed(request, api, ApiActivity.changeOf(api.operation()), org.annexhost.activity.Change.Result.REFUSED, 0,
                    verdict == HttpAccess.Verdict.UNAUTHORIZED ? "authentication required" : "not allowed: " + api.operation());
        }
        if (verdict == HttpAccess.Verdict.UNAUTHORIZED) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"git-annex\", charset=\"UTF-8\"");
            HttpReplies.text(response, callback, 401, "authentication required");
            return true;
        }
        if (verdict == HttpAccess.Verdict.FORBIDDEN) {
            HttpReplies.text(response, callback, 403, "not allowed: " + api.operation()
                    + (rules.remote().isPresent() ? " on " + rules.remote().get() : ""));
            return true;
        }
        // The rights map to the protocol's server mode once; every conversation of the request runs at it.
        ServerMode rights = decision.right().serverMode();
        Optional<Conversations.Target> peer = peers.resolve(api.peer(), rights).map(p -> new Conversations.Target(p, rights));
        if (peer.isEmpty()) {
            HttpReplies.text(response, callback, 404, "no repository with uuid " + api.peer() + " is served here");
            return true;
        }
        if (api.operation().equals("key")) {
            download(request, response, callback, api, peer.get());
            return true;
        }
        Reply reply = switch (api.operation()) {
            case "checkpresent" -> checkPresent(api, peer.get());
            case "remove" -> remove(request, api, peer.get(), false, rules);
            case "remove-before" -> remove(request, api, peer.get(), true, rules);
            case "gettimestamp" -> timestamp(api, peer.get());
            case "put" -> put(request, api, peer.get(), rules);
            case "putoffset" -> putOffset(api, peer.get());
            case "lockcontent" -> lockContent(request, api, peer.get());
            case "keeplocked" -> keepLocked(request, api);
            default -> new Reply(404, "");
        };
        HttpReplies.json(response, callback, reply.status(), reply.json());
        return true;
    }

    private Reply checkPresent(ApiRequest api, Conversations.Target peer) throws Exception {
        Key key = api.key();
        api.clientUuid();
        try (Conversations.Lease l = conversations.take(peer, api.versionOrLatest(), api.bypass())) {
            ClientReply r = l.client.checkPresent(key);
            l.done();
            if (r.kind() == ClientReply.Kind.ERROR) {
                return new Reply(500, "{\"error\": " + HttpReplies.quote(r.error()) + "}");
            }
            return Reply.ok("{\"present\": " + (r.kind() == ClientReply.Kind.SUCCESS) + "}");
        }
    }

    private Reply remove(Request request, ApiRequest api, Conversations.Target peer, boolean before, HttpAccess rules)
            throws Exception {
        Key key = api.key();
        api.clientUuid();
        long deadline = before ? api.number("timestamp", -1) : -1;
        if (before && deadline < 0) {
            throw new ApiRequest.BadRequest("missing parameter timestamp");
        }
        try (Conversations.Lease l = conversations.take(peer, api.versionOrLatest(), api.bypass())) {
            ClientReply r = before ? l.client.removeBefore(deadline, key) : l.client.remove(key);
            l.done();
            recorded.changed(request, api, org.annexhost.activity.Change.Operation.REMOVE, r, 0);
            if (r.kind() == ClientReply.Kind.ERROR) {
                return new Reply(500, "{\"error\": " + HttpReplies.quote(r.error()) + "}");
            }
            if (r.kind() == ClientReply.Kind.SUCCESS && rules.quotas().isPresent()) {
                rules.quotas().get().removed(rules.remote(), key);
            }
            return Reply.ok("{\"removed\": " + (r.kind() == ClientReply.Kind.SUCCESS) + plus(api, r.uuids()) + "}");
        }
    }

    private Reply timestamp(ApiRequest api, Conversations.Target peer) throws Exception {
        api.clientUuid();
        try (Conversations.Lease l = conversations.take(peer, api.versionOrLatest(), api.bypass())) {
            long t = l.client.getTimestamp();
            l.done();
            return Reply.ok("{\"timestamp\": " + t + "}");
        }
    }

    private Reply put(Request request, ApiRequest api, Conversations.Target peer, HttpAccess rules) throws Exception {
        Key key = api.key();
        api.clientUuid();
        String lengthHeader = request.getHeaders().get("X-git-annex-data-length");
        if (lengthHeader == null || !lengthHeader.matches("[0-9]{1,18}")) {
            throw new ApiRequest.BadRequest("missing or invalid X-git-annex-data-length header");
        }
        long length = Long.parseLong(lengthHeader);
        long httpOffset = api.number("offset", 0);
        // The quota decides on the declared size, before a byte of the body is read.
        Quotas.Admission admission = rules.quotas().isEmpty() ? Quotas.none()
                : rules.quotas().get().admit(Optional.ofNullable((String) request.getAttribute(ApiActivity.USER)),
                        rules.remote(), key, key.size().orElse(httpOffset + length));
        if (admission.refusal().isPresent()) {
            recorded.changed(request, api, org.annexhost.activity.Change.Operation.STORE,
                    org.annexhost.activity.Change.Result.REFUSED, 0, admission.refusal().get());
            return new Reply(413, "{\"error\": " + HttpReplies.quote(admission.refusal().get()) + "}");
        }
        try (admission) {
            return putAdmitted(request, api, peer, key, length, httpOffset, admission);
        }
    }

    /** The PUT the quota admitted; what it stores is counted against the quota as it is stored. */
    private Reply putAdmitted(Request request, ApiRequest api, Conversations.Target peer, Key key, long length, long httpOffset,
                              Quotas.Admission admission) throws Exception {
        if (api.optional("data-present").filter("true"::equals).isPresent()) {
            if (!api.versionOrLatest().hasDataPresent()) {
                throw new ApiRequest.BadRequest("data-present needs version 4");
            }
            try (Conversations.Lease l = conversations.take(peer, api.versionOrLatest(), api.bypass())) {
                ClientReply r = l.client.putDataPresent(key, api.associatedFile());
                l.done();
                if (r.ok()) {
                    admission.stored();
                }
                recorded.changed(request, api, org.annexhost.activity.Change.Operation.STORE, r, 0);
                return Reply.ok("{\"stored\": " + r.ok() + plus(api, r.uuids()) + "}");
            }
        }
        org.annexhost.activity.Activity.Transfer transfer = recorded.transfer(request, api, key, true, length);
        InputStream body = transfer == null ? Source.asInputStream(request) : transfer.counting(Source.asInputStream(request));
        AtomicBoolean mismatch = new AtomicBoolean();
        Conversations.Lease l = conversations.take(peer, api.versionOrLatest(), api.bypass());
        try (l; transfer) {
            ClientReply r = l.client.put(key, api.associatedFile(), from -> {
                if (from == httpOffset) {
                    return new Content(length, body);
                }
                if (from > httpOffset && from - httpOffset <= length) {
                    body.skipNBytes(from - httpOffset);
                    return new Content(length - (from - httpOffset), body);
                }
                // The server wants bytes the client did not send: store nothing.
                mismatch.set(true);
                return Content.empty();
            });
            l.done();
            boolean stored = r.ok() && !mismatch.get();
            if (stored) {
                admission.stored();
            }
            if (mismatch.get()) {
                recorded.changed(request, api, org.annexhost.activity.Change.Operation.STORE, org.annexhost.activity.Change.Result.FAILED,
                        length, "the server wanted content from an offset the client did not send");
            } else {
                recorded.changed(request, api, org.annexhost.activity.Change.Operation.STORE, r, length);
            }
            if (r.kind() == ClientReply.Kind.ERROR) {
                int status = r.error().startsWith(StoreFailures.DISK_FULL) ? 507 : 500;
                return new Reply(status, "{\"error\": " + HttpReplies.quote(r.error()) + "}");
            }
            return Reply.ok("{\"stored\": " + stored + plus(api, r.uuids()) + "}");
        } catch (org.annexhost.api.content.ContentLengthException | org.annexhost.p2p.transport.ConnectionClosedException e) {
            LOG.debug("PUT {}: the body did not match its declared length: {}", key, e.getMessage());
            recorded.changed(request, api, org.annexhost.activity.Change.Operation.STORE, org.annexhost.activity.Change.Result.FAILED,
                    length, "the request body was shorter or longer than declared");
            throw new ApiRequest.BadRequest("the request body did not hold the " + length
                    + " bytes its X-git-annex-data-length declares");
        }
    }

    private Reply putOffset(ApiRequest api, Conversations.Target peer) throws Exception {
        Key key = api.key();
        api.clientUuid();
        long[] offset = {-1};
        try (Conversations.Lease l = conversations.take(peer, api.versionOrLatest(), api.bypass())) {
            // As the design's note says: PUT, then an empty invalid DATA to get back to a request boundary.
            ClientReply r = l.client.putOffset(key, api.associatedFile(), o -> offset[0] = o);
            l.done();
            if (r.kind() == ClientReply.Kind.ALREADY_HAVE) {
                return Reply.ok("{\"alreadyhave\": true" + plus(api, r.uuids()) + "}");
            }
            if (r.kind() == ClientReply.Kind.ERROR) {
                return new Reply(500, "{\"error\": " + HttpReplies.quote(r.error()) + "}");
            }
            return Reply.ok("{\"offset\": " + offset[0] + "}");
        }
    }

    private Reply lockContent(Request request, ApiRequest api, Conversations.Target peer) throws Exception {
        Key key = api.key();
        api.clientUuid();
        if (!locks.reserve()) {
            // --lockedfiles: refuse plainly, as git-annex does, rather than exhaust the host.
            LOG.warn("refusing to lock {}: {} locks held, the --lockedfiles limit", key, locks.max());
            return Reply.ok("{\"locked\": false}");
        }
        Conversations.Lease l;
        boolean locked;
        try {
            l = conversations.takeToLock(peer, api.versionOrLatest(), api.bypass());
        } catch (IOException | RuntimeException e) {
            locks.release();
            throw e;
        }
        try {
            locked = l.client.lockContent(key);
        } catch (IOException | RuntimeException e) {
            l.close();
            locks.release();
            throw e;
        }
        recorded.changed(request, api, org.annexhost.activity.Change.Operation.LOCK, locked ? org.annexhost.activity.Change.Result.DONE
                : org.annexhost.activity.Change.Result.FAILED, 0, "");
        if (!locked) {
            l.done();
            l.close();
            locks.release();
            return Reply.ok("{\"locked\": false}");
        }
        return Reply.ok("{\"locked\": true, \"lockid\": " + HttpReplies.quote(locks.keep(l)) + "}");
    }

    private Reply keepLocked(Request request, ApiRequest api) throws Exception {
        String id = ApiRequest.decode(api.required("lockid"));
        Optional<Conversations.Lease> lease = locks.claim(id);
        if (lease.isEmpty()) {
            return Reply.ok("{\"locked\": false}");
        }
        // The client keeps this request open, silent, for as long as it needs the lock: the client
        // deadline does not apply, the lock's retention does.
        request.getConnectionMetaData().getConnection().getEndPoint()
                .setIdleTimeout(locks.retention().plusMinutes(1).toMillis());
        boolean unlock = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Source.asInputStream(request), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (Json.isUnlock(line)) {
                    unlock = true;
                    break;
                }
            }
        } catch (IOException e) {
            // the client went away: the lock is abandoned below
        }
        if (unlock) {
            locks.unlock(lease.get());
        } else {
            // Connection lost before unlock: the server keeps the lock for its retention period.
            locks.abandon(lease.get());
        }
        return Reply.ok("{\"locked\": false}");
    }

    private void download(Request request, Response response, Callback callback, ApiRequest api, Conversations.Target peer) throws Exception {
        Key key = api.key();
        if (api.version().isPresent()) {
            api.clientUuid();
        }
        long offset = api.number("offset", 0);
        Optional<long[]> range = HttpReplies.range(request.getHeaders().get(HttpHeader.RANGE));
        if (range.isPresent()) {
            offset = range.get()[0];
        }
        Conversations.Lease l = conversations.take(peer, api.versionOrLatest(), api.bypass());
        try (l) {
            ClientReply present = l.client.checkPresent(key);
            if (present.kind() != ClientReply.Kind.SUCCESS) {
                l.done();
                HttpReplies.text(response, callback, 404, "content not present: " + key);
                return;
            }
            long from = offset;
            if (range.isPresent() && key.size().isPresent() && from >= key.size().getAsLong()) {
                l.done();
                unsatisfiable(response, callback, key.size().getAsLong());
                return;
            }
            boolean[] complete = {false};
            boolean[] beyond = {false};
            ClientReply r = l.client.get(key, api.associatedFile(), from, content -> {
                long total = from + content.length();
                if (range.isPresent() && content.length() == 0 && from > 0) {
                    // RFC 9110: a range that starts at or past the end cannot be satisfied.
                    beyond[0] = true;
                    content.counted().transferTo(OutputStream.nullOutputStream());
                    return true;
                }
                long sendLength = content.length();
                if (range.isPresent()) {
                    long end = Math.min(range.get()[1], total - 1);
                    sendLength = Math.max(0, end - from + 1);
                    response.setStatus(HttpStatus.PARTIAL_CONTENT_206);
                    response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + from + "-" + (from + sendLength - 1) + "/" + total);
                } else {
                    response.setStatus(200);
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
                if (api.versionOrLatest().hasValidity() || api.version().isEmpty()) {
                    response.getHeaders().put("X-git-annex-data-length", Long.toString(sendLength));
                }
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(sendLength));
                response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
                try (org.annexhost.activity.Activity.Transfer t = recorded.transfer(request, api, key, false, sendLength)) {
                    complete[0] = send(content, sendLength, response, t);
                }
                return complete[0];
            });
            if (beyond[0]) {
                l.done();
                unsatisfiable(response, callback, from);
                return;
            }
            if (complete[0]) {
                l.done();
            }
            callback.succeeded();
        }
    }

    /** Sends the content's first bytes as the body. @return true if all of the content was sent */
    private static boolean send(Content content, long sendLength, Response response,
                                org.annexhost.activity.Activity.Transfer transfer) throws IOException {
        if (content.stream() instanceof FileBacked file && file.inFile()) {
            return sendFromFile(file, sendLength, content.length(), response, transfer);
        }
        boolean complete = false;
        try (InputStream in = content.counted(); OutputStream out = Sink.asOutputStream(response)) {
            byte[] buf = new byte[256 * 1024];
            long left = sendLength;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                left -= n;
                if (transfer != null) {
                    transfer.add(n);
                }
            }
            if (left == 0 && sendLength == content.length()) {
                complete = true;
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
        return complete;
    }

    private static void unsatisfiable(Response response, Callback callback, long size) {
        response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
        HttpReplies.text(response, callback, 416, "range not satisfiable: the content has " + size + " bytes");
    }

    /** Bytes sent from the file at a time. */
    private static final int FILE_CHUNK = 16 << 20;

    /**
     * Sends file-backed content without copying it through the Java heap: each chunk of the file
     * is mapped and the socket takes the bytes from the page cache, then the mapping is released
     * at once so resident memory stays at one chunk. Where mappings cannot be released early, the
     * file is read into one direct buffer instead.
     *
     * @return true if all the content was delivered
     */
    private static boolean sendFromFile(FileBacked file, long sendLength, long length, Response response,
                                        org.annexhost.activity.Activity.Transfer transfer) throws IOException {
        java.nio.channels.FileChannel ch = file.channel();
        java.nio.ByteBuffer direct = Unmapper.available() ? null
                : java.nio.ByteBuffer.allocateDirect((int) Math.min(FILE_CHUNK, Math.max(1, sendLength)));
        long pos = ch.position();
        long left = sendLength;
        while (left > 0) {
            int n = (int) Math.min(FILE_CHUNK, left);
            if (direct == null) {
                java.nio.MappedByteBuffer mapped = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, pos, n);
                Sink.write(response, false, mapped);
                // Only once the socket has taken every byte: after a failed write the connection
                // might still hold the buffer, and touching a released mapping crashes the JVM.
                Unmapper.unmap(mapped);
            } else {
                direct.clear().limit(n);
                n = ch.read(direct, pos);
                if (n < 0) {
                    throw new IOException("file ended " + left + " bytes early");
                }
                direct.flip();
                Sink.write(response, false, direct);
            }
            file.consumed(n);
            if (transfer != null) {
                transfer.add(n);
            }
            pos += n;
            left -= n;
        }
        Sink.write(response, true, java.nio.ByteBuffer.allocate(0));
        return sendLength == length;
    }

    private static String plus(ApiRequest api, List<Uuid> uuids) {
        if (!api.versionOrLatest().hasPlusReplies()) {
            return "";
        }
        return ", \"plusuuids\": [" + uuids.stream().map(u -> HttpReplies.quote(u.value())).collect(Collectors.joining(", ")) + "]";
    }

    /** The JSON the client streams to keeplocked, read when first needed (Jackson loads lazily). */
    private static final class Json {
        private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

        /** @return whether the line is one JSON object whose {@code unlock} is {@code true} */
        static boolean isUnlock(String line) {
            try {
                com.fasterxml.jackson.databind.JsonNode v = MAPPER.readTree(line);
                return v != null && v.isObject() && v.path("unlock").isBoolean() && v.path("unlock").booleanValue();
            } catch (IOException notJson) {
                return false;
            }
        }
    }
}
