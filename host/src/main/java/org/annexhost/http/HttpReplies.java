package org.annexhost.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small writers for HTTP replies: JSON, plain text, and the one Range form we serve. */
final class HttpReplies {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");

    private HttpReplies() {
    }

    static void json(Response response, Callback callback, int status, String json) {
        write(response, callback, status, "application/json", json + "\n");
    }

    static void health(Response response, Callback callback, Health.Answer answer) {
        write(response, callback, answer.status(), Health.TYPE, answer.json() + "\n");
    }

    static void metrics(Response response, Callback callback, String exposition) {
        write(response, callback, 200, org.annexhost.metrics.HostMetrics.CONTENT_TYPE, exposition);
    }

    static void html(Response response, Callback callback, String page) {
        write(response, callback, 200, "text/html; charset=utf-8", page);
    }

    static void text(Response response, Callback callback, int status, String text) {
        write(response, callback, status, "text/plain; charset=utf-8", text + "\n");
    }

    private static void write(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        if (status >= 400 && carriesBody(response.getRequest())) {
            // Refused before its body was read: the rest of the body would be taken for the next
            // request, so this connection ends here, and says so (a client must not reuse it).
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(b.length));
        response.write(true, ByteBuffer.wrap(b), callback);
    }

    private static boolean carriesBody(Request request) {
        return request != null && (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
    }

    /** @return the text as a JSON string; a lone surrogate (a byte that was not UTF-8) as its escape */
    static String quote(String s) {
        return org.annexhost.activity.Json.quote(s);
    }

    /** @return the start of a client's text, fit for one line of a message */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        return s.length() > 100 ? b + "..." : b.toString();
    }

    /** @return {from, to} of a single {@code bytes=FROM-[TO]} range; to is Long.MAX_VALUE when open */
    static Optional<long[]> range(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        long from = Long.parseLong(m.group(1));
        long to = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
        return to < from ? Optional.empty() : Optional.of(new long[] {from, to});
    }
}
