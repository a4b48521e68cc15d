package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.annexhost.testing.AuditRecords;
import org.annexhost.testing.Metrics;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * annexhost shell hands its conversation to a running host over the host's private socket: the
 * host serves it (its log says so), with the restrictions of the shell's environment, which can
 * only narrow what the client may do; the real git-annex client works through it; a shell of
 * another account is refused by its credentials even when it can reach the socket; with the host
 * gone, the shell serves itself.
 */
@Timeout(240)
class WarmShellIT {
    @TempDir
    Path tmp;
    final String launcher = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().toString();
    Path repo;
    Path runtime;
    Sh sh;
    ServeProcess host;
    Path hostLog;

    @BeforeEach
    void startHost() throws Exception {
        repo = tmp.resolve("served.git");
        runtime = tmp.resolve("run");
        sh = new Sh(Map.of("ANNEXHOST_RUNTIME_DIR", runtime.toString(), "ANNEXHOST_NO_BUILD", "1"));
        run(List.of(launcher, "init", repo.toString()), Map.of());
        host = ServeProcess.start(sh.with(Map.of("ANNEXHOST_LOG", "DEBUG", "ANNEXHOST_WARMUP", "1")), tmp, launcher, "--repo", repo.toString(),
                "--port", "0");
        hostLog = host.logFile();
    }

    @AfterEach
    void stopHost() throws Exception {
        host.close();
    }

    /** One p2pstdio conversation through the shell: the lines in, the replies out. */
    private List<String> converse(Map<String, String> extraEnv, List<String> prefix, String... lines) throws Exception {
        return converseWith(repo, extraEnv, prefix, lines);
    }

    private List<String> converseWith(Path served, Map<String, String> extraEnv, List<String> prefix, String... lines)
            throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(launcher, "shell", "-c", "git-annex-shell 'p2pstdio' '" + served + "' '66666666-7777-8888-9999-000000000000'"));
        Process p = sh.with(extraEnv).builder(tmp, cmd.toArray(String[]::new))
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return List.of(out.split("\n"));
    }

    private long handedOver() throws Exception {
        return Files.readAllLines(hostLog).stream().filter(l -> l.contains("serving a handed-over shell")).count();
    }

    /** @return the host's log once it holds the text, or after 10 s: its own thread writes the lines, a moment later */
    private String hostLogWith(String text) throws Exception {
        String log = Files.readString(hostLog);
        for (long deadline = System.nanoTime() + 10_000_000_000L; !log.contains(text) && System.nanoTime() < deadline; ) {
            Thread.sleep(50);
            log = Files.readString(hostLog);
        }
        return log;
    }

    @Test
    void theRunningHostServesTheShellsConversationWithItsRestrictions() throws Exception {
        String key = "WORM-s5-m1--hello";
        List<String> put = converse(Map.of(), List.of(), "VERSION 4", "PUT f " + key, "DATA 5", "helloVALID", "CHECKPRESENT " + key);
        assertThat(put).startsWith("AUTH-SUCCESS " + run(List.of("git", "--git-dir=" + repo, "config", "annex.uuid"), Map.of()).strip())
                .contains("PUT-FROM 0").endsWith("SUCCESS", "SUCCESS");
        assertThat(handedOver()).isEqualTo(1);
        // The forced command's restriction narrows what the host would allow.
        List<String> readOnly = converse(Map.of("GIT_ANNEX_SHELL_READONLY", "1"), List.of(), "VERSION 4", "REMOVE " + key,
                "PUT f WORM-s1-m1--x");
        assertThat(readOnly).contains("ERROR this repository is read-only; write access denied");
        List<String> appendOnly = converse(Map.of("GIT_ANNEX_SHELL_APPENDONLY", "1"), List.of(), "VERSION 4", "REMOVE " + key);
        assertThat(appendOnly).contains("ERROR this repository is append-only; removal denied");
        assertThat(handedOver()).isEqualTo(3);
        assertThat(converse(Map.of(), List.of(), "VERSION 4", "CHECKPRESENT " + key)).endsWith("SUCCESS");
    }

    @Test
    void theHostWarmsUpInTheBackgroundWhileItServes() throws Exception {
        // Served at once, warm-up or not: the warm-up runs on a scratch repository of its own.
        String key = "WORM-s4-m1--warm";
        assertThat(converse(Map.of(), List.of(), "VERSION 4", "PUT f " + key, "DATA 4", "warmVALID", "CHECKPRESENT " + key))
                .contains("PUT-FROM 0").endsWith("SUCCESS", "SUCCESS");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(hostLog).contains("warm-up: ") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(Files.readString(hostLog)).contains("warm-up: 1500 small-file rounds in ").doesNotContain("warm-up skipped");
        // Its keys went to its own repository, not to the one served.
        try (java.util.stream.Stream<Path> objects = Files.walk(repo.resolve("annex/objects"))) {
            assertThat(objects.map(p -> p.getFileName().toString())).contains(key).noneMatch(n -> n.startsWith("SHA256E-"));
        }
    }

    @Test
    void theJavaShellHandsOverTheSameWay() throws Exception {
        // The launcher runs the C relay where it was built; the JVM's shell speaks the same exchange.
        Map<String, String> java = Map.of("ANNEXHOST_RELAY", "java");
        String key = "WORM-s2-m1--hi";
        assertThat(converse(java, List.of(), "VERSION 4", "PUT f " + key, "DATA 2", "hiVALID", "CHECKPRESENT " + key))
                .contains("PUT-FROM 0").endsWith("SUCCESS", "SUCCESS");
        assertThat(converse(Map.of("ANNEXHOST_RELAY", "java", "GIT_ANNEX_SHELL_APPENDONLY", "1"), List.of(),
                "VERSION 4", "REMOVE " + key)).contains("ERROR this repository is append-only; removal denied");
        assertThat(handedOver()).isEqualTo(2);
    }

    @Test
    void theRelayIsBuiltWhereACompilerIs() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler here");
        assertThat(Path.of(launcher).resolveSibling("host/target/annexhost-relay")).isExecutable();
    }

    @Test
    void configlistAndSshsTrueAreAnsweredByTheRunningHost() throws Exception {
        String uuid = run(List.of("git", "--git-dir=" + repo, "config", "annex.uuid"), Map.of()).strip();
        String config = run(List.of(launcher, "shell", "-c", "git-annex-shell 'configlist' '" + repo + "'"), Map.of());
        assertThat(config).contains("annex.uuid=" + uuid);
        // git-annex's "ssh HOST true" under a forced command: SSH_ORIGINAL_COMMAND, no arguments.
        Sh.Result shTrue = sh.with(Map.of("SSH_ORIGINAL_COMMAND", "true")).run(tmp, java.time.Duration.ofMinutes(1), launcher, "shell");
        assertThat(shTrue.err()).as(shTrue.describe()).contains("git-annex-shell: bad parameters");
        assertThat(shTrue.code()).as(shTrue.describe()).isNotZero();
        assertThat(handedOver()).isEqualTo(2);
    }

    @Test
    void aRepositoryTheHostDoesNotServeIsServedByTheShellItself() throws Exception {
        Path other = tmp.resolve("other.git");
        run(List.of(launcher, "init", other.toString()), Map.of());
        String uuid = run(List.of("git", "--git-dir=" + other, "config", "annex.uuid"), Map.of()).strip();
        assertThat(converseWith(other, Map.of(), List.of(), "VERSION 4", "CHECKPRESENT WORM-s5-m1--hello"))
                .startsWith("AUTH-SUCCESS " + uuid).endsWith("FAILURE");
        assertThat(handedOver()).isZero();
        assertThat(Files.readString(hostLog)).doesNotContain(other.toString());
    }

    @Test
    void theGitAnnexClientWorksThroughTheRunningHost() throws Exception {
        SshSandbox box = new SshSandbox(tmp.resolve("client-side"), SshSandbox.ShellUnderTest.ANNEXHOST)
                .withEnv(Map.of("ANNEXHOST_RUNTIME_DIR", runtime.toString(), "ANNEXHOST_NO_BUILD", "1"));
        Path client = box.cloneClient(repo, "client");
        String serverUuid = box.uuidOf(repo);
        for (int i = 0; i < 12; i++) {
            SshSandbox.writeRandom(client.resolve("f" + i + ".bin"), 10_000 + i, i);
        }
        box.ok(client, "git", "annex", "add", ".");
        box.ok(client, "git", "commit", "-q", "-m", "files");
        box.ok(client, "git", "annex", "copy", "-J4", "--to", "origin", ".");
        box.ok(client, "git", "annex", "drop", "-J4", ".");
        box.ok(client, "git", "annex", "get", "-J4", ".");
        box.ok(client, "git", "annex", "drop", "-J4", "--from", "origin", "f1.bin", "f2.bin");
        java.util.Map<String, java.util.Set<String>> where = box.whereis(client);
        assertThat(where.get("f1.bin")).doesNotContain(serverUuid);
        assertThat(where.get("f3.bin")).contains(serverUuid);
        hostLogWith("serving a handed-over shell");
        assertThat(handedOver()).as("conversations the host served").isGreaterThanOrEqualTo(3);
        // The host counted what it served over ssh, and none of it as HTTP.
        String m = Metrics.scrape(host.url());
        String p2p = "annexhost_p2p_requests_seconds_count";
        assertThat(Metrics.sum(m, p2p, "repository=\"served.git\"", "verb=\"PUT\"", "reply=\"SUCCESS\"")).isEqualTo(12);
        assertThat(Metrics.sum(m, p2p, "verb=\"GET\"", "reply=\"DATA\"")).isEqualTo(12);
        assertThat(Metrics.sum(m, p2p, "verb=\"REMOVE\"", "reply=\"SUCCESS\"")).isEqualTo(2);
        assertThat(Metrics.sum(m, "annexhost_content_bytes_total", "direction=\"in\"")).isGreaterThanOrEqualTo(12 * 10_000);
        assertThat(Metrics.sum(m, "annexhost_http_requests_seconds_count", "endpoint=\"put\"")).isZero();
        // ...and recorded each content change in the repository's audit log, as the ssh client it was.
        List<com.fasterxml.jackson.databind.JsonNode> audit = AuditRecords.of(repo);
        String me = System.getProperty("user.name");
        assertThat(AuditRecords.count(audit, "operation", "store", "result", "done", "via", "ssh", "client", "127.0.0.1",
                "user", me, "repository", "served.git")).isEqualTo(12);
        assertThat(AuditRecords.count(audit, "operation", "remove", "result", "done", "via", "ssh")).isEqualTo(2);
        assertThat(AuditRecords.count(audit, "operation", "lock", "result", "done")).as("drop locks on origin").isGreaterThanOrEqualTo(12);
        assertThat(audit).allSatisfy(r -> assertThat(r.get("key").asText()).matches("SHA256E-s100[0-9][0-9]--.*"));
    }

    @Test
    void withTheHostGoneTheShellServesItself() throws Exception {
        host.close();
        List<String> r = converse(Map.of(), List.of(), "VERSION 4", "CHECKPRESENT WORM-s5-m1--hello");
        assertThat(r).contains("VERSION 4").endsWith("FAILURE");
    }

    @Test
    void anotherAccountIsRefusedByItsCredentialsNotOnlyByFileModes() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to run a shell as another account (nobody)");
        // Open the door the private directory would keep shut: the credentials check must still refuse.
        Path dir;
        try (var s = Files.list(runtime)) {
            dir = runtime;
            assertThat(s.anyMatch(f -> f.getFileName().toString().matches("host-[0-9]+\\.sock"))).isTrue();
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (var s = Files.list(runtime)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> setpriv = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups");
        // annexhost's shell of another account does not even offer the conversation (it checks the
        // host's credentials too), and serves itself...
        converse(Map.of("HOME", "/tmp"), setpriv, "VERSION 4", "CHECKPRESENT WORM-s5-m1--hello");
        assertThat(handedOver()).isZero();
        // ...and a client that does offer it is refused by the host, before a byte is served.
        Path socket;
        try (var s = Files.list(runtime)) {
            socket = s.filter(f -> f.toString().endsWith(".sock")).findFirst().orElseThrow();
        }
        List<String> cmd = new ArrayList<>(setpriv);
        // The host may close before the offer is all written: a broken pipe is a refusal too.
        cmd.addAll(List.of("/usr/bin/python3", "-c", "import socket,sys\ns=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])"
                + "\ns.settimeout(10)\ntry:\n    s.sendall(b'annexhost-shell 2\\narg p2pstdio\\narg " + repo + "\\nend\\nVERSION 4\\n')"
                + "\n    print('received', len(s.recv(100)))\nexcept (ConnectionResetError, BrokenPipeError):\n    print('received 0')",
                socket.toString()));
        String out = run(cmd, Map.of());
        assertThat(out).as("the host served nothing").contains("received 0");
        assertThat(hostLogWith("refused a shell of nobody")).contains("refused a shell of nobody");
        assertThat(handedOver()).isZero();
    }

    /** Runs a command to its end (within two minutes); its stdout and stderr. */
    private String run(List<String> cmd, Map<String, String> extra) throws Exception {
        return sh.with(extra).run(tmp, java.time.Duration.ofMinutes(2), cmd.toArray(String[]::new)).all();
    }
}
