package org.annexhost.remote.git;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;

/**
 * A git-annex repository served over HTTP ({@code git annex p2phttp}, or another annexhost),
 * reached through its annex API, version 4 ({@code doc/design/p2p_protocol_over_http.mdwn}).
 * A PUT streams the content as the request body with its declared length, so content the host
 * stops sending (short, or found invalid) arrives short and the far end stores nothing.
 * Thread-safe: every call is its own request on a shared client.
 */
public final class P2pHttpBackend implements StorageBackend {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);

    private final AnnexHttpUrl url;
    private final Uuid uuid;
    private final Uuid self;
    private final HttpClient http;

    /**
     * @param url the server's annex API
     * @param uuid the repository there to talk to
     * @param self this repository's uuid, sent as the client's
     */
    public P2pHttpBackend(AnnexHttpUrl url, Uuid uuid, Uuid self) {
        this.url = url;
        this.uuid = uuid;
        this.self = self;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.RETRIEVES_IN_ORDER);
    }

    @Override
    public void store(Key key, Content content, long offset) throws IOException {
        HttpRequest.Builder b = request("put", "key=" + AnnexHttpUrl.encode(key.toString())
                + (offset > 0 ? "&offset=" + offset : ""))
                .header("Content-Type", "application/octet-stream")
                .header("X-git-annex-data-length", Long.toString(content.length()));
        HttpRequest req = b.POST(HttpRequest.BodyPublishers.ofInputStream(content::counted)).build();
        JsonNode reply = json(send(req, HttpResponse.BodyHandlers.ofInputStream()), "put");
        if (!reply.path("stored").asBoolean(false)) {
            throw new IOException(describe() + " did not store " + key + error(reply));
        }
    }

    @Override
    public Content retrieve(Key key, long offset) throws IOException {
        String query = "clientuuid=" + self + (offset > 0 ? "&offset=" + offset : "");
        HttpRequest req = authorized(HttpRequest.newBuilder(url.resolve(uuid, "v4/key/" + AnnexHttpUrl.encode(key.toString()), query)))
                .GET().build();
        HttpResponse<InputStream> r = send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 404) {
            r.body().close();
            throw new ContentNotFoundException(key);
        }
        if (r.statusCode() != 200) {
            String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new IOException(describe() + " answered " + r.statusCode() + " to a download of " + key + ": " + body.strip());
        }
        Optional<String> length = r.headers().firstValue("X-git-annex-data-length");
        if (length.isEmpty()) {
            r.body().close();
            throw new IOException(describe() + " sent " + key + " without X-git-annex-data-length");
        }
        // The receiving side counts: a body shorter or longer than declared is invalid content.
        return new Content(Long.parseLong(length.get().trim()), r.body());
    }

    @Override
    public Presence checkPresent(Key key) {
        try {
            JsonNode reply = json(send(request("checkpresent", "key=" + AnnexHttpUrl.encode(key.toString()))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream()), "checkpresent");
            JsonNode present = reply.get("present");
            if (present == null || !present.isBoolean()) {
                return Presence.unknown(describe() + " could not tell" + error(reply));
            }
            return Presence.of(present.asBoolean());
        } catch (IOException | UncheckedIOException e) {
            return Presence.unknown(describe() + " not reachable: " + e.getMessage());
        }
    }

    @Override
    public void remove(Key key) throws IOException {
        JsonNode reply = json(send(request("remove", "key=" + AnnexHttpUrl.encode(key.toString()))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream()), "remove");
        if (!reply.path("removed").asBoolean(false)) {
            throw new IOException(describe() + " did not remove " + key + error(reply));
        }
    }

    /**
     * Asks the server for the repository's clock, which only a served repository answers.
     *
     * @throws IOException naming what the server said, if it does not serve the repository
     */
    public void probe() throws IOException {
        JsonNode reply = json(send(request("gettimestamp", "").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofInputStream()), "gettimestamp");
        if (!reply.has("timestamp")) {
            throw new IOException(describe() + " does not answer gettimestamp" + error(reply));
        }
    }

    private HttpRequest.Builder request(String operation, String query) {
        return authorized(HttpRequest.newBuilder(url.resolve(uuid, "v4/" + operation, (query.isEmpty() ? "" : query + "&") + "clientuuid=" + self)))
                .timeout(CALL_TIMEOUT);
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        url.userInfo().ifPresent(u -> b.header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(u.getBytes(StandardCharsets.UTF_8))));
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(req, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted talking to " + describe(), e);
        }
    }

    private JsonNode json(HttpResponse<InputStream> r, String operation) throws IOException {
        byte[] body;
        try (InputStream in = r.body()) {
            body = in.readNBytes(1 << 20);
        }
        if (r.statusCode() != 200) {
            throw new IOException(describe() + " answered " + r.statusCode() + " to " + operation + ": "
                    + new String(body, StandardCharsets.UTF_8).strip());
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException(describe() + " answered " + operation + " with something not JSON", e);
        }
    }

    private static String error(JsonNode reply) {
        JsonNode e = reply.get("error");
        return e == null ? "" : ": " + e.asText();
    }

    private String describe() {
        return "repository " + uuid + " at " + url;
    }
}
