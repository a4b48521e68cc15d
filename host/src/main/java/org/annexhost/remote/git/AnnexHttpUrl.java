package org.annexhost.remote.git;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.annexhost.api.Uuid;

/**
 * Where a repository's annex API is served: the {@code annex+http(s)://HOST/PATH} url git-annex
 * records as {@code annex.url}, kept as the plain http(s) url requests go to. Credentials in the
 * url ({@code user:password@}) are sent as basic auth and never shown.
 *
 * @param base the API's base, ending in {@code /}
 * @param userInfo {@code user:password}, if the url names them
 */
public record AnnexHttpUrl(URI base, Optional<String> userInfo) {
    /**
     * @param url {@code annex+http://…} or {@code annex+https://…}
     * @throws IllegalArgumentException if it is not one
     */
    public static AnnexHttpUrl parse(String url) {
        if (!url.startsWith("annex+http://") && !url.startsWith("annex+https://")) {
            throw new IllegalArgumentException("not an annex+http(s) url: " + url);
        }
        URI u = URI.create(url.substring("annex+".length()));
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        if (!path.endsWith("/")) {
            path += "/";
        }
        URI base = URI.create(u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + path);
        return new AnnexHttpUrl(base, Optional.ofNullable(u.getRawUserInfo()).map(AnnexHttpUrl::decode));
    }

    /** @return the request url for an operation on a repository */
    URI resolve(Uuid repository, String rest, String query) {
        return URI.create(base + repository.value() + "/" + rest + (query.isEmpty() ? "" : "?" + query));
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xff));
            }
        }
        return b.toString();
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "annex+" + base; // without credentials
    }
}
