package org.annexhost.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.annexhost.p2p.codec.TextCodec;
import org.eclipse.jetty.util.Fields;

/**
 * Percent-decoding of path segments and query strings, byte-exact: the decoded bytes become text
 * through {@link TextCodec}, so bytes that are not UTF-8 stay distinct (and a key made of them is
 * refused) instead of turning into U+FFFD. A malformed escape is the client's mistake: a
 * {@link ApiRequest.BadRequest}, 400. Stateless and thread-safe.
 */
final class PercentCodec {
    private PercentCodec() {
    }

    /** @return the path segment decoded; {@code +} is itself */
    static String decodeSegment(String raw) throws ApiRequest.BadRequest {
        return decode(raw, false);
    }

    /** @return the query's parameters in order, names and values decoded ({@code +} is a space) */
    static Fields parseQuery(String query) throws ApiRequest.BadRequest {
        Fields fields = new Fields(true);
        if (query == null || query.isEmpty()) {
            return fields;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            fields.add(name, value);
        }
        return fields;
    }

    private static String decode(String raw, boolean plusIsSpace) throws ApiRequest.BadRequest {
        if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0)) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '%') {
                if (i + 2 >= bytes.length || hex(bytes[i + 1]) < 0 || hex(bytes[i + 2]) < 0) {
                    throw new ApiRequest.BadRequest("malformed percent-encoding in " + HttpReplies.printable(raw));
                }
                out.write(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
                i += 2;
            } else if (b == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                out.write(b);
            }
        }
        return TextCodec.decode(out.toByteArray());
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
