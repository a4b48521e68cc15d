package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;

/**
 * A sandbox for interop tests: a HOME of its own, an {@code ssh} stand-in first on PATH that runs
 * git-annex-shell commands through {@code annexhost shell}, and a way to run commands with a
 * deadline and see their output. A missing git-annex fails the test with how to install it.
 */
public final class AnnexWorld {
    final Path root;
    final Path home;
    final Path sshLog;
    private final Sh sh;

    public AnnexWorld(Path root) throws IOException {
        this.root = root;
        this.home = Files.createDirectories(root.resolve("home"));
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path ssh = bin.resolve("ssh");
        try (InputStream in = AnnexWorld.class.getResourceAsStream("/interop/ssh")) {
            Files.copy(in, ssh);
        }
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.sshLog = root.resolve("ssh.log");
        String launcher = System.getProperty("annexhost.launcher", "../annexhost");
        Path launcherPath = Path.of(launcher).toAbsolutePath().normalize();
        this.sh = new Sh(Map.of(
                "PATH", bin + File.pathSeparator + System.getenv("PATH"),
                "HOME", home.toString(),
                "ANNEXHOST_SHELL", launcherPath + " shell",
                "ANNEXHOST_NO_BUILD", "1",
                "SSH_STANDIN_LOG", sshLog.toString(),
                "GIT_AUTHOR_NAME", "interop", "GIT_AUTHOR_EMAIL", "interop@localhost",
                "GIT_COMMITTER_NAME", "interop", "GIT_COMMITTER_EMAIL", "interop@localhost"));
        requireGitAnnex();
    }

    private void requireGitAnnex() throws IOException {
        Sh.Result r;
        try {
            r = run(root, Duration.ofSeconds(30), Map.of(), "git", "annex", "version", "--raw");
        } catch (IOException e) {
            throw new AssertionError("git-annex is not installed: run scripts/install-deps.sh", e);
        }
        assertThat(r.code()).as("git-annex missing or broken (run scripts/install-deps.sh): %s", r.all()).isZero();
        assertThat(r.out().trim()).as("git-annex too old for this test; run scripts/install-deps.sh")
                .isGreaterThanOrEqualTo("10.20240701");
    }

    /** The sandbox's runner: its environment, deadlines, and output kept for failure messages. */
    Sh sh() {
        return sh;
    }

    /** Runs a command that must succeed. */
    public Sh.Result ok(Path dir, String... cmd) throws IOException {
        return ok(dir, Duration.ofMinutes(3), Map.of(), cmd);
    }

    Sh.Result ok(Path dir, Duration timeout, Map<String, String> extraEnv, String... cmd) throws IOException {
        Sh.Result r = run(dir, timeout, extraEnv, cmd);
        assertThat(r.code()).as("%s\nssh log:\n%s", r.describe(), sshLogText()).isZero();
        return r;
    }

    /** Starts a command whose stdin the caller writes; the caller owns the process. */
    public Process start(Path dir, Map<String, String> extraEnv, String... cmd) throws IOException {
        return sh.with(extraEnv).startWithInput(dir, cmd);
    }

    /** Runs a command whose exit code the caller checks; past the deadline it fails the test. */
    Sh.Result run(Path dir, Duration timeout, Map<String, String> extraEnv, String... cmd) throws IOException {
        return sh.with(extraEnv).run(dir, timeout, cmd);
    }

    /** Starts {@code annexhost serve ARGS...} in this sandbox; the caller closes it. */
    ServeProcess serve(Path dir, String launcher, String... args) throws Exception {
        return ServeProcess.start(sh, dir, launcher, args);
    }

    /** Starts {@code annexhost serve ARGS...} in this sandbox with more environment; the caller closes it. */
    ServeProcess serve(Path dir, Map<String, String> extraEnv, String launcher, String... args) throws Exception {
        return ServeProcess.start(sh.with(extraEnv), dir, launcher, args);
    }

    String sshLogText() {
        try {
            return Files.exists(sshLog) ? Files.readString(sshLog) : "(no ssh commands)";
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    /** Debian's git-annex-remote-rclone with rclone 1.60's size output understood; see the adapter's tests. */
    static Path patchedRclone(Path tmp) throws Exception {
        Path original = Path.of("/usr/bin/git-annex-remote-rclone");
        assertThat(original).as("git-annex-remote-rclone is not installed: run scripts/install-deps.sh").exists();
        String fixed = Files.readString(original)
                .replace("grep -E 'Total objects: [1-9][0-9]* Total size'", "grep -E 'Total objects: [1-9][0-9]*( \\([0-9]+\\))? Total size'")
                .replace("! echo $check_result|grep 'Total size: 0 (0 bytes)' >&2", "true")
                .replaceFirst("\n", "\nexport RCLONE_CONFIG_ANNEXHOSTTEST_TYPE=local\n");
        Path copy = tmp.resolve("git-annex-remote-rclone");
        Files.writeString(copy, fixed);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return copy;
    }

    /** Writes a file of pseudo-random bytes, streaming, and returns its SHA-256. */
    static String writeRandom(Path file, long size, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        byte[] buf = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                for (int i = 0; i < n; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        buf[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                out.write(buf, 0, n);
                sha.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * @return the location log files in a repository's git-annex branch that list the uuid as
     *     having the key now (its newest line for that uuid says present)
     */
    List<String> keysLoggedPresent(Path gitDir, String uuid) throws IOException {
        List<String> out = new ArrayList<>();
        for (String file : lines(ok(gitDir, "git", "ls-tree", "-r", "--name-only", "git-annex").out())) {
            if (!file.endsWith(".log") || file.indexOf('/') < 0 || file.endsWith(".log.cnk")) {
                continue;
            }
            String newest = null;
            for (String l : lines(ok(gitDir, "git", "show", "git-annex:" + file).out())) {
                String[] w = l.split(" ");
                if (w.length >= 3 && w[2].equals(uuid) && (newest == null || w[0].compareTo(newest.split(" ")[0]) >= 0)) {
                    newest = l;
                }
            }
            if (newest != null && newest.split(" ")[1].equals("1")) {
                out.add(file.substring(file.lastIndexOf('/') + 1, file.length() - ".log".length()));
            }
        }
        return out;
    }

    static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.trim());
            }
        }
        return out;
    }
}
