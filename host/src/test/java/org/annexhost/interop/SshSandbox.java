package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.annexhost.testing.Sh;

/**
 * A sandbox in which the real git-annex client reaches a server repository "over ssh": a HOME of
 * its own and the {@code interop/ssh} stand-in first on PATH, which runs each remote command string
 * locally through the shell under test as the account's login shell would (every command,
 * git-upload-pack and git-receive-pack included), or as a forced command would. Every connection is logged; with
 * {@link #withTraffic()} the server's side of each conversation is kept too.
 *
 * <p>A missing or too old git-annex fails the test and says how to install it. One per test; not
 * thread-safe.
 */
final class SshSandbox {
    /** Whose git-annex-shell answers: git-annex's own (the reference) or annexhost's drop-in. */
    enum ShellUnderTest {
        GIT_ANNEX_SHELL, ANNEXHOST
    }

    static final Duration STEP = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final ShellUnderTest shell;
    final Path sshLog;
    final Path traffic;
    final Path launcher;
    private Sh sh;

    SshSandbox(Path root, ShellUnderTest shell) throws IOException {
        this.root = root;
        this.shell = shell;
        Path home = Files.createDirectories(root.resolve("home"));
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path ssh = bin.resolve("ssh");
        try (InputStream in = SshSandbox.class.getResourceAsStream("/interop/ssh")) {
            assertThat(in).as("test resource /interop/ssh").isNotNull();
            Files.copy(in, ssh);
        }
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.sshLog = root.resolve("ssh.log");
        this.traffic = root.resolve("traffic");
        this.launcher = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().normalize();
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("SSH_STANDIN_LOG", sshLog.toString());
        env.put("SSH_STANDIN_MODE", "login");
        env.put("ANNEXHOST_NO_BUILD", "1");
        for (String who : List.of("AUTHOR", "COMMITTER")) {
            env.put("GIT_" + who + "_NAME", "interop");
            env.put("GIT_" + who + "_EMAIL", "interop@localhost");
        }
        if (shell == ShellUnderTest.ANNEXHOST) {
            assertThat(launcher).as("annexhost launcher (system property annexhost.launcher)").isExecutable();
            env.put("ANNEXHOST_SHELL", launcher + " shell");
        }
        this.sh = new Sh(env);
        requireGitAnnex();
    }

    /**
     * Hands command strings to the shell as a forced command in authorized_keys does (in
     * SSH_ORIGINAL_COMMAND) instead of as a login shell does ({@code -c STRING}).
     */
    SshSandbox asForcedCommand() {
        sh = sh.with(Map.of("SSH_STANDIN_MODE", "forced"));
        return this;
    }

    /** Adds environment to every later command (and so to the shells ssh starts). */
    SshSandbox withEnv(Map<String, String> more) {
        sh = sh.with(more);
        return this;
    }

    /** Keeps the server's output of every later connection under {@link #traffic}. */
    SshSandbox withTraffic() {
        sh = sh.with(Map.of("SSH_STANDIN_TEE", traffic.toString()));
        return this;
    }

    Sh sh() {
        return sh;
    }

    private void requireGitAnnex() throws IOException {
        Sh.Result version;
        try {
            version = sh.run(root, Duration.ofSeconds(60), "git", "annex", "version", "--raw");
        } catch (IOException e) {
            throw new AssertionError("git is not installed: run scripts/install-deps.sh", e);
        }
        assertThat(version.code()).as("git-annex is missing or broken: run scripts/install-deps.sh\n%s", version.describe())
                .isZero();
        assertThat(version.out().trim()).as("git-annex is older than this test needs: run scripts/install-deps.sh")
                .isGreaterThanOrEqualTo("10.20240701");
        if (shell == ShellUnderTest.GIT_ANNEX_SHELL) {
            Sh.Result which = sh.run(root, Duration.ofSeconds(30), "bash", "-c", "command -v git-annex-shell git-shell");
            assertThat(which.code()).as("git-annex-shell or git-shell not on PATH: run scripts/install-deps.sh\n%s",
                    which.describe()).isZero();
        }
    }

    /** Makes a bare server repository the way each side does it and returns its path. */
    Path createServer(String name, String description) throws IOException {
        Path server = root.resolve(name);
        if (shell == ShellUnderTest.ANNEXHOST) {
            ok(root, launcher.toString(), "init", server.toString(), "--description", description);
        } else {
            ok(root, "git", "init", "-q", "--bare", server.toString());
            ok(server, "git", "annex", "init", "-q", description);
        }
        return server;
    }

    /** Clones the server through the stand-in, as {@code localhost:/abs/path}, and makes it a git-annex repository. */
    Path cloneClient(Path server, String name) throws IOException {
        Path client = root.resolve(name);
        ok(root, "git", "clone", "-q", "localhost:" + server, client.toString());
        // No control sockets: each connection is a separate run of the stand-in and the shell.
        ok(client, "git", "config", "annex.sshcaching", "false");
        ok(client, "git", "annex", "init", "-q", "laptop");
        return client;
    }

    /** Runs a command that must exit 0 within {@link #STEP}. */
    Sh.Result ok(Path dir, String... command) throws IOException {
        return ok(dir, STEP, command);
    }

    /** Runs a command that must exit 0 within the deadline; the failure message carries the ssh log. */
    Sh.Result ok(Path dir, Duration deadline, String... command) throws IOException {
        Sh.Result r = sh.run(dir, deadline, command);
        assertThat(r.code()).as("[%s] %s\n--- ssh stand-in log ---\n%s", shell, r.describe(), sshLogText()).isZero();
        return r;
    }

    /** Runs a command whose exit code the caller checks. */
    Sh.Result run(Path dir, String... command) throws IOException {
        return sh.run(dir, STEP, command);
    }

    String uuidOf(Path repo) throws IOException {
        return ok(repo, "git", "config", "annex.uuid").out().trim();
    }

    /** File name to key, for every annexed file under the client's work tree, present or not. */
    Map<String, String> keys(Path client) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : ok(client, "git", "annex", "find", "--include=*", "--format=${file}\\t${key}\\n").out().split("\n")) {
            if (!line.isEmpty()) {
                String[] parts = line.split("\t", 2);
                keys.put(parts[0], parts[1]);
            }
        }
        return keys;
    }

    /** File name to the uuids git-annex (in the client) believes hold its content. */
    Map<String, Set<String>> whereis(Path client) throws IOException {
        Map<String, Set<String>> where = new LinkedHashMap<>();
        // whereis exits 1 when some file has no copy at all; the JSON still says everything.
        Sh.Result r = run(client, "git", "annex", "whereis", "--json", ".");
        for (String line : r.out().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            Set<String> uuids = new LinkedHashSet<>();
            n.path("whereis").forEach(w -> uuids.add(w.path("uuid").asText()));
            where.put(n.path("file").asText(), uuids);
        }
        assertThat(where).as("whereis --json gave nothing: %s", r.describe()).isNotEmpty();
        return where;
    }

    /** The records of a {@code --json} run, one per line of its output. */
    static List<JsonNode> jsonRecords(Sh.Result r) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isBlank()) {
                records.add(JSON.readTree(line));
            }
        }
        return records;
    }

    /** The annexed files whose content the client has. */
    Set<String> presentHere(Path client) throws IOException {
        return new LinkedHashSet<>(nonBlankLines(ok(client, "git", "annex", "find", "--in=here").out()));
    }

    /** Asks the remote itself (a CHECKPRESENT over a new connection): 0 present, 1 absent, other: cannot tell. */
    int checkPresentKey(Path client, String key, String remote) throws IOException {
        return run(client, "git", "annex", "checkpresentkey", key, remote).code();
    }

    /** Key to object file, for every object in a bare repository's annex/objects. */
    static Map<String, Path> objects(Path bareRepo) throws IOException {
        Path dir = bareRepo.resolve("annex/objects");
        Map<String, Path> found = new LinkedHashMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).forEach(p -> found.put(p.getFileName().toString(), p));
            }
        }
        return found;
    }

    /** Total bytes of the regular files in a directory (0 if it does not exist). */
    static long bytesIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    List<String> sshLogLines() throws IOException {
        return Files.exists(sshLog) ? Files.readAllLines(sshLog) : List.of();
    }

    String sshLogText() {
        try {
            return String.join("\n", sshLogLines());
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Pid of each connection (its stand-in) to what the server sent on it, in the order they were logged. */
    Map<String, String> serverOutputs() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : sshLogLines()) {
            String pid = line.substring(0, line.indexOf(' '));
            Path f = traffic.resolve(pid + ".out");
            if (Files.exists(f)) {
                out.put(pid, readHead(f, 64 << 10));
            }
        }
        return out;
    }

    private static String readHead(Path f, int max) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            return new String(in.readNBytes(max), StandardCharsets.ISO_8859_1);
        }
    }

    /** Writes {@code size} deterministic pseudo-random bytes and returns their SHA-256 in hex. */
    static String writeRandom(Path file, long size, long seed) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(buf.length, left);
                fill(random, buf, n);
                out.write(buf, 0, n);
                sha.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void fill(SplittableRandom random, byte[] buf, int n) {
        for (int i = 0; i < n; i += 8) {
            long v = random.nextLong();
            for (int j = 0; j < 8 && i + j < n; j++) {
                buf[i + j] = (byte) (v >>> (8 * j));
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hash in a SHA256E key: "SHA256E-s11--HEX.txt" gives HEX. */
    static String hashOfKey(String key) {
        assertThat(key).as("key backend").startsWith("SHA256E-");
        String hex = key.substring(key.indexOf("--") + 2);
        int dot = hex.indexOf('.');
        return dot < 0 ? hex : hex.substring(0, dot);
    }

    static List<String> nonBlankLines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }
}
