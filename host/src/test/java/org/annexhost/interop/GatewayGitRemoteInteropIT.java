package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other git-annex repositories behind the gateway, reached as git-annex reaches them: one by
 * path (served by git-annex's own git-annex-shell), one over ssh (served by annexhost's drop-in,
 * the stand-in routes git-annex-shell there). The real git-annex client uses both through the
 * gateway as {@code origin-NAME}.
 */
@Timeout(600)
class GatewayGitRemoteInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    Path gateway;
    Path client;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
        for (String r : List.of("plain", "other")) {
            Path repo = tmp.resolve(r + ".git");
            world.ok(tmp, "git", "init", "-q", "--bare", repo.toString());
            world.ok(repo, "git", "annex", "init", r + " repository");
        }
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "plain", "type=git", "url=" + tmp.resolve("plain.git"));
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "other", "type=git", "url=localhost:" + tmp.resolve("other.git"));
        client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "laptop");
    }

    @Test
    void clientUsesRepositoriesBehindTheGateway() throws Exception {
        assertThat(world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out())
                .contains("plain\t").contains("other\t").contains("\tgit\tproxied");
        assertThat(world.ok(client, "git", "annex", "info").out()).contains("origin-plain").contains("origin-other");
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 1; i <= 3; i++) {
            hashes.put("f" + i + ".bin", AnnexWorld.writeRandom(client.resolve("f" + i + ".bin"), 100_000L * i, 40 + i));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "files");
        for (String remote : List.of("origin-plain", "origin-other")) {
            world.ok(client, "git", "annex", "copy", "-J2", "--to", remote, ".");
            assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", remote).out()))
                    .containsExactlyInAnyOrderElementsOf(hashes.keySet());
            world.ok(client, "git", "annex", "fsck", "--from", remote);
        }
        // The repositories hold the content themselves, where git-annex keeps it.
        try (java.util.stream.Stream<Path> objects = java.nio.file.Files.walk(tmp.resolve("plain.git/annex/objects"))) {
            assertThat(objects.filter(java.nio.file.Files::isRegularFile).count()).isEqualTo(3);
        }
        world.ok(tmp.resolve("plain.git"), "git", "annex", "fsck", "--all");
        // The gateway's own location log knows where the content went, as a git-annex gateway's does.
        String plainUuid = world.ok(tmp.resolve("plain.git"), "git", "config", "annex.uuid").out().trim();
        String otherUuid = world.ok(tmp.resolve("other.git"), "git", "config", "annex.uuid").out().trim();
        assertThat(world.keysLoggedPresent(gateway, plainUuid)).hasSize(3);
        assertThat(world.keysLoggedPresent(gateway, otherUuid)).hasSize(3);
        world.ok(client, "git", "annex", "drop", "--force", ".");
        world.ok(client, "git", "annex", "get", "--from", "origin-other", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        assertThat(world.ok(client, "git", "annex", "whereis", "f1.bin").out()).contains("origin-plain").contains("origin-other");
        world.ok(client, "git", "annex", "drop", "--from", "origin-plain", "f1.bin");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-plain").out()))
                .doesNotContain("f1.bin").hasSize(2);
        assertThat(world.keysLoggedPresent(gateway, plainUuid)).hasSize(2);
    }
}
