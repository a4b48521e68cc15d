package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No git process on the per-file path: a conversation of N small PUTs, CHECKPRESENTs, GETs,
 * LOCKCONTENTs and REMOVEs, to the host's repository and to a directory remote through it, runs
 * as many git processes for N = 100 as for N = 10 (what it opens, and the one commit of the
 * journal at its end). Counted by a {@code git} first on the shell's PATH that logs each run.
 */
@Timeout(240)
class GitProcessCountIT {
    @TempDir
    Path tmp;
    final String launcher = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().toString();
    Path bin;
    Path gitLog;

    @BeforeEach
    void countingGit() throws Exception {
        bin = Files.createDirectories(tmp.resolve("bin"));
        gitLog = tmp.resolve("git.log");
        String real = new Sh(Map.of()).run(tmp, Duration.ofSeconds(30), "bash", "-c", "command -v git").out().strip();
        Path git = bin.resolve("git");
        Files.writeString(git, "#!/bin/sh\necho \"$*\" >> '" + gitLog + "'\nexec '" + real + "' \"$@\"\n");
        Files.setPosixFilePermissions(git, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void theHostsRepository() throws Exception {
        Path repo = tmp.resolve("r.git");
        run(launcher, "init", repo.toString());
        long ten = conversation(repo, null, 10, "ten");
        long hundred = conversation(repo, null, 100, "hundred");
        assertThat(hundred).as("git processes for 100 files against %d for 10:\n%s", ten, Files.readString(gitLog))
                .isEqualTo(ten);
        assertThat(ten).as("what a conversation opens and commits").isLessThanOrEqualTo(12);
    }

    @Test
    void aDirectoryRemoteThroughTheGateway() throws Exception {
        Path repo = tmp.resolve("g.git");
        run(launcher, "init", repo.toString());
        String made = run(launcher, "initremote", "--repo", repo.toString(), "nas", "type=directory",
                "directory=" + Files.createDirectories(tmp.resolve("nas")), "encryption=none");
        String uuid = made.replaceAll("(?s).*uuid ([0-9a-f-]+),.*", "$1");
        long ten = conversation(repo, uuid, 10, "ten");
        long hundred = conversation(repo, uuid, 100, "hundred");
        assertThat(hundred).as("git processes for 100 files against %d for 10:\n%s", ten, Files.readString(gitLog))
                .isEqualTo(ten);
    }

    /** @return how many git processes one conversation of n files ran */
    private long conversation(Path repo, String remote, int n, String tag) throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes("VERSION 4\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < n; i++) {
            byte[] content = (tag + " file " + i + "\n").getBytes(StandardCharsets.UTF_8);
            String key = "SHA256E-s" + content.length + "--"
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)) + ".txt";
            in.writeBytes(("PUT f" + i + ".txt " + key + "\nDATA " + content.length + "\n").getBytes(StandardCharsets.UTF_8));
            in.writeBytes(content);
            in.writeBytes(("VALID\nCHECKPRESENT " + key + "\nGET 0 f " + key + "\nSUCCESS\nLOCKCONTENT " + key
                    + "\nUNLOCKCONTENT\nREMOVE " + key + "\n").getBytes(StandardCharsets.UTF_8));
        }
        long before = Files.exists(gitLog) ? Files.readAllLines(gitLog).size() : 0;
        String command = "git-annex-shell 'p2pstdio' '" + repo + "' '55555555-6666-7777-8888-999999999999'"
                + (remote == null ? "" : " --uuid " + remote);
        Process p = new Sh(Map.of("PATH", bin + ":" + System.getenv("PATH"), "ANNEXHOST_NO_BUILD", "1"))
                .builder(tmp, launcher, "shell", "-c", command).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectError(tmp.resolve(tag + ".err").toFile()).start();
        CompletableFuture<String> out = Sh.drain(p.getInputStream());
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(in.toByteArray());
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String replies = out.get(30, TimeUnit.SECONDS);
        assertThat(replies.split("\n")).filteredOn(l -> l.equals("SUCCESS")).as("replies:\n%s", replies)
                .hasSize(4 * n);
        return Files.readAllLines(gitLog).size() - before;
    }

    private String run(String... cmd) throws Exception {
        Sh.Result r = new Sh(Map.of("ANNEXHOST_NO_BUILD", "1")).run(tmp, Duration.ofMinutes(2), cmd);
        assertThat(r.code()).as(r.describe()).isZero();
        return r.all();
    }
}
