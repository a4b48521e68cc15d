package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory plugin remote configured on the host, reached by the real git-annex client through
 * the gateway as {@code origin-store}; and git-annex's own directory remote on the same folder,
 * to show the layouts are one.
 */
@Timeout(600)
class GatewayDirectoryInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    Path gateway;
    Path store;
    Path client;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        gateway = tmp.resolve("gateway.git");
        store = Files.createDirectories(tmp.resolve("store"));
        world.ok(tmp, launcher, "init", gateway.toString());
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "store", "type=directory",
                "directory=" + store, "encryption=none");
        client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "laptop");
    }

    private Map<String, String> addFiles(int n) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            String name = "photo " + i + ".jpg";
            hashes.put(name, AnnexWorld.writeRandom(client.resolve(name), 50_000L * i, i));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "photos");
        return hashes;
    }

    private String key(String file) throws Exception {
        return world.ok(client, "git", "annex", "lookupkey", file).out().trim();
    }

    @Test
    void clientUsesTheProxiedDirectoryRemote() throws Exception {
        Map<String, String> hashes = addFiles(6);
        assertThat(world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out())
                .contains("store\t").contains("\tdirectory\tproxied");
        assertThat(world.ok(client, "git", "annex", "info").out()).contains("origin-store");

        world.ok(client, "git", "annex", "copy", "-J4", "--to", "origin-store", ".");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-store").out()))
                .containsExactlyInAnyOrderElementsOf(hashes.keySet());
        assertThat(world.ok(client, "git", "annex", "whereis", "photo 1.jpg").out()).contains("origin-store");
        world.ok(client, "git", "annex", "fsck", "--from", "origin-store");

        world.ok(client, "git", "annex", "drop", "-J4", ".");
        world.ok(client, "git", "annex", "get", "-J4", "--from", "origin-store", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        world.ok(client, "git", "annex", "drop", "--from", "origin-store", "photo 1.jpg");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-store").out()))
                .doesNotContain("photo 1.jpg").hasSize(5);
    }

    @Test
    void gitAnnexsOwnDirectoryRemoteReadsWhatAnnexhostStoredAndTheReverse() throws Exception {
        addFiles(2);
        world.ok(client, "git", "annex", "initremote", "own", "type=directory", "directory=" + store, "encryption=none");
        world.ok(client, "git", "annex", "copy", "--to", "origin-store", "photo 1.jpg");
        world.ok(client, "git", "annex", "copy", "--to", "own", "photo 2.jpg");
        // git-annex's directory remote finds what annexhost wrote, and annexhost what git-annex wrote.
        world.ok(client, "git", "annex", "checkpresentkey", key("photo 1.jpg"), "own");
        world.ok(client, "git", "annex", "checkpresentkey", key("photo 2.jpg"), "origin-store");
        world.ok(client, "git", "annex", "drop", "--force", "photo 1.jpg", "photo 2.jpg");
        world.ok(client, "git", "annex", "get", "--from", "own", "photo 1.jpg");
        world.ok(client, "git", "annex", "get", "--from", "origin-store", "photo 2.jpg");
        world.ok(client, "git", "annex", "fsck", "photo 1.jpg", "photo 2.jpg");
    }

    @Test
    void unpublishedAndUnknownRemotesAreRefused() throws Exception {
        addFiles(1);
        world.ok(tmp, launcher, "unproxy", "--repo", gateway.toString(), "store");
        AnnexWorld.Result r = world.run(client, java.time.Duration.ofMinutes(2), Map.of(),
                "git", "annex", "copy", "--to", "origin-store", "photo 1.jpg");
        assertThat(r.code()).isNotZero();
        assertThat(r.all()).contains("expected repository UUID");
        assertThat(Files.list(store).filter(p -> !p.getFileName().toString().equals("tmp")).toList()).isEmpty();
        AnnexWorld.Result bad = world.run(tmp, java.time.Duration.ofMinutes(1), Map.of(), launcher, "initremote",
                "--repo", gateway.toString(), "x", "type=nosuchtype");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("unknown remote type nosuchtype").contains("directory").contains("external");
        AnnexWorld.Result missing = world.run(tmp, java.time.Duration.ofMinutes(1), Map.of(), launcher, "initremote",
                "--repo", gateway.toString(), "y", "type=directory");
        assertThat(missing.err()).contains("needs directory=");
        assertThat(List.of(missing.code())).doesNotContain(0);
    }
}
