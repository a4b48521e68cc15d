package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: Debian's Chromium, headless, loads {@code /} of a running
 * {@code annexhost serve} while a client's upload is in flight, and the page it rendered shows the
 * repository with its urls, its remote, and the transfer with its bytes so far; a screenshot of it
 * is kept ({@code target/status-page.png}).
 */
@Timeout(300)
class StatusPageBrowserIT {
    @TempDir
    Path tmp;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    @Test
    void theBrowserShowsTheRepositoryItsRemoteAndAnUploadInFlight() throws Exception {
        AnnexWorld world = new AnnexWorld(tmp);
        Path repo = tmp.resolve("shown.git");
        world.ok(tmp, launcher, "init", repo.toString());
        Path dir = Files.createDirectories(tmp.resolve("storage"));
        world.ok(tmp, launcher, "initremote", "--repo", repo.toString(), "archive", "type=directory", "directory=" + dir,
                "encryption=none");
        String uuid = world.ok(repo, "git", "config", "annex.uuid").out().trim();
        try (ServeProcess host = world.serve(tmp, launcher, "--repo", repo.toString(), "--port", "0")) {
            URI url = URI.create(host.url());
            String base = "http://" + url.getHost() + ":" + url.getPort();
            String key = "SHA256E-s1048576--" + "ab".repeat(32) + ".bin";
            try (Socket client = new Socket(url.getHost(), url.getPort())) {
                // An upload that stops after 300 KiB of its 1 MiB: in flight until its client goes.
                OutputStream out = client.getOutputStream();
                out.write(("POST /git-annex/" + uuid + "/v4/put?key=" + key + "&clientuuid=" + java.util.UUID.randomUUID()
                        + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\nX-git-annex-data-length: 1048576\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[300 * 1024]);
                out.flush();
                awaitInFlight(base, key);

                Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
                String dom = chromium(world, profile, "--dump-dom", base + "/").out();
                assertThat(dom).contains("<title>annexhost status</title>", "<h3>shown.git</h3>", uuid,
                        "git clone " + host.url(), "annex+" + base + "/git-annex/");
                assertThat(dom).as("the remote and its state").contains("<td>archive</td><td>directory</td>", "not reached yet");
                assertThat(dom).as("the upload in flight, with its bytes so far").containsPattern(
                        "<td>shown\\.git</td><td></td><td>upload</td><td><code>" + java.util.regex.Pattern.quote(key)
                                + "</code></td><td>307200</td><td>1048576</td>");
                assertThat(dom).as("no script is needed").doesNotContain("<script");

                Path shot = tmp.resolve("status-page.png");
                chromium(world, profile, "--screenshot=" + shot, "--window-size=1280,900", base + "/");
                byte[] png = Files.readAllBytes(shot);
                assertThat(png.length).as("screenshot size").isGreaterThan(10_000);
                assertThat(new String(png, 1, 3, StandardCharsets.ISO_8859_1)).isEqualTo("PNG");
                Files.createDirectories(Path.of("target"));
                Files.copy(shot, Path.of("target", "status-page.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Waits until the host's status lists the upload with its 300 KiB. */
    private static void awaitInFlight(String base, String key) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = http.send(java.net.http.HttpRequest.newBuilder(URI.create(base + "/status.json")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains(key) && body.contains("\"bytes\":307200")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the upload never showed in /status.json: " + body);
    }

    /** Runs Debian's Chromium headless, as root needs it and with no call home, and returns what it printed. */
    private static Sh.Result chromium(AnnexWorld world, Path profile, String... args) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assertThat(chromium).as("chromium is not installed: run scripts/install-deps.sh").exists();
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Sh.Result r = world.run(profile, Duration.ofSeconds(90), java.util.Map.of(), cmd.toArray(String[]::new));
        assertThat(r.code()).as("chromium: %s", r.all()).isZero();
        return r;
    }
}
