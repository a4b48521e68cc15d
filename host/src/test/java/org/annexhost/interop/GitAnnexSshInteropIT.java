package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.annexhost.interop.SshSandbox.ShellUnderTest;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real git-annex client using a server repository over ssh, where the "ssh" is the
 * {@code interop/ssh} stand-in running each command string through the shell under test as a
 * login shell ({@code SHELL -c STRING}) or as a forced command (SSH_ORIGINAL_COMMAND). Every
 * scenario runs against git-annex's own git-annex-shell first (so the scenario and its assertions
 * are known to be right) and then against annexhost's drop-in ({@code annexhost shell}), on a
 * server made by {@code annexhost init}. git clone, fetch and push go through the same shell.
 *
 * <p>Assertions are on what can be observed from outside: exit codes, {@code git annex whereis}
 * and {@code checkpresentkey} (which asks the server), SHA-256 of contents, object files on the
 * server's disk, and git-annex's own {@code fsck} run inside the served repository.
 */
class GitAnnexSshInteropIT {
    private static final Pattern PUT_FROM = Pattern.compile("(?m)^PUT-FROM (\\d+)$");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShellUnderTest.class)
    @Timeout(300)
    void copyGetFsckDropAndMoveAtJ1AndJ8(ShellUnderTest shell) throws Exception {
        SshSandbox box = new SshSandbox(tmp, shell);
        Path server = box.createServer("server.git", "test server");
        Path client = box.cloneClient(server, "client");
        String serverUuid = box.uuidOf(server);
        String clientUuid = box.uuidOf(client);

        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("empty file.txt", 0L);
        sizes.put("small one.txt", 11L);
        for (int i = 1; i <= 10; i++) {
            sizes.put("file " + i + ".bin", 100_000L * i);
        }
        sizes.put("large file.bin", 64L << 20);
        Map<String, String> sha = new LinkedHashMap<>();
        long seed = 1;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            sha.put(e.getKey(), SshSandbox.writeRandom(client.resolve(e.getKey()), e.getValue(), seed++));
        }
        box.ok(client, "git", "annex", "add", ".");
        box.ok(client, "git", "commit", "-q", "-m", "add files");
        Map<String, String> keys = box.keys(client);
        assertThat(keys).containsOnlyKeys(sizes.keySet());

        box.ok(client, "git", "annex", "copy", "-J1", "--to", "origin", "empty file.txt", "small one.txt");
        box.ok(client, "git", "annex", "copy", "-J8", "--to", "origin", ".");
        Map<String, Set<String>> where = box.whereis(client);
        for (String file : sizes.keySet()) {
            assertThat(where.get(file)).as("whereis %s after copy --to origin", file).contains(serverUuid, clientUuid);
        }
        assertServerHoldsExactly(server, keys, sha, sizes.keySet());
        assertConnections(box, server, serverUuid, clientUuid);

        Sh.Result fsck = box.ok(client, "git", "annex", "fsck", "-J8", "--from", "origin", "--json");
        Map<String, Boolean> fsckOk = new LinkedHashMap<>();
        SshSandbox.jsonRecords(fsck).forEach(j -> fsckOk.put(j.path("file").asText(), j.path("success").asBoolean()));
        assertThat(fsckOk).as("fsck --from origin, file to success\n%s", fsck.describe())
                .containsOnlyKeys(sizes.keySet()).doesNotContainValue(false);

        // Dropping the only local copies makes git-annex lock them on the server first (LOCKCONTENT).
        box.ok(client, "git", "annex", "drop", "-J8", ".");
        assertThat(box.presentHere(client)).as("present here after drop").isEmpty();
        box.ok(client, "git", "annex", "get", "-J1", "small one.txt", "empty file.txt");
        box.ok(client, "git", "annex", "get", "-J8", ".");
        for (String file : sizes.keySet()) {
            assertThat(SshSandbox.sha256(client.resolve(file))).as("SHA-256 of %s after get", file).isEqualTo(sha.get(file));
        }

        List<String> dropped = List.of("empty file.txt", "file 1.bin", "file 2.bin", "file 3.bin");
        box.ok(client, "git", "annex", "drop", "-J8", "--from", "origin", dropped.get(0), dropped.get(1),
                dropped.get(2), dropped.get(3));
        where = box.whereis(client);
        for (String file : dropped) {
            assertThat(where.get(file)).as("whereis %s after drop --from origin", file).doesNotContain(serverUuid);
            assertThat(box.checkPresentKey(client, keys.get(file), "origin")).as("checkpresentkey %s origin", file).isEqualTo(1);
        }
        assertThat(box.checkPresentKey(client, keys.get("file 4.bin"), "origin")).as("checkpresentkey file 4.bin").isZero();
        assertThat(SshSandbox.objects(server).keySet()).doesNotContainAnyElementsOf(keysOf(keys, dropped)).contains(keys.get("file 4.bin"));

        box.ok(client, "git", "annex", "move", "--to", "origin", "file 1.bin");
        assertThat(box.presentHere(client)).as("present here after move --to").doesNotContain("file 1.bin");
        assertThat(SshSandbox.objects(server)).containsKey(keys.get("file 1.bin"));
        box.ok(client, "git", "annex", "move", "-J8", "--from", "origin", "file 1.bin", "file 4.bin", "large file.bin");
        where = box.whereis(client);
        for (String file : List.of("file 1.bin", "file 4.bin", "large file.bin")) {
            assertThat(where.get(file)).as("whereis %s after move --from origin", file).containsExactly(clientUuid);
            assertThat(SshSandbox.sha256(client.resolve(file))).as("SHA-256 of %s after move --from", file).isEqualTo(sha.get(file));
        }
        assertThat(SshSandbox.objects(server).keySet())
                .doesNotContainAnyElementsOf(keysOf(keys, List.of("file 1.bin", "file 4.bin", "large file.bin")));

        // git-annex itself, inside the served repository, checks what the server stored and logged.
        box.ok(client, "git", "annex", "sync", "--no-content", "--quiet");
        assertPushed(box, client, server);
        assertServerFsckPasses(box, server);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShellUnderTest.class)
    @Timeout(180)
    void forcedCommandWithSshOriginalCommandServesGitAndAnnex(ShellUnderTest shell) throws Exception {
        SshSandbox box = new SshSandbox(tmp, shell).asForcedCommand();
        Path server = box.createServer("server.git", "test server");
        Path client = box.cloneClient(server, "client");
        Map<String, String> sha = new LinkedHashMap<>();
        sha.put("empty file.txt", SshSandbox.writeRandom(client.resolve("empty file.txt"), 0, 1));
        sha.put("one mebibyte.bin", SshSandbox.writeRandom(client.resolve("one mebibyte.bin"), 1 << 20, 2));
        box.ok(client, "git", "annex", "add", ".");
        box.ok(client, "git", "commit", "-q", "-m", "two files");
        Map<String, String> keys = box.keys(client);

        box.ok(client, "git", "annex", "copy", "-J2", "--to", "origin", ".");
        assertServerHoldsExactly(server, keys, sha, sha.keySet());
        box.ok(client, "git", "annex", "drop", ".");
        box.ok(client, "git", "annex", "get", "-J2", ".");
        for (String file : sha.keySet()) {
            assertThat(SshSandbox.sha256(client.resolve(file))).as("SHA-256 of %s after get", file).isEqualTo(sha.get(file));
        }
        box.ok(client, "git", "annex", "drop", "--from", "origin", "one mebibyte.bin");
        assertThat(SshSandbox.objects(server)).doesNotContainKey(keys.get("one mebibyte.bin"));
        assertThat(box.checkPresentKey(client, keys.get("one mebibyte.bin"), "origin")).isEqualTo(1);
        box.ok(client, "git", "annex", "sync", "--no-content", "--quiet");
        assertPushed(box, client, server);
        assertConnections(box, server, box.uuidOf(server), box.uuidOf(client));
    }

    /**
     * With git-annex's default annex.sshcaching, it first runs {@code ssh -S SOCKET ... HOST true}
     * to start a control master, then passes {@code -S SOCKET} on every connection and finally
     * {@code -O stop}. The stand-in has no master, so every connection is still a new process; what
     * this checks is that the shell's answer to "true" (an unknown command) does not derail the client.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(ShellUnderTest.class)
    @Timeout(180)
    void sshConnectionCachingAsGitAnnexDefaults(ShellUnderTest shell) throws Exception {
        SshSandbox box = new SshSandbox(tmp, shell);
        Path server = box.createServer("server.git", "test server");
        Path client = box.cloneClient(server, "client");
        box.ok(client, "git", "config", "--unset", "annex.sshcaching");
        Map<String, String> sha = new LinkedHashMap<>();
        long seed = 10;
        for (Map.Entry<String, Long> e : Map.of("empty file.txt", 0L, "small one.txt", 11L, "one mebibyte.bin", 1L << 20,
                "eight mebibytes.bin", 8L << 20).entrySet()) {
            sha.put(e.getKey(), SshSandbox.writeRandom(client.resolve(e.getKey()), e.getValue(), seed++));
        }
        box.ok(client, "git", "annex", "add", ".");
        box.ok(client, "git", "commit", "-q", "-m", "four files");
        Map<String, String> keys = box.keys(client);

        box.ok(client, "git", "annex", "copy", "-J4", "--to", "origin", ".");
        assertServerHoldsExactly(server, keys, sha, sha.keySet());
        box.ok(client, "git", "annex", "drop", "-J4", ".");
        box.ok(client, "git", "annex", "get", "-J4", ".");
        for (String file : sha.keySet()) {
            assertThat(SshSandbox.sha256(client.resolve(file))).as("SHA-256 of %s after get", file).isEqualTo(sha.get(file));
        }
        box.ok(client, "git", "annex", "drop", "--from", "origin", "eight mebibytes.bin");
        assertThat(box.checkPresentKey(client, keys.get("eight mebibytes.bin"), "origin")).isEqualTo(1);
        assertThat(SshSandbox.objects(server)).doesNotContainKey(keys.get("eight mebibytes.bin"));
        assertThat(box.sshLogLines()).as("ssh stand-in log")
                .anyMatch(l -> l.contains("-o ControlMaster=auto") && l.endsWith("| true"))
                .anyMatch(l -> l.contains("-S ") && l.contains("| git-annex-shell 'p2pstdio' '" + server + "'"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShellUnderTest.class)
    @Timeout(300)
    void clientKilledMidCopyLeavesNothingVisibleAndTheNextCopyResumes(ShellUnderTest shell) throws Exception {
        SshSandbox box = new SshSandbox(tmp, shell).withTraffic();
        Path server = box.createServer("server.git", "test server");
        Path client = box.cloneClient(server, "client");
        long size = 384L << 20;
        String sha = SshSandbox.writeRandom(client.resolve("big file.bin"), size, 42);
        box.ok(client, "git", "annex", "add", "big file.bin");
        box.ok(client, "git", "commit", "-q", "-m", "big");
        String key = box.keys(client).get("big file.bin");
        Path serverTmp = server.resolve("annex/tmp");

        // git-annex itself, not git's "annex" wrapper: killing the wrapper would leave git-annex running.
        Process copy = box.sh().start(client, "git-annex", "copy", "--to", "origin", "big file.bin");
        Sh.drain(copy.getInputStream());
        Sh.drain(copy.getErrorStream());
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long partial = 0;
        while (partial < (16L << 20) && copy.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            partial = SshSandbox.bytesIn(serverTmp);
        }
        assertThat(copy.isAlive()).as("copy still running when %d bytes had arrived (too fast to interrupt?)", partial).isTrue();
        assertThat(partial).as("bytes in the server's annex/tmp after 90 s of copy\n%s", box.sshLogText())
                .isGreaterThanOrEqualTo(16L << 20);
        List<ProcessHandle> connection = copy.descendants().toList();
        copy.destroyForcibly();
        assertThat(copy.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        // The server notices that its client has gone, and ends.
        long gone = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (connection.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < gone) {
            Thread.sleep(50);
        }
        List<String> alive = connection.stream().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        connection.forEach(ProcessHandle::destroyForcibly);
        assertThat(alive).as("server-side processes still running 30 s after their client was killed").isEmpty();

        assertThat(SshSandbox.objects(server)).as("objects on the server after an interrupted copy").doesNotContainKey(key);
        assertThat(box.checkPresentKey(client, key, "origin")).as("checkpresentkey after interrupted copy").isEqualTo(1);
        assertThat(box.whereis(client).get("big file.bin")).doesNotContain(box.uuidOf(server));
        long kept = SshSandbox.bytesIn(serverTmp);
        assertThat(kept).as("partial content kept in annex/tmp for a resume").isPositive().isLessThan(size);

        Set<String> before = box.serverOutputs().keySet();
        box.ok(client, Duration.ofMinutes(3), "git", "annex", "copy", "--to", "origin", "big file.bin");
        List<Long> offsets = new ArrayList<>();
        for (Map.Entry<String, String> e : box.serverOutputs().entrySet()) {
            if (!before.contains(e.getKey())) {
                Matcher m = PUT_FROM.matcher(e.getValue());
                while (m.find()) {
                    offsets.add(Long.parseLong(m.group(1)));
                }
            }
        }
        assertThat(offsets).as("PUT-FROM sent by the server on the second copy (kept %d bytes)\n%s", kept, box.sshLogText())
                .hasSize(1);
        assertThat(offsets.get(0)).as("PUT-FROM offset: resumed from the kept partial content").isPositive().isLessThanOrEqualTo(kept);

        Path object = SshSandbox.objects(server).get(key);
        assertThat(object).as("object on the server after the second copy").isNotNull();
        assertThat(SshSandbox.sha256(object)).as("SHA-256 of the server's object").isEqualTo(sha);
        assertThat(SshSandbox.bytesIn(serverTmp)).as("annex/tmp left after the completed copy").isZero();
        box.ok(client, "git", "annex", "fsck", "--from", "origin", "big file.bin");
    }

    /**
     * Annexhost's shell only, in a heap of 48 MiB: a gibibyte through it proves its memory does not
     * grow with a file's size. (The scenario is the small-file one's; git-annex's shell passing it
     * with a gibibyte would show nothing the small files do not, at 50 s of the suite.)
     */
    @Test
    @Timeout(600)
    void oneGibibyteFileThereAndBackThroughAShellOf48MiB() throws Exception {
        SshSandbox box = new SshSandbox(tmp, ShellUnderTest.ANNEXHOST)
                .withEnv(Map.of("ANNEXHOST_JAVA_OPTS", "-XX:+UseSerialGC -Xmx48m", "ANNEXHOST_NO_HANDOVER", "1"));
        Path server = box.createServer("server.git", "test server");
        Path client = box.cloneClient(server, "client");
        long size = 1L << 30;
        SshSandbox.writeRandom(client.resolve("one gibibyte.bin"), size, 7);
        box.ok(client, Duration.ofMinutes(3), "git", "annex", "add", "one gibibyte.bin");
        box.ok(client, "git", "commit", "-q", "-m", "1 GiB");
        String key = box.keys(client).get("one gibibyte.bin");

        box.ok(client, Duration.ofMinutes(5), "git", "annex", "copy", "--to", "origin", "one gibibyte.bin");
        Path object = SshSandbox.objects(server).get(key);
        assertThat(object).as("object on the server").isNotNull();
        assertThat(Files.size(object)).isEqualTo(size);
        box.ok(client, "git", "annex", "drop", "one gibibyte.bin");
        box.ok(client, Duration.ofMinutes(5), "git", "annex", "get", "one gibibyte.bin");
        assertThat(SshSandbox.sha256(client.resolve("one gibibyte.bin"))).as("SHA-256 after get")
                .isEqualTo(SshSandbox.hashOfKey(key));

        box.ok(client, "git", "annex", "sync", "--no-content", "--quiet");
        assertServerFsckPasses(box, server);
        box.ok(client, "git", "annex", "drop", "--from", "origin", "one gibibyte.bin");
        assertThat(SshSandbox.objects(server)).isEmpty();
        assertThat(box.checkPresentKey(client, key, "origin")).isEqualTo(1);
    }

    private static void assertServerHoldsExactly(Path server, Map<String, String> keys, Map<String, String> sha,
            Set<String> files) throws Exception {
        Map<String, Path> objects = SshSandbox.objects(server);
        assertThat(objects.keySet()).as("objects on the server's disk").containsExactlyInAnyOrderElementsOf(keysOf(keys, files));
        for (String file : files) {
            assertThat(SshSandbox.sha256(objects.get(keys.get(file)))).as("SHA-256 of the server's object for %s", file)
                    .isEqualTo(sha.get(file));
        }
    }

    private static void assertConnections(SshSandbox box, Path server, String serverUuid, String clientUuid)
            throws Exception {
        List<String> commands = box.sshLogLines().stream().map(l -> l.substring(l.indexOf(" | ") + 3)).toList();
        assertThat(commands).as("commands git and git-annex sent over ssh")
                .contains("git-upload-pack '" + server + "'")
                .contains("git-annex-shell 'configlist' '" + server + "'")
                .contains("git-annex-shell 'p2pstdio' '" + server + "' '" + clientUuid + "' --uuid " + serverUuid);
    }

    /** git-receive-pack went through the shell: the server has the client's branch. */
    private static void assertPushed(SshSandbox box, Path client, Path server) throws Exception {
        String head = box.ok(client, "git", "rev-parse", "HEAD").out().trim();
        String branch = box.ok(client, "git", "symbolic-ref", "--short", "HEAD").out().trim();
        assertThat(box.run(server, "git", "rev-parse", "--verify", "-q", "refs/heads/" + branch).out().trim())
                .as("server's %s after git annex sync", branch).isEqualTo(head);
        assertThat(box.sshLogLines()).as("ssh stand-in log").anyMatch(l -> l.endsWith("| git-receive-pack '" + server + "'"));
    }

    private static void assertServerFsckPasses(SshSandbox box, Path server) throws Exception {
        int objects = SshSandbox.objects(server).size();
        Sh.Result fsck = box.ok(server, Duration.ofMinutes(3), "git", "annex", "fsck");
        List<String> checked = SshSandbox.nonBlankLines(fsck.out()).stream().filter(l -> l.endsWith("(checksum...) ok")).toList();
        assertThat(checked).as("git annex fsck in the server repository\n%s", fsck.describe()).hasSize(objects);
        assertThat(fsck.out() + fsck.err()).as(fsck.describe())
                .doesNotContain("failed", "fixing location log", "Bad file", "moved to");
    }

    private static List<String> keysOf(Map<String, String> keys, Iterable<String> files) {
        List<String> out = new ArrayList<>();
        files.forEach(f -> out.add(keys.get(f)));
        return out;
    }
}
