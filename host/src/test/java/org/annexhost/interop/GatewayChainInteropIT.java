package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway behind a gateway: the client's gateway reaches a second annexhost over HTTP (its
 * http url, whose served config names its annex API), and proxies onward what that one proxies.
 * client -> gateway -> annexhost -> directory works as {@code origin-other-dir}; a second
 * annexhost that proxies the first gateway back is a cycle the gateways refuse to follow.
 */
@Timeout(600)
class GatewayChainInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");
    final List<ServeProcess> servers = new ArrayList<>();
    Path gateway;
    Path other;
    Path dir;
    String otherUrl;

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        other = tmp.resolve("other.git");
        dir = Files.createDirectories(tmp.resolve("dir-store"));
        world.ok(tmp, launcher, "init", other.toString(), "--description", "second annexhost");
        world.ok(tmp, launcher, "initremote", "--repo", other.toString(), "dir", "type=directory",
                "directory=" + dir, "encryption=none");
        otherUrl = serve(other);
        gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "other", "type=git", "url=" + otherUrl);
    }

    @AfterEach
    void stop() throws Exception {
        for (ServeProcess p : servers) {
            p.close();
        }
    }

    private String serve(Path repo) throws Exception {
        ServeProcess p = world.serve(tmp, launcher, "--repo", repo.toString(), "--port", "0");
        servers.add(p);
        return p.url();
    }

    private Path cloneOverSsh(String name) throws Exception {
        Path client = tmp.resolve(name);
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "config", "annex.security.allowed-ip-addresses", "all");
        world.ok(client, "git", "annex", "init", name);
        return client;
    }

    private Map<String, String> addFiles(Path client, String prefix, int n) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            String name = prefix + " " + i + ".bin";
            hashes.put(name, AnnexWorld.writeRandom(client.resolve(name), 70_000L * i, 300 + i));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", prefix);
        return hashes;
    }

    private static long filesUnder(Path p) throws Exception {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).filter(f -> !p.relativize(f).startsWith("tmp")).count();
        }
    }

    @Test
    void clientReachesADirectoryBehindTwoGateways() throws Exception {
        assertThat(world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out())
                .contains("other\t").contains("other-dir\t");
        Path client = cloneOverSsh("laptop");
        assertThat(world.ok(client, "git", "annex", "info").out()).contains("origin-other").contains("origin-other-dir");
        Map<String, String> hashes = addFiles(client, "chain", 3);

        world.ok(client, "git", "annex", "copy", "--to", "origin-other", "chain 1.bin");
        world.ok(client, "git", "annex", "copy", "-J2", "--to", "origin-other-dir", ".");
        assertThat(filesUnder(dir)).as("objects in the directory behind the second gateway").isEqualTo(3);
        assertThat(filesUnder(other.resolve("annex/objects"))).as("objects in the second annexhost").isEqualTo(1);
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-other-dir").out()))
                .containsExactlyInAnyOrderElementsOf(hashes.keySet());
        world.ok(client, "git", "annex", "fsck", "--from", "origin-other-dir");
        world.ok(client, "git", "annex", "fsck", "--from", "origin-other");
        assertThat(world.ok(client, "git", "annex", "whereis", "chain 1.bin").out())
                .contains("origin-other").contains("origin-other-dir");

        world.ok(client, "git", "annex", "drop", "--force", ".");
        world.ok(client, "git", "annex", "get", "-J2", "--from", "origin-other-dir", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        world.ok(client, "git", "annex", "drop", "--from", "origin-other-dir", "chain 2.bin");
        assertThat(filesUnder(dir)).isEqualTo(2);
        // The first gateway logged where content went, for the remote two hops away too.
        String dirUuid = world.ok(other, "git", "config", "remote.dir.annex-uuid").out().trim();
        assertThat(world.keysLoggedPresent(gateway, dirUuid)).hasSize(2);
    }

    @Test
    void httpClientsOfTheGatewayReachTheChainToo() throws Exception {
        // A third annexhost named by its annex API alone: the url serves many repositories, so uuid= says which.
        Path third = tmp.resolve("third.git");
        world.ok(tmp, launcher, "init", third.toString());
        String thirdUuid = world.ok(third, "git", "config", "annex.uuid").out().trim();
        String thirdApi = "annex+" + serve(third).replaceFirst("/third\\.git$", "/git-annex/");
        Sh.Result noUuid = world.run(tmp, java.time.Duration.ofMinutes(1), Map.of(), launcher, "initremote",
                "--repo", gateway.toString(), "api", "type=git", "url=" + thirdApi);
        assertThat(noUuid.code()).isNotZero();
        assertThat(noUuid.err()).contains("uuid=");
        Sh.Result wrongUuid = world.run(tmp, java.time.Duration.ofMinutes(1), Map.of(), launcher, "initremote",
                "--repo", gateway.toString(), "api", "type=git", "url=" + thirdApi, "uuid=00000000-0000-0000-0000-00000000000f");
        assertThat(wrongUuid.code()).isNotZero();
        assertThat(wrongUuid.err()).contains("404");
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "api", "type=git", "url=" + thirdApi, "uuid=" + thirdUuid);

        String gatewayUrl = serve(gateway);
        Path client = tmp.resolve("phone");
        world.ok(tmp, "git", "clone", "-q", gatewayUrl, client.toString());
        world.ok(client, "git", "config", "annex.security.allowed-ip-addresses", "all");
        world.ok(client, "git", "annex", "init", "phone");
        Map<String, String> hashes = addFiles(client, "web", 2);
        world.ok(client, "git", "annex", "copy", "--to", "origin-other-dir", ".");
        assertThat(filesUnder(dir)).isEqualTo(2);
        world.ok(client, "git", "annex", "copy", "--to", "origin-api", "web 1.bin");
        assertThat(filesUnder(third.resolve("annex/objects"))).as("objects in the third annexhost").isEqualTo(1);
        world.ok(client, "git", "annex", "fsck", "--from", "origin-api");
        world.ok(client, "git", "annex", "drop", ".");
        world.ok(client, "git", "annex", "get", "--from", "origin-other-dir", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
    }

    @Test
    void gatewaysThatProxyEachOtherDoNotLoop() throws Exception {
        // The second annexhost proxies the first gateway back, over the ssh drop-in.
        Sh.Result back = world.ok(tmp, launcher, "initremote", "--repo", other.toString(), "back", "type=git",
                "url=localhost:" + gateway);
        assertThat(back.err()).contains("proxies this repository back").contains("cycle");
        Sh.Result refreshed = world.ok(tmp, launcher, "enableremote", "--repo", gateway.toString(), "other");
        assertThat(refreshed.err()).contains("proxies this repository back").contains("cycle");
        String listed = world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out();
        assertThat(listed).contains("other\t").contains("other-dir\t").doesNotContain("other-back");
        assertThat(world.ok(tmp, launcher, "remotes", "--repo", other.toString()).out())
                .contains("back\t").doesNotContain("back-other");

        Path client = cloneOverSsh("laptop");
        addFiles(client, "loop", 1);
        world.ok(client, "git", "annex", "copy", "--to", "origin-other-dir", ".");
        assertThat(filesUnder(dir)).isEqualTo(1);
        // Asking the first gateway for a uuid that nothing behind it has is refused, not relayed round.
        Sh.Result refused = world.run(client, java.time.Duration.ofSeconds(60), Map.of(), tmp.resolve("bin/ssh").toString(), "localhost",
                "git-annex-shell 'p2pstdio' '" + gateway + "' '00000000-0000-0000-0000-000000000001' --uuid 00000000-0000-0000-0000-0000000000ff");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.err()).contains("expected repository UUID");
    }
}
