package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution the build makes ({@code target/annexhost-VERSION.tar.gz}), unpacked in a
 * directory of its own, away from the checkout: its {@code bin/annexhost} runs the jar it ships
 * (no Maven, no sources), loads the plugins it ships, and serves a clone and a
 * {@code git annex copy} to the real git-annex client.
 */
@Timeout(300)
class DistributionIT {
    @TempDir
    Path tmp;

    @Test
    void theUnpackedArchiveServesACloneAndACopy() throws Exception {
        Path archive;
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            List<Path> found = s.filter(p -> p.getFileName().toString().matches("annexhost-.*\\.tar\\.gz")).toList();
            assertThat(found).as("the distribution archive in target/ (mvn package makes it)").hasSize(1);
            archive = found.get(0).toAbsolutePath();
        }
        AnnexWorld world = new AnnexWorld(tmp.resolve("world"));
        Path install = Files.createDirectories(tmp.resolve("opt"));
        // Its own PATH: no Maven, so a launcher that tried to build would fail.
        Sh plain = new Sh(Map.of("PATH", "/usr/bin:/bin", "HOME", tmp.toString(),
                "GIT_AUTHOR_NAME", "dist", "GIT_AUTHOR_EMAIL", "dist@localhost",
                "GIT_COMMITTER_NAME", "dist", "GIT_COMMITTER_EMAIL", "dist@localhost"));
        Sh.Result untar = plain.run(install, Duration.ofMinutes(1), "tar", "xzf", archive.toString());
        assertThat(untar.code()).as(untar.describe()).isZero();
        Path home;
        try (Stream<Path> s = Files.list(install)) {
            home = s.findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).startsWith("annexhost-");
        for (String part : new String[] {"bin/annexhost", "lib/annexhost.jar", "plugins/directory", "plugins/s3",
                "examples/annexhost.service", "examples/authorized_keys", "README.md"}) {
            assertThat(home.resolve(part)).as(part).exists();
        }
        String launcher = home.resolve("bin/annexhost").toString();

        Sh.Result version = plain.run(install, Duration.ofMinutes(1), launcher, "--version");
        assertThat(version.out()).as(version.describe()).matches("(?s)annexhost \\S+ \\(commit [0-9a-f]{12}(-dirty)?, Java \\d+\\)\\s*");
        Path repo = tmp.resolve("photos.git");
        assertThat(plain.run(tmp, Duration.ofMinutes(1), launcher, "init", repo.toString()).code()).isZero();
        // A shipped plugin: the directory special remote.
        Path store = Files.createDirectories(tmp.resolve("store"));
        Sh.Result initremote = plain.run(tmp, Duration.ofMinutes(1), launcher, "initremote", "--repo", repo.toString(),
                "disk", "type=directory", "directory=" + store, "encryption=none");
        assertThat(initremote.code()).as(initremote.describe()).isZero();

        try (ServeProcess server = ServeProcess.start(plain, tmp, launcher, "--repo", repo.toString(), "--port", "0")) {
            assertThat(server.process().info().arguments().map(List::of).orElse(List.of()))
                    .as("the JVM runs the shipped jar").contains(home.resolve("lib/annexhost.jar").toString());
            Path client = tmp.resolve("client");
            world.ok(tmp, "git", "clone", "-q", server.url(), client.toString());
            world.ok(client, "git", "config", "annex.security.allowed-ip-addresses", "all");
            world.ok(client, "git", "annex", "init", "laptop");
            String sha = AnnexWorld.writeRandom(client.resolve("photo.jpg"), 300_000, 3);
            world.ok(client, "git", "annex", "add", "photo.jpg");
            world.ok(client, "git", "commit", "-q", "-m", "photo");
            world.ok(client, "git", "annex", "copy", "--to", "origin", "photo.jpg");
            world.ok(client, "git", "annex", "drop", "photo.jpg");
            world.ok(client, "git", "annex", "get", "photo.jpg");
            assertThat(AnnexWorld.sha256(client.resolve("photo.jpg"))).isEqualTo(sha);
            // Through the gateway to the shipped plugin's remote, too.
            world.ok(client, "git", "annex", "copy", "--to", "origin-disk", "photo.jpg");
            assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-disk").out()))
                    .containsExactly("photo.jpg");
        }
    }
}
