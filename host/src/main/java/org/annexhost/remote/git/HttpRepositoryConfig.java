package org.annexhost.remote.git;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.annexhost.api.Uuid;

/**
 * What a git-annex repository served over http says of itself in its {@code config}: its
 * {@code annex.uuid} and the {@code annex.url} of its annex API, which is how a git-annex client
 * that clones an http url finds where to send content.
 *
 * @param uuid the repository's uuid
 * @param annexUrl its annex API
 */
public record HttpRepositoryConfig(Uuid uuid, String annexUrl) {
    /**
     * Reads {@code URL/config}.
     *
     * @throws IOException if it cannot be read or names no uuid or annex url
     */
    public static HttpRepositoryConfig fetch(String url) throws IOException {
        String base = url.endsWith("/") ? url : url + "/";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(base + "config")).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading " + base + "config", e);
        }
        if (r.statusCode() != 200) {
            throw new IOException(base + "config answered " + r.statusCode() + ": not a git repository served over http");
        }
        Optional<String> uuid = annexSetting(r.body(), "uuid");
        Optional<String> annexUrl = annexSetting(r.body(), "url");
        if (uuid.isEmpty()) {
            throw new IOException(url + " is not a git-annex repository (its config has no annex.uuid)");
        }
        if (annexUrl.isEmpty() || !annexUrl.get().startsWith("annex+http")) {
            throw new IOException(url + " serves no annex API (its config has no annex.url); give its annex+http url and uuid=");
        }
        return new HttpRepositoryConfig(new Uuid(uuid.get()), annexUrl.get());
    }

    /** A setting of the {@code [annex]} section of a git config file. */
    static Optional<String> annexSetting(String config, String name) {
        boolean inAnnex = false;
        for (String raw : config.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                inAnnex = line.replace(" ", "").equalsIgnoreCase("[annex]");
                continue;
            }
            int eq = line.indexOf('=');
            if (inAnnex && eq > 0 && line.substring(0, eq).strip().equalsIgnoreCase(name)) {
                return Optional.of(line.substring(eq + 1).strip()).filter(v -> !v.isEmpty());
            }
        }
        return Optional.empty();
    }
}
