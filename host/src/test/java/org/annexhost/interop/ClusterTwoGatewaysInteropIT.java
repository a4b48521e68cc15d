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
 * One cluster served by two annexhost gateways, as git-annex's {@code extendcluster} makes one:
 * gateway A has directory nodes n1 and n2, gateway B (made from A's cluster with extendcluster)
 * has directory node n3; each has the other as a git remote over ssh with
 * {@code annex-cluster-gateway} set. The real git-annex client's PUT to A's cluster lands on the
 * nodes of both gateways, REMOVE removes from both, and neither gateway fans out again for the
 * other: A addresses n3 by its own uuid, so B serves n3 alone, and the reverse.
 */
@Timeout(600)
class ClusterTwoGatewaysInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    Path gatewayA;
    Path gatewayB;
    final Map<String, Path> stores = new LinkedHashMap<>();
    final Map<String, String> uuids = new LinkedHashMap<>();
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        gatewayA = tmp.resolve("a.git");
        gatewayB = tmp.resolve("b.git");
        world.ok(tmp, launcher, "init", gatewayA.toString(), "--description", "gateway A");
        directoryNode(gatewayA, "n1");
        directoryNode(gatewayA, "n2");
        world.ok(tmp, launcher, "initcluster", "--repo", gatewayA.toString(), "pool", "n1", "n2");

        world.ok(tmp, launcher, "init", gatewayB.toString(), "--description", "gateway B");
        directoryNode(gatewayB, "n3");
        world.ok(tmp, launcher, "initremote", "--repo", gatewayB.toString(), "a", "type=git", "url=localhost:" + gatewayA);
        String extended = world.ok(tmp, launcher, "extendcluster", "--repo", gatewayB.toString(), "pool", "a").out();
        world.ok(tmp, launcher, "updatecluster", "--repo", gatewayB.toString(), "pool", "--add", "n3");

        // A learns of B after B serves the cluster, and B proxying A back is the cycle A drops.
        Sh.Result b = world.ok(tmp, launcher, "initremote", "--repo", gatewayA.toString(), "b", "type=git",
                "url=localhost:" + gatewayB);
        assertThat(b.err()).contains("proxies this repository back");
        String extendedA = world.ok(tmp, launcher, "extendcluster", "--repo", gatewayA.toString(), "pool", "b").out();
        String clusterUuid = world.ok(gatewayA, "git", "config", "annex.cluster.pool").out().trim();
        assertThat(world.ok(gatewayB, "git", "config", "annex.cluster.pool").out().trim())
                .as("B serves A's cluster, by its uuid").isEqualTo(clusterUuid);
        assertThat(extended).contains("extendcluster pool ok (uuid " + clusterUuid);
        assertThat(extendedA).contains("extendcluster pool ok (uuid " + clusterUuid);
        uuids.put("pool", clusterUuid);
    }

    private void directoryNode(Path gateway, String name) throws Exception {
        Path store = Files.createDirectories(tmp.resolve("store-" + name));
        stores.put(name, store);
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), name, "type=directory",
                "directory=" + store, "encryption=none");
        uuids.put(name, world.ok(gateway, "git", "config", "remote." + name + ".annex-uuid").out().trim());
    }

    private Path client(String name, Path gateway) throws Exception {
        Path client = tmp.resolve(name);
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", name);
        return client;
    }

    private Map<String, String> addFiles(Path client, String prefix, int n) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            String file = prefix + i + ".bin";
            hashes.put(file, AnnexWorld.writeRandom(client.resolve(file), 60_000L * i, 900 + i + prefix.hashCode()));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", prefix);
        return hashes;
    }

    private boolean storedIn(Path client, String node, String file) throws Exception {
        String k = world.ok(client, "git", "annex", "lookupkey", file).out().trim();
        if (!Files.exists(stores.get(node))) {
            return false;
        }
        try (Stream<Path> found = Files.walk(stores.get(node))) {
            return found.anyMatch(p -> p.getFileName().toString().equals(k) && Files.isRegularFile(p));
        }
    }

    /** @return the ssh commands run since the log had this many lines */
    private List<String> sshSince(int lines) {
        List<String> all = AnnexWorld.lines(world.sshLogText());
        return all.subList(Math.min(lines, all.size()), all.size());
    }

    @Test
    void putAndRemoveReachTheNodesOfBothGatewaysWithoutLoops() throws Exception {
        // Each gateway lists the other's node as its own cluster's, in its cluster log.
        assertThat(world.ok(gatewayA, "git", "show", "git-annex:cluster.log").out())
                .contains(uuids.get("n1")).contains(uuids.get("n2")).contains(uuids.get("n3"));
        assertThat(world.ok(gatewayB, "git", "show", "git-annex:cluster.log").out())
                .contains(uuids.get("n1")).contains(uuids.get("n2")).contains(uuids.get("n3"));
        assertThat(world.ok(tmp, launcher, "remotes", "--repo", gatewayA.toString()).out()).contains("b-n3\t");

        Path laptop = client("laptop", gatewayA);
        assertThat(world.ok(laptop, "git", "annex", "info").out()).contains("origin-pool").contains("origin-b-n3");
        Map<String, String> hashes = addFiles(laptop, "f", 3);
        int before = AnnexWorld.lines(world.sshLogText()).size();
        long start = System.nanoTime();
        world.ok(laptop, Duration.ofMinutes(2), Map.of(), "git", "annex", "copy", "-J2", "--to", "origin-pool", ".");
        System.out.printf("two-gateway cluster PUT of 3 files: %d ms%n", (System.nanoTime() - start) / 1_000_000);
        for (String f : hashes.keySet()) {
            for (String n : List.of("n1", "n2", "n3")) {
                assertThat(storedIn(laptop, n, f)).as(f + " on " + n).isTrue();
            }
        }
        // A reached n3 through B by n3's own uuid; B never went back to A for A's nodes.
        List<String> ssh = sshSince(before);
        assertThat(ssh).anyMatch(l -> l.contains("p2pstdio") && l.contains(gatewayB.toString()) && l.contains(uuids.get("n3")));
        assertThat(ssh).noneMatch(l -> l.contains("p2pstdio") && l.contains(gatewayB.toString()) && l.contains(uuids.get("pool")));
        assertThat(ssh).noneMatch(l -> l.contains("p2pstdio") && l.contains(gatewayA.toString())
                && (l.contains(uuids.get("n1")) || l.contains(uuids.get("n2"))));
        assertThat(world.ok(laptop, "git", "annex", "whereis", "f1.bin").out())
                .contains("origin-pool").contains("origin-n1").contains("origin-n2").contains("origin-b-n3");
        // B logged what it stored on its node itself.
        assertThat(world.keysLoggedPresent(gatewayB, uuids.get("n3"))).hasSize(3);

        // With A's own nodes stopped, the cluster still serves GET from the node behind B.
        world.ok(laptop, "git", "annex", "drop", "--force", ".");
        Files.move(stores.get("n1"), tmp.resolve("n1-away"));
        Files.move(stores.get("n2"), tmp.resolve("n2-away"));
        world.ok(laptop, Duration.ofMinutes(2), Map.of(), "git", "annex", "get", "--from", "origin-pool", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(laptop.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        Files.move(tmp.resolve("n1-away"), stores.get("n1"));
        Files.move(tmp.resolve("n2-away"), stores.get("n2"));

        // REMOVE through A removes from the nodes of both gateways.
        world.ok(laptop, Duration.ofMinutes(2), Map.of(), "git", "annex", "drop", "--from", "origin-pool", "f1.bin");
        for (String n : List.of("n1", "n2", "n3")) {
            assertThat(storedIn(laptop, n, "f1.bin")).as("f1.bin on " + n + " after drop").isFalse();
        }
        assertThat(world.ok(laptop, "git", "annex", "whereis", "f1.bin").out()).doesNotContain("origin-b-n3");
        assertThat(world.keysLoggedPresent(gatewayB, uuids.get("n3"))).hasSize(2);

        // The other way round: a client of B puts to B's cluster, which reaches A's nodes by their uuids.
        Path phone = client("phone", gatewayB);
        Map<String, String> more = addFiles(phone, "g", 1);
        world.ok(phone, Duration.ofMinutes(2), Map.of(), "git", "annex", "copy", "--to", "origin-pool", ".");
        for (String n : List.of("n1", "n2", "n3")) {
            assertThat(storedIn(phone, n, "g1.bin")).as("g1.bin on " + n).isTrue();
        }
        world.ok(phone, Duration.ofMinutes(2), Map.of(), "git", "annex", "drop", "--from", "origin-pool", ".");
        for (String n : List.of("n1", "n2", "n3")) {
            assertThat(storedIn(phone, n, "g1.bin")).as("g1.bin on " + n + " after drop through B").isFalse();
        }
        assertThat(AnnexWorld.sha256(phone.resolve("g1.bin"))).isEqualTo(more.get("g1.bin"));
    }

    @Test
    void aGatewayThatVanishedLeavesTheOtherGatewaysNodesStoring() throws Exception {
        Path laptop = client("laptop", gatewayA);
        Map<String, String> hashes = addFiles(laptop, "v", 1);
        Files.move(gatewayB, tmp.resolve("b-away"));
        long start = System.nanoTime();
        world.ok(laptop, Duration.ofMinutes(2), Map.of(), "git", "annex", "copy", "--to", "origin-pool", ".");
        System.out.printf("two-gateway cluster PUT with B gone: %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertThat(storedIn(laptop, "n1", "v1.bin")).isTrue();
        assertThat(storedIn(laptop, "n2", "v1.bin")).isTrue();
        assertThat(storedIn(laptop, "n3", "v1.bin")).isFalse();
        assertThat(world.ok(laptop, "git", "annex", "whereis", "v1.bin").out())
                .contains("origin-n1").contains("origin-n2").doesNotContain("origin-b-n3");
        assertThat(hashes).hasSize(1);
    }
}
