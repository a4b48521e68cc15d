package org.annexhost.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written byte by byte over a plain socket, for requests no well-behaved client would
 * send: malformed escapes, bad chunking, lying lengths. One request per connection.
 */
public final class RawHttp {
    /** A reply: status, headers (lower-case names) and the body read by Content-Length. */
    public record Reply(int status, Map<String, String> headers, String body) {
    }

    private RawHttp() {
    }

    /** Sends the bytes as they are and reads one reply, within the timeout. */
    public static Reply send(int port, byte[] request, int timeoutMillis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            return read(s.getInputStream());
        }
    }

    /** Sends a request line and headers with an optional body, Connection: close added. */
    public static Reply send(int port, String method, String target, Map<String, String> headers, byte[] body)
            throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        headers.forEach((k, v) -> b.writeBytes((k + ": " + v + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            b.writeBytes(body);
        }
        return send(port, b.toByteArray(), 10_000);
    }

    /** Reads one reply; status -1 if the server closed without one. */
    public static Reply read(InputStream in) throws IOException {
        String status;
        try {
            status = line(in);
        } catch (java.net.SocketException reset) {
            return new Reply(-1, Map.of(), "");
        }
        if (status == null) {
            return new Reply(-1, Map.of(), "");
        }
        String[] parts = status.split(" ", 3);
        int code = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        return new Reply(code, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }
}
