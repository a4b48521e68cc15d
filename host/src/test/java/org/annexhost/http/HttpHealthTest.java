package org.annexhost.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.annexhost.peer.PeerRegistry;
import org.annexhost.repo.HostRepository;
import org.annexhost.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /healthz} and {@code /readyz} of a real server over real repositories: ready turns to
 * 503 naming the repository when one goes away, and back when it returns; neither needs a login.
 */
@Timeout(60)
class HttpHealthTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;
    P2pHttpServer server;
    final Map<String, HttpRepository> served = new ConcurrentHashMap<>();

    void start() throws Exception {
        for (String name : new String[] {"photos.git", "papers.git"}) {
            HostRepository r = HostRepository.init(tmp.resolve(name), Optional.of(name));
            served.put(name, new HttpRepository(name, r.gitDir(), r.uuid(), HttpAccess.open(false), () -> { }));
        }
        // Logins required for everything else: health answers anyway.
        server = new P2pHttpServer(new HttpOptions("127.0.0.1", 0, 2, 5, HttpAccess.open(false), Optional.empty()),
                new PeerRegistry(), served, Duration.ofMinutes(1));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    RawHttp.Reply get(String path) throws Exception {
        return RawHttp.send(server.port(), "GET", path, Map.of(), null);
    }

    @Test
    void aliveAndReadyAnswerInTheHealthCheckFormat() throws Exception {
        start();
        RawHttp.Reply alive = get("/healthz");
        assertThat(alive.status()).isEqualTo(200);
        assertThat(alive.headers().get("content-type")).isEqualTo("application/health+json");
        assertThat(JSON.readTree(alive.body()).path("status").asText()).isEqualTo("pass");

        RawHttp.Reply ready = get("/readyz");
        assertThat(ready.status()).as(ready.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("pass");
        for (String check : new String[] {"photos.git:readable", "photos.git:writable", "papers.git:readable", "papers.git:writable"}) {
            assertThat(body.path("checks").path(check).path(0).path("status").asText()).as(check).isEqualTo("pass");
        }
        // The writability probe leaves nothing behind.
        try (var left = Files.list(tmp.resolve("photos.git").resolve("annex"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".readyz"));
        }
        assertThat(RawHttp.send(server.port(), "POST", "/readyz", Map.of("Content-Length", "0"), new byte[0]).status())
                .isEqualTo(405);
    }

    @Test
    void readyTurns503WhileARepositoryIsGoneAndBackWhenItReturns() throws Exception {
        start();
        Path photos = tmp.resolve("photos.git");
        Path away = tmp.resolve("photos-moved-away");
        Files.move(photos, away);
        RawHttp.Reply ready = get("/readyz");
        assertThat(ready.status()).as(ready.body()).isEqualTo(503);
        JsonNode body = JSON.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("fail");
        JsonNode readable = body.path("checks").path("photos.git:readable").path(0);
        assertThat(readable.path("status").asText()).isEqualTo("fail");
        assertThat(readable.path("output").asText()).contains("gone");
        assertThat(body.path("checks").path("papers.git:readable").path(0).path("status").asText()).isEqualTo("pass");
        assertThat(ready.body()).as("no server path in an answer anyone may read").doesNotContain(tmp.toString());
        assertThat(get("/healthz").status()).as("still alive").isEqualTo(200);

        Files.move(away, photos);
        // Readable but not writable where the host writes (a file where its annex directory was):
        // as root, permissions would not show it.
        Path annex = tmp.resolve("papers.git").resolve("annex");
        Path annexAway = tmp.resolve("papers-annex");
        Files.move(annex, annexAway);
        Files.writeString(annex, "in the way");
        ready = get("/readyz");
        assertThat(ready.status()).as(ready.body()).isEqualTo(503);
        body = JSON.readTree(ready.body());
        assertThat(body.path("checks").path("papers.git:readable").path(0).path("status").asText()).isEqualTo("pass");
        assertThat(body.path("checks").path("papers.git:writable").path(0).path("status").asText()).isEqualTo("fail");
        assertThat(body.path("checks").path("papers.git:writable").path(0).path("output").asText()).startsWith("cannot write");
        Files.delete(annex);
        Files.move(annexAway, annex);

        RawHttp.Reply back = get("/readyz");
        assertThat(back.status()).as(back.body()).isEqualTo(200);
        assertThat(JSON.readTree(back.body()).path("status").asText()).isEqualTo("pass");
    }
}
