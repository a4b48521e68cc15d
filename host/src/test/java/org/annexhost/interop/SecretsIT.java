package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.annexhost.plugins.s3.S3ProxyServer;
import org.annexhost.testing.AuditRecords;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret leaks from what an operator reads: a host serving a password user ({@code --authenv-http}),
 * a metrics token and a proxied S3 remote with its key pair is driven by the real git-annex client
 * over HTTP (logging in with the password through git's credential helper) and over ssh, its log at
 * DEBUG; then the password, the token and the S3 secret key are looked for in the host's logs (its
 * own and the repository's), the audit log, {@code /metrics}, the status page and its JSON, the
 * git-annex branch, and every process listing taken while the client worked.
 */
@Timeout(600)
class SecretsIT {
    static final String PASSWORD = "pw-Zq81-never-shown";
    static final String TOKEN = "tok-Hn42-metrics-never-shown";
    static final String HOST_PASSWORD = "hostpw-Kd93-never-shown";
    @TempDir
    static Path serverDir;
    static S3ProxyServer s3;
    @TempDir
    Path tmp;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start(serverDir);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Test
    void noPasswordTokenOrS3KeyInLogsAuditMetricsStatusBranchOrProcessListings() throws Exception {
        AnnexWorld world = new AnnexWorld(tmp);
        world.ok(tmp, "git", "config", "--global", "annex.security.allowed-ip-addresses", "all");
        Path gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
        List<String> init = new ArrayList<>(List.of(launcher, "initremote", "--repo", gateway.toString(), "cloud"));
        init.addAll(s3.remoteParams("secrets", "annex/"));
        world.ok(tmp, Duration.ofMinutes(2), S3ProxyServer.credentials(), init.toArray(String[]::new));
        String s3Secret = S3ProxyServer.credentials().get("AWS_SECRET_ACCESS_KEY");
        // A host user with a password (from standard input, never an argument) and a token.
        Map<String, String> state = Map.of("ANNEXHOST_STATE_DIR", tmp.resolve("state").toString());
        Process add = world.start(tmp, state, launcher, "user", "add", "hu");
        add.getOutputStream().write((HOST_PASSWORD + "\n").getBytes());
        add.getOutputStream().close();
        assertThat(add.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(add.exitValue()).isZero();
        String hostToken = world.ok(tmp, Duration.ofMinutes(1), state, launcher, "user", "token", "hu").out().trim();
        world.ok(tmp, Duration.ofMinutes(1), state, launcher, "grant", "hu", "full", "--repo", gateway.toString());
        Path tokenFile = tmp.resolve("metrics-token");
        Files.writeString(tokenFile, TOKEN + "\n");

        List<String> listings = new ArrayList<>();
        AtomicBoolean working = new AtomicBoolean(true);
        Thread ps = new Thread(() -> {
            while (working.get()) {
                try {
                    String out = new Sh(Map.of()).run(tmp, Duration.ofSeconds(30), "ps", "-eo", "args").all();
                    synchronized (listings) {
                        listings.add(out);
                    }
                    Thread.sleep(100);
                } catch (Exception e) {
                    return;
                }
            }
        }, "ps-sampler");
        ps.start();
        Map<String, String> debug = Map.of("ANNEXHOST_LOG", "DEBUG");
        try (ServeProcess host = world.serve(tmp, Map.of("ANNEXHOST_LOG", "DEBUG", "GIT_ANNEX_P2PHTTP_PASSWORD_alice", PASSWORD,
                        "ANNEXHOST_STATE_DIR", tmp.resolve("state").toString()),
                launcher, "--repo", gateway.toString(), "--port", "0", "--authenv-http", "--auth-http",
                "--metrics-token-file", tokenFile.toString())) {
            // Over HTTP, logged in as alice by git's credential helper, as a user would.
            URI url = URI.create(host.url());
            Path creds = tmp.resolve("home/.git-credentials");
            Files.writeString(creds, "http://alice:" + PASSWORD + "@" + url.getHost() + ":" + url.getPort() + "\n");
            world.ok(tmp, "git", "config", "--global", "credential.helper", "store --file=" + creds);
            Path laptop = tmp.resolve("laptop");
            world.ok(tmp, "git", "clone", "-q", host.url(), laptop.toString());
            world.ok(laptop, "git", "annex", "init", "laptop");
            for (int i = 0; i < 3; i++) {
                AnnexWorld.writeRandom(laptop.resolve("f" + i), 20_000 + i, i);
            }
            world.ok(laptop, "git", "annex", "add", ".");
            world.ok(laptop, "git", "commit", "-q", "-m", "files");
            world.ok(laptop, Duration.ofMinutes(3), debug, "git", "annex", "copy", "--to", "origin", ".");
            world.ok(laptop, Duration.ofMinutes(3), debug, "git", "annex", "copy", "--to", "origin-cloud", "f0", "f1");
            world.ok(laptop, Duration.ofMinutes(3), debug, "git", "annex", "drop", "--from", "origin-cloud", "f1");
            world.ok(laptop, Duration.ofMinutes(3), debug, "git", "annex", "drop", "f0", "f2");
            world.ok(laptop, Duration.ofMinutes(3), debug, "git", "annex", "get", "--from", "origin-cloud", "f0");
            // A refused login: the wrong password is not logged either.
            String uuid = world.ok(gateway, "git", "config", "annex.uuid").out().trim();
            HttpResponse<String> wrong = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    host.url().replaceAll("/[^/]*$", "") + "/git-annex/" + uuid + "/v4/remove?key=SHA256E-s1--x&clientuuid="
                            + java.util.UUID.randomUUID())).POST(HttpRequest.BodyPublishers.noBody())
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("alice:wrong-" + PASSWORD).getBytes()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            // The host user, by password, by token, and by a wrong token.
            for (String secret : List.of(HOST_PASSWORD, hostToken, hostToken + "-wrong")) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        host.url().replaceAll("/[^/]*$", "") + "/git-annex/" + uuid + "/v4/checkpresent?key=SHA256E-s1--x&clientuuid="
                                + java.util.UUID.randomUUID())).POST(HttpRequest.BodyPublishers.noBody())
                        .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("hu:" + secret).getBytes()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("hu with %s", secret.equals(HOST_PASSWORD) ? "the password" : "a token")
                        .isEqualTo(secret.endsWith("-wrong") ? 401 : 200);
            }

            // Over ssh, the shell logging at DEBUG to the repository's log.
            Path desk = tmp.resolve("desk");
            world.ok(tmp, Duration.ofMinutes(2), debug, "git", "clone", "-q", "localhost:" + gateway, desk.toString());
            world.ok(desk, "git", "config", "annex.sshcaching", "false");
            world.ok(desk, Duration.ofMinutes(2), debug, "git", "annex", "init", "desk");
            AnnexWorld.writeRandom(desk.resolve("d0"), 30_000, 7);
            world.ok(desk, "git", "annex", "add", "d0");
            world.ok(desk, "git", "commit", "-q", "-m", "d0");
            world.ok(desk, Duration.ofMinutes(2), debug, "git", "annex", "sync", "--no-content");
            world.ok(desk, Duration.ofMinutes(3), debug, "git", "annex", "copy", "--to", "origin-cloud", "d0");
            world.ok(desk, Duration.ofMinutes(3), debug, "git", "annex", "copy", "--to", "origin", "d0");

            working.set(false);
            ps.join(5000);
            HttpClient http = HttpClient.newHttpClient();
            String base = host.url().replaceAll("/[^/]*$", "");
            StringBuilder seen = new StringBuilder();
            for (String page : List.of("/metrics", "/status.json", "/status.txt", "/")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + page))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(page).isEqualTo(200);
                seen.append(r.body());
            }
            String serveLog = Files.readString(host.logFile());
            Path repoLog = gateway.resolve("annex/annexhost.log");
            String shellLog = Files.exists(repoLog) ? Files.readString(repoLog) : "";
            String audit = Files.readString(org.annexhost.activity.AuditLog.of(gateway));
            String branch = world.ok(gateway, "git", "log", "-p", "git-annex").out();
            String all;
            synchronized (listings) {
                all = String.join("\n", listings);
            }
            // What is searched holds what it should, so that finding nothing there means something.
            assertThat(serveLog).contains("user=alice", "op=put", "DEBUG");
            assertThat(seen).contains("annexhost_http_requests_seconds_count", "gateway.git", "\"remotes\":[{\"name\":\"cloud\"");
            assertThat(AuditRecords.count(AuditRecords.of(gateway), "operation", "store", "result", "done", "user", "alice"))
                    .isGreaterThanOrEqualTo(3);
            assertThat(AuditRecords.count(AuditRecords.of(gateway), "via", "ssh", "remote", "cloud", "operation", "store"))
                    .isEqualTo(1);
            assertThat(branch).contains("remote.log");
            assertThat(listings.size()).as("process listings taken").isGreaterThan(10);
            assertThat(all).contains("annexhost", "git-annex");
            String usersFile = Files.readString(tmp.resolve("state/users"));
            assertThat(usersFile).contains("$argon2id$");
            assertThat(serveLog).contains("user=hu");
            Map<String, String> places = Map.of("the host's users file", usersFile, "the serve log", serveLog, "the repository's log", shellLog, "the audit log", audit,
                    "metrics and status", seen.toString(), "the git-annex branch", branch, "process listings", all);
            for (Map.Entry<String, String> e : places.entrySet()) {
                for (String secret : List.of(PASSWORD, TOKEN, s3Secret, HOST_PASSWORD, hostToken,
                        java.util.Base64.getEncoder().encodeToString(("hu:" + hostToken).getBytes()),
                        java.util.Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes()))) {
                    assertThat(e.getValue().lines().filter(l -> l.contains(secret)).map(l -> l.length() > 400 ? l.substring(0, 400) : l))
                            .as("lines of %s holding a secret", e.getKey()).isEmpty();
                }
            }
        } finally {
            working.set(false);
        }
    }
}
