package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annexhost.testing.Sh;
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
        // The gateway's own location log records what went to the remote behind it.
        String storeUuid = world.ok(gateway, "git", "config", "remote.store.annex-uuid").out().trim();
        assertThat(world.keysLoggedPresent(gateway, storeUuid)).containsExactlyInAnyOrderElementsOf(
                hashes.keySet().stream().map(f -> { try { return key(f); } catch (Exception e) { throw new AssertionError(e); } }).toList());

        world.ok(client, "git", "annex", "drop", "-J4", ".");
        world.ok(client, "git", "annex", "get", "-J4", "--from", "origin-store", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        world.ok(client, "git", "annex", "drop", "--from", "origin-store", "photo 1.jpg");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-store").out()))
                .doesNotContain("photo 1.jpg").hasSize(5);
        assertThat(world.keysLoggedPresent(gateway, storeUuid)).hasSize(5).doesNotContain(key("photo 1.jpg"));
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
    void chunkedLayoutIsGitAnnexsInBothDirections() throws Exception {
        Path chunks = Files.createDirectories(tmp.resolve("chunks"));
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "cstore", "type=directory",
                "directory=" + chunks, "encryption=none", "chunk=1MiB");
        world.ok(client, "git", "fetch", "-q", "origin"); // git-annex merges origin/git-annex by itself
        world.ok(client, "git", "annex", "initremote", "ownc", "type=directory", "directory=" + chunks,
                "encryption=none", "chunk=1MiB");
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String name : List.of("big 1.bin", "big 2.bin")) {
            hashes.put(name, AnnexWorld.writeRandom(client.resolve(name), (5L << 19) + 17, name.length() + hashes.size()));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "big");
        world.ok(client, "git", "annex", "copy", "--to", "origin-cstore", "big 1.bin");
        world.ok(client, "git", "annex", "copy", "--to", "ownc", "big 2.bin");

        // Both wrote three 1 MiB chunk keys per file (2.5 MiB + 17 bytes), in the same places.
        for (String name : hashes.keySet()) {
            String k = key(name);
            for (int n = 1; n <= 3; n++) {
                String chunk = k.replace("--", "-S1048576-C" + n + "--");
                try (var found = Files.walk(chunks)) {
                    assertThat(found.filter(p -> p.getFileName().toString().equals(chunk)).count())
                            .as(name + " chunk " + n).isEqualTo(2); // DIR/HASH/KEY/KEY
                }
            }
        }
        // Each reads what the other stored.
        world.ok(client, "git", "annex", "checkpresentkey", key("big 1.bin"), "ownc");
        world.ok(client, "git", "annex", "checkpresentkey", key("big 2.bin"), "origin-cstore");
        // fsck --from records what it finds, so the client knows where to get from.
        world.ok(client, "git", "annex", "fsck", "--fast", "--from", "ownc", "big 1.bin");
        world.ok(client, "git", "annex", "fsck", "--fast", "--from", "origin-cstore", "big 2.bin");
        world.ok(client, "git", "annex", "drop", "--force", "big 1.bin", "big 2.bin");
        world.ok(client, "git", "annex", "get", "--from", "ownc", "big 1.bin");
        world.ok(client, "git", "annex", "get", "--from", "origin-cstore", "big 2.bin");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        world.ok(client, "git", "annex", "fsck", "--from", "origin-cstore", "big 1.bin", "big 2.bin");
        // The gateway logged its chunks where git-annex keeps chunk logs.
        String branchFiles = world.ok(gateway, "git", "ls-tree", "-r", "--name-only", "git-annex").out();
        assertThat(branchFiles).contains(key("big 1.bin") + ".log.cnk");

        world.ok(client, "git", "annex", "drop", "--from", "origin-cstore", "big 1.bin", "big 2.bin");
        try (var left = Files.walk(chunks)) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("chunks left after drop").isEmpty();
        }
    }

    @Test
    void unpublishedAndUnknownRemotesAreRefused() throws Exception {
        addFiles(1);
        world.ok(tmp, launcher, "unproxy", "--repo", gateway.toString(), "store");
        Sh.Result r = world.run(client, java.time.Duration.ofMinutes(2), Map.of(),
                "git", "annex", "copy", "--to", "origin-store", "photo 1.jpg");
        assertThat(r.code()).isNotZero();
        assertThat(r.all()).contains("expected repository UUID");
        assertThat(Files.list(store).filter(p -> !p.getFileName().toString().equals("tmp")).toList()).isEmpty();
        Sh.Result bad = world.run(tmp, java.time.Duration.ofMinutes(1), Map.of(), launcher, "initremote",
                "--repo", gateway.toString(), "x", "type=nosuchtype");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("unknown remote type nosuchtype").contains("directory").contains("external");
        Sh.Result missing = world.run(tmp, java.time.Duration.ofMinutes(1), Map.of(), launcher, "initremote",
                "--repo", gateway.toString(), "y", "type=directory");
        assertThat(missing.err()).contains("needs directory=");
        assertThat(List.of(missing.code())).doesNotContain(0);
    }
}
