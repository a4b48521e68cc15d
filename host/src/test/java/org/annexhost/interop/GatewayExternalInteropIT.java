package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * External special remotes configured on the host (rclone's, and a python3-annexremote one),
 * used by the real git-annex client through the gateway.
 */
@Timeout(600)
class GatewayExternalInteropIT {
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
    }

    private void cloneClient() throws Exception {
        client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "laptop");
    }

    private void roundTrip(String remote) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            String name = "doc " + i + ".pdf";
            hashes.put(name, AnnexWorld.writeRandom(client.resolve(name), 30_000L * i, i));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "docs");
        world.ok(client, "git", "annex", "copy", "-J4", "--to", remote, ".");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", remote).out()))
                .containsExactlyInAnyOrderElementsOf(hashes.keySet());
        world.ok(client, "git", "annex", "fsck", "--from", remote);
        world.ok(client, "git", "annex", "drop", ".");
        world.ok(client, "git", "annex", "get", "-J4", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        world.ok(client, "git", "annex", "drop", "--from", remote, "doc 1.pdf");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", remote).out()))
                .doesNotContain("doc 1.pdf").hasSize(3);
    }

    @Test
    void rcloneRemoteThroughTheGateway() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("rclone-store"));
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "cloud", "type=external",
                "externaltype=rclone", "annexhost-program=" + AnnexWorld.patchedRclone(tmp), "target=annexhosttest",
                "prefix=" + store, "rclone_layout=lower", "encryption=none");
        // rclone's remote cannot find keys with & % : again (under git-annex too): exactly that fails.
        Sh.Result test = world.run(tmp, java.time.Duration.ofMinutes(3), Map.of(), launcher, "testremote",
                "--repo", gateway.toString(), "cloud", "--size", "2000000");
        assertThat(test.code()).isEqualTo(1);
        assertThat(test.out()).contains(" passed, 1 failed, ").contains("key named \"a&b%c:d.bin\": FAILED");
        // Every test key is removed again, those of aborted checks too; only the one rclone itself
        // cannot find again (under git-annex too) may stay.
        assertThat(filesUnder(store)).as("test keys left in the rclone store").allMatch(f -> f.endsWith("--a&ab&sc&cd.bin"));
        cloneClient();
        roundTrip("origin-cloud");
    }

    /** The tests' python3-annexremote directory remote, as the gateway's remote "py". */
    void initPydir() throws Exception {
        Path program = tmp.resolve("git-annex-remote-pydir");
        try (var in = getClass().getResourceAsStream("/interop/git-annex-remote-pydir")) {
            Files.copy(in, program);
        }
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "py", "type=external",
                "externaltype=pydir", "annexhost-program=" + program, "directory=" + tmp.resolve("py-store"));
    }

    @Test
    void pythonAnnexremoteRemoteThroughTheGateway() throws Exception {
        initPydir();
        Sh.Result test = world.ok(tmp, launcher, "testremote", "--repo", gateway.toString(), "py",
                "--size", "2000000");
        assertThat(test.out()).contains(" passed, 0 failed, ");
        assertThat(test.out()).doesNotContain("resume an interrupted store: ok");
        assertThat(filesUnder(tmp.resolve("py-store"))).as("test keys left in the remote").isEmpty();
        cloneClient();
        roundTrip("origin-py");
    }

    /**
     * A running host's {@code /metrics} shows an external remote's processes: how many run and
     * are idle, and how many started, as a client stores through the gateway over HTTP.
     */
    @Test
    void theHostsMetricsShowTheExternalRemotesProcesses() throws Exception {
        initPydir();
        String uuid = world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out().lines()
                .filter(l -> l.startsWith("py\t")).findFirst().orElseThrow().split("\t")[1];
        try (org.annexhost.testing.ServeProcess host = world.serve(tmp, launcher, "--repo", gateway.toString(), "--port", "0")) {
            String base = host.url().replaceAll("/[^/]*$", "");
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String key = "SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
            var put = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/git-annex/" + uuid
                            + "/v4/put?key=" + key + "&clientuuid=" + java.util.UUID.randomUUID()))
                    .header("X-git-annex-data-length", "5").POST(java.net.http.HttpRequest.BodyPublishers.ofString("hello")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(put.body()).contains("\"stored\": true");
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("annexhost_external_processes_started_total\\{remote=\"py\",repository=\"gateway.git\"} [1-9]")
                    .containsPattern("annexhost_external_processes\\{remote=\"py\",repository=\"gateway.git\",state=\"running\"} [1-9]")
                    .contains("annexhost_external_processes{remote=\"py\",repository=\"gateway.git\",state=\"idle\"}")
                    .contains("annexhost_external_timeouts_total{remote=\"py\",repository=\"gateway.git\"} 0.0");
        }
    }

    /**
     * A copy the remote refuses, over ssh: the client hears the reason as one git-annex-style line,
     * and what the host logs (its warning, the remote's own stderr) goes to the repository's log
     * instead of between git-annex's progress lines.
     */
    @Test
    void aFailingCopyShowsTheClientOneLineAndTheHostLogsToTheRepository() throws Exception {
        Path pydir = tmp.resolve("git-annex-remote-pydir");
        try (var in = getClass().getResourceAsStream("/interop/git-annex-remote-pydir")) {
            Files.copy(in, pydir);
        }
        Path program = tmp.resolve("talkative-pydir");
        Files.writeString(program, "#!/bin/sh\necho 'pydir says hello on stderr' >&2\nexec " + pydir + " \"$@\"\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(pydir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path store = tmp.resolve("py-store");
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "py", "type=external",
                "externaltype=pydir", "annexhost-program=" + program, "directory=" + store);
        Path log = gateway.resolve(org.annexhost.cli.LogSetup.REPOSITORY_LOG);
        Files.deleteIfExists(log);
        cloneClient();
        AnnexWorld.writeRandom(client.resolve("refused.bin"), 5_000, 7);
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "one file");
        Files.createFile(store.resolve("refuse-stores")); // the test remote's switch
        // At INFO the host also logs what the remote prints on its stderr: more to keep from the terminal.
        Sh.Result copy = world.run(client, java.time.Duration.ofMinutes(2), Map.of("ANNEXHOST_LOG", "INFO"),
                "git", "annex", "copy", "--to", "origin-py", "refused.bin");
        assertThat(copy.code()).as(copy.describe()).isNotZero();
        assertThat(copy.err()).as("what the client's terminal shows\n%s", copy.describe())
                .doesNotContain("WARN", "INFO", "ERROR ", "o.a.", "org.annexhost", "pydir says hello", "\tat ");
        assertThat(copy.all()).as(copy.describe()).contains("refused.bin").contains("failed");
        assertThat(log).as("the repository's log").exists();
        assertThat(Files.readString(log)).as("the repository's log")
                .contains("WARN").contains("not stored").contains("py stderr: pydir says hello on stderr");
        // At INFO it also holds the conversation's line and the refused store's, with the same id;
        // the audit log holds the store as failed.
        String me = System.getProperty("user.name");
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("p2p id=([0-9a-f]{16}) user=" + java.util.regex.Pattern.quote(me)
                + " client=127\\.0\\.0\\.1 repo=gateway\\.git remote=py requests=[0-9]+ in=[0-9]+ out=0 ms=[0-9]+ end=ok")
                .matcher(Files.readString(log));
        assertThat(line.find()).as("the conversation's line in\n%s", Files.readString(log)).isTrue();
        assertThat(Files.readString(log)).contains("audit: store id=" + line.group(1) + " via=ssh");
        java.util.List<com.fasterxml.jackson.databind.JsonNode> audit = org.annexhost.testing.AuditRecords.of(gateway);
        assertThat(org.annexhost.testing.AuditRecords.count(audit, "id", line.group(1), "operation", "store", "result", "failed",
                "remote", "py")).isPositive();
    }

    private static java.util.List<String> filesUnder(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).toList();
        }
    }
}
