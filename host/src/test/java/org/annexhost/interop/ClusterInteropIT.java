package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster of three nodes of different kinds on the gateway: a directory plugin remote, an rclone
 * external remote and a git-annex repository reached over ssh (through the drop-in), used by the
 * real git-annex client as {@code origin-pool}: PUT fans out to the nodes its wanted expressions
 * choose, GET works with each node in turn stopped, drop removes from every node, and the
 * client's numcopies holds for move.
 */
@Timeout(600)
class ClusterInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    Path gateway;
    Path client;
    Map<String, Path> stores = new LinkedHashMap<>();
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
        // Nodes of different kinds: a directory plugin remote, an rclone external remote and a
        // git-annex repository made by git annex init, reached over ssh.
        for (String n : List.of("n1", "n2", "n3")) {
            if (n.equals("n3")) {
                Path repo = tmp.resolve("n3.git");
                world.ok(tmp, "git", "init", "-q", "--bare", repo.toString());
                world.ok(repo, "git", "annex", "init", "node three");
                stores.put(n, repo.resolve("annex/objects"));
                world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), n, "type=git", "url=localhost:" + repo);
                continue;
            }
            Path store = Files.createDirectories(tmp.resolve("store-" + n));
            stores.put(n, store);
            if (n.equals("n2")) {
                world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), n, "type=external",
                        "externaltype=rclone", "annexhost-program=" + AnnexWorld.patchedRclone(tmp), "target=annexhosttest",
                        "prefix=" + store, "rclone_layout=lower", "encryption=none");
            } else {
                world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), n, "type=directory",
                        "directory=" + store, "encryption=none");
            }
        }
        String made = world.ok(tmp, launcher, "initcluster", "--repo", gateway.toString(), "pool", "n1", "n2", "n3").out();
        assertThat(made).contains("initcluster pool ok (uuid ac");
        client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "laptop");
    }

    private String key(String file) throws Exception {
        return world.ok(client, "git", "annex", "lookupkey", file).out().trim();
    }

    private boolean storedIn(String node, String file) throws Exception {
        String k = key(file);
        if (!Files.exists(stores.get(node))) {
            return false;
        }
        try (Stream<Path> found = Files.walk(stores.get(node))) {
            return found.anyMatch(p -> p.getFileName().toString().equals(k) && Files.isRegularFile(p));
        }
    }

    private Map<String, String> addFiles(String... names) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        int i = 0;
        for (String name : names) {
            hashes.put(name, AnnexWorld.writeRandom(client.resolve(name), 40_000L + 1000L * i, 7 + i));
            i++;
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "files");
        return hashes;
    }

    @Test
    void copyFansOutByWantedAndGetDropMoveWork() throws Exception {
        String info = world.ok(client, "git", "annex", "info").out();
        assertThat(info).contains("origin-pool").contains("origin-n1").contains("origin-n2").contains("origin-n3");
        // n3 wants only jpgs; the others want everything. The client's settings reach the gateway by sync.
        Map<String, String> hashes = addFiles("a.jpg", "b.txt", "c.txt");
        world.ok(client, "git", "annex", "wanted", "origin-n3", "include=*.jpg");
        world.ok(client, "git", "annex", "sync", "--no-content", "-q");

        world.ok(client, "git", "annex", "copy", "-J3", "--to", "origin-pool", ".");
        for (String f : hashes.keySet()) {
            assertThat(storedIn("n1", f)).as(f + " on n1").isTrue();
            assertThat(storedIn("n2", f)).as(f + " on n2").isTrue();
            assertThat(storedIn("n3", f)).as(f + " on n3").isEqualTo(f.endsWith(".jpg"));
        }
        String whereis = world.ok(client, "git", "annex", "whereis", "b.txt").out();
        assertThat(whereis).contains("origin-pool").contains("origin-n1").contains("origin-n2").doesNotContain("origin-n3");

        assertThat(world.ok(client, "git", "annex", "whereis", "a.jpg").out()).contains("origin-n3");
        // The repository node holds the content as git-annex itself does, and vouches for it.
        world.ok(tmp.resolve("n3.git"), "git", "annex", "fsck", "--all", "-q");

        // GET works with any one node stopped: each in turn is made unreachable (the directory
        // and the rclone prefix moved away, the git-annex repository moved away).
        Map<String, Path> stopped = Map.of("n1", stores.get("n1"), "n2", stores.get("n2"), "n3", tmp.resolve("n3.git"));
        for (String n : List.of("n1", "n2", "n3")) {
            world.ok(client, "git", "annex", "drop", "--force", ".");
            Path away = tmp.resolve(n + "-away");
            Files.move(stopped.get(n), away);
            // The stopped node is made the cheapest, so the gateway tries it first and must fall back.
            world.ok(gateway, "git", "config", "remote." + n + ".annex-cost", "50");
            long start = System.nanoTime();
            world.ok(client, Duration.ofMinutes(2), Map.of(), "git", "annex", "get", "--from", "origin-pool", ".");
            System.out.printf("cluster GET of 3 files with %s stopped: %d ms%n", n, (System.nanoTime() - start) / 1_000_000);
            for (Map.Entry<String, String> e : hashes.entrySet()) {
                assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).as(e.getKey() + " with " + n + " stopped")
                        .isEqualTo(e.getValue());
            }
            Files.move(away, stopped.get(n));
            world.ok(gateway, "git", "config", "--unset", "remote." + n + ".annex-cost");
        }

        // drop --from the cluster removes from every node.
        world.ok(client, "git", "annex", "drop", "--from", "origin-pool", "b.txt");
        for (String n : stores.keySet()) {
            assertThat(storedIn(n, "b.txt")).as("b.txt on " + n + " after drop").isFalse();
        }
        assertThat(world.ok(client, "git", "annex", "whereis", "b.txt").out()).doesNotContain("origin-n1");

        // move --from respects numcopies: with numcopies 3 and the only other copy here, the client refuses.
        world.ok(client, "git", "annex", "numcopies", "3");
        Sh.Result refused = world.run(client, Duration.ofMinutes(2), Map.of(),
                "git", "annex", "drop", "c.txt");
        assertThat(refused.code()).as(refused.all()).isNotZero();
        world.ok(client, "git", "annex", "numcopies", "1");
        world.ok(client, "git", "annex", "move", "--from", "origin-pool", "c.txt");
        for (String n : stores.keySet()) {
            assertThat(storedIn(n, "c.txt")).as("c.txt on " + n + " after move").isFalse();
        }
        assertThat(AnnexWorld.sha256(client.resolve("c.txt"))).isEqualTo(hashes.get("c.txt"));
    }
}
