package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annexhost.plugins.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 plugin against a real s3proxy process and the real git-annex client: a remote
 * configured on the host with {@code annexhost initremote type=S3} used by a client through the
 * gateway; git-annex's own S3 remote and annexhost's on one bucket and prefix reading each
 * other's objects, whole and in 1 MiB chunks; and an S3 remote git-annex itself configured in the
 * served repository used by annexhost with its uuid and git-annex's cached credentials.
 *
 * <p>Only {@code initremote} and git-annex's own S3 remote get the key pair in their environment:
 * the gateway's shell processes must find it where initremote (or git-annex) stored it.
 */
@Timeout(600)
class GatewayS3InteropIT {
    @TempDir
    static Path serverDir;
    static S3ProxyServer s3;

    @TempDir
    Path tmp;
    AnnexWorld world;
    Path gateway;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start(serverDir);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        // The S3 server is on loopback, which git-annex refuses unless allowed.
        world.ok(tmp, "git", "config", "--global", "annex.security.allowed-ip-addresses", "all");
        gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
    }

    private void hostInitremote(String name, List<String> params) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher, "initremote", "--repo", gateway.toString(), name));
        cmd.addAll(params);
        world.ok(tmp, Duration.ofMinutes(2), S3ProxyServer.credentials(), cmd.toArray(String[]::new));
    }

    private void gitAnnexInitremote(Path repo, String name, List<String> params) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "annex", "initremote", name));
        cmd.addAll(params);
        world.ok(repo, Duration.ofMinutes(2), S3ProxyServer.credentials(), cmd.toArray(String[]::new));
    }

    private Path cloneGateway(String name) throws Exception {
        Path client = tmp.resolve(name);
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", name);
        return client;
    }

    private Path plainRepo(String name) throws Exception {
        Path repo = tmp.resolve(name);
        world.ok(tmp, "git", "init", "-q", repo.toString());
        world.ok(repo, "git", "annex", "init", name);
        return repo;
    }

    private static String key(AnnexWorld world, Path repo, String file) throws Exception {
        return world.ok(repo, "git", "annex", "lookupkey", file).out().trim();
    }

    private Map<String, String> addFiles(Path repo, Map<String, Long> sizes) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            hashes.put(e.getKey(), AnnexWorld.writeRandom(repo.resolve(e.getKey()), e.getValue(), e.getKey().hashCode()));
        }
        world.ok(repo, "git", "annex", "add", ".");
        world.ok(repo, "git", "commit", "-q", "-m", "files");
        return hashes;
    }

    @Test
    void clientUsesTheProxiedS3Remote() throws Exception {
        Path client = cloneGateway("laptop");
        Map<String, String> hashes = addFiles(client, Map.of("a.jpg", 70_000L, "b.jpg", 1L << 20, "empty", 0L));
        // Configured after the client cloned: sync brings it to the client as origin-cloud.
        hostInitremote("cloud", s3.remoteParams("gateway", "annex/"));
        assertThat(world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out())
                .contains("cloud\t").contains("\tS3\tproxied");
        assertThat(world.ok(client, "git", "annex", "info").out()).doesNotContain("origin-cloud");
        world.ok(client, "git", "annex", "sync", "--no-content");
        assertThat(world.ok(client, "git", "annex", "info").out()).contains("origin-cloud");

        world.ok(client, "git", "annex", "copy", "-J2", "--to", "origin-cloud", ".");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-cloud").out()))
                .containsExactlyInAnyOrderElementsOf(hashes.keySet());
        // git-annex's S3 layout: fileprefix + key, no hash directories.
        for (String f : hashes.keySet()) {
            assertThat(AnnexWorld.sha256(s3.object("gateway", "annex/" + key(world, client, f)))).isEqualTo(hashes.get(f));
        }
        assertThat(world.ok(client, "git", "annex", "whereis", "a.jpg").out()).contains("origin-cloud");
        world.ok(client, "git", "annex", "fsck", "--from", "origin-cloud");

        world.ok(client, "git", "annex", "drop", ".");
        world.ok(client, "git", "annex", "get", "-J2", "--from", "origin-cloud", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        String a = key(world, client, "a.jpg");
        world.ok(client, "git", "annex", "drop", "--from", "origin-cloud", "a.jpg");
        assertThat(s3.object("gateway", "annex/" + a)).doesNotExist();
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin-cloud").out()))
                .containsExactlyInAnyOrder("b.jpg", "empty");
        // Dropping again is idempotent on S3 and says so to git-annex.
        world.ok(client, "git", "annex", "drop", "--from", "origin-cloud", "--force", "a.jpg");
    }

    @Test
    void gitAnnexsOwnS3RemoteAndAnnexhostsReadEachOthersObjects() throws Exception {
        crossCheck("shared", Map.of("one.bin", 300_000L, "two.bin", 200_001L), List.of());
    }

    @Test
    void chunkedObjectsAreGitAnnexsInBothDirections() throws Exception {
        Map<String, Long> sizes = Map.of("big1.bin", 3L << 20, "big2.bin", (3L << 20) - 5);
        Map<String, String> keys = crossCheck("chunked", sizes, List.of("chunk=1MiB"));
        for (String k : keys.values()) {
            for (int n = 1; n <= 3; n++) {
                assertThat(s3.object("chunked", "p/" + k.replace("--", "-S1048576-C" + n + "--")))
                        .as("chunk %d of %s", n, k).isRegularFile().hasSize(n < 3 || k.contains("-s3145728-") ? 1 << 20 : (1 << 20) - 5);
            }
            assertThat(s3.object("chunked", "p/" + k)).as("whole object of a chunked key").doesNotExist();
        }
    }

    /**
     * git-annex's own S3 remote in a plain repository and annexhost's on the same bucket and
     * prefix: the first file goes through the gateway, the second through git-annex; each side
     * then finds and downloads (hash-verified) what the other stored.
     *
     * @return the keys, by file name
     */
    private Map<String, String> crossCheck(String bucket, Map<String, Long> sizes, List<String> extra) throws Exception {
        String[] more = extra.toArray(String[]::new);
        Path plain = plainRepo("plain");
        // git-annex first: this version cannot initremote into a bucket that exists (it misreads
        // s3proxy's bucket listing), and annexhost's initremote accepts an existing one.
        gitAnnexInitremote(plain, "own", s3.remoteParams(bucket, "p/", more));
        hostInitremote("hosted", s3.remoteParams(bucket, "p/", more));
        Path client = cloneGateway("laptop");
        List<String> files = new ArrayList<>(new java.util.TreeSet<>(sizes.keySet()));
        Map<String, String> hashes = addFiles(client, sizes);
        Map<String, String> plainHashes = addFiles(plain, sizes);
        assertThat(plainHashes).isEqualTo(hashes);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String f : files) {
            keys.put(f, key(world, client, f));
            assertThat(key(world, plain, f)).isEqualTo(keys.get(f));
        }
        String viaGateway = files.get(0);
        String viaGitAnnex = files.get(1);
        world.ok(client, "git", "annex", "copy", "--to", "origin-hosted", viaGateway);
        world.ok(plain, Duration.ofMinutes(2), S3ProxyServer.credentials(), "git", "annex", "copy", "--to", "own", viaGitAnnex);

        // git-annex's S3 remote finds what annexhost stored, and downloads it (verifying the hash).
        world.ok(plain, Duration.ofMinutes(2), S3ProxyServer.credentials(),
                "git", "annex", "checkpresentkey", keys.get(viaGateway), "own");
        world.ok(plain, "git", "annex", "drop", "--force", viaGateway);
        world.ok(plain, Duration.ofMinutes(2), S3ProxyServer.credentials(), "git", "annex", "fsck", "--fast", "--from", "own", viaGateway);
        world.ok(plain, Duration.ofMinutes(2), S3ProxyServer.credentials(), "git", "annex", "get", "--from", "own", viaGateway);
        assertThat(AnnexWorld.sha256(plain.resolve(viaGateway))).isEqualTo(hashes.get(viaGateway));

        // annexhost finds what git-annex stored, and the client gets it through the gateway.
        world.ok(client, "git", "annex", "checkpresentkey", keys.get(viaGitAnnex), "origin-hosted");
        world.ok(client, "git", "annex", "drop", "--force", viaGitAnnex);
        world.ok(client, "git", "annex", "fsck", "--fast", "--from", "origin-hosted", viaGitAnnex);
        world.ok(client, "git", "annex", "get", "--from", "origin-hosted", viaGitAnnex);
        assertThat(AnnexWorld.sha256(client.resolve(viaGitAnnex))).isEqualTo(hashes.get(viaGitAnnex));
        world.ok(client, "git", "annex", "fsck", "--from", "origin-hosted", viaGitAnnex);
        return keys;
    }

    @Test
    void anS3RemoteGitAnnexConfiguredInTheServedRepositoryIsUsedWithItsUuid() throws Exception {
        // git-annex itself, in the served (bare) repository: remote.log, git config, and its
        // credentials cache annex/creds/UUID, which annexhost must read (no key pair in its env).
        gitAnnexInitremote(gateway, "ga", s3.remoteParams("byannex", "ga/"));
        String uuid = world.ok(gateway, "git", "config", "remote.ga.annex-uuid").out().trim();
        assertThat(world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out()).contains("ga\t" + uuid + "\tS3");
        world.ok(tmp, launcher, "proxy", "--repo", gateway.toString(), "ga");
        assertThat(s3.object("byannex", "ga/annex-uuid")).hasContent(uuid);

        Path client = cloneGateway("laptop");
        Map<String, String> hashes = addFiles(client, Map.of("notes.txt", 5000L));
        String k = key(world, client, "notes.txt");
        world.ok(client, "git", "annex", "copy", "--to", "origin-ga", "notes.txt");
        assertThat(AnnexWorld.sha256(s3.object("byannex", "ga/" + k))).isEqualTo(hashes.get("notes.txt"));
        // git-annex, in the gateway, finds what annexhost stored through the remote it configured.
        world.ok(gateway, "git", "annex", "checkpresentkey", k, "ga");
        String whereis = world.ok(client, "git", "annex", "whereis", "notes.txt").out();
        assertThat(whereis).contains(uuid);
        world.ok(client, "git", "annex", "drop", "notes.txt");
        world.ok(client, "git", "annex", "get", "--from", "origin-ga", "notes.txt");
        assertThat(AnnexWorld.sha256(client.resolve("notes.txt"))).isEqualTo(hashes.get("notes.txt"));
        world.ok(client, "git", "annex", "drop", "--from", "origin-ga", "notes.txt");
        assertThat(s3.object("byannex", "ga/" + k)).doesNotExist();
        assertThat(Files.exists(s3.object("byannex", "ga/annex-uuid"))).isTrue();
    }
}
