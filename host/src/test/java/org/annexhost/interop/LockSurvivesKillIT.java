package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * LOCKCONTENT on a plugin remote (which cannot lock by itself) through a real {@code annexhost
 * shell p2pstdio} process; the process is killed with SIGKILL while holding the lock. A fresh
 * process must still refuse REMOVE, until the retention period (shortened here to a few seconds
 * with {@code ANNEXHOST_LOCK_RETENTION}) has passed since the lock was taken.
 */
@Timeout(120)
class LockSurvivesKillIT {
    static final long RETENTION = 6;

    @TempDir
    Path tmp;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");

    final Sh sh = new Sh(Map.of("ANNEXHOST_NO_BUILD", "1", "ANNEXHOST_LOCK_RETENTION", Long.toString(RETENTION)));

    private List<String> run(String... cmd) throws Exception {
        Sh.Result r = sh.run(tmp, Duration.ofMinutes(1), cmd);
        assertThat(r.code()).as(r.describe()).isZero();
        return List.of(r.out().split("\n"));
    }

    /** Starts a shell conversation the test writes; its stderr to a file. */
    private Process start(String... cmd) throws Exception {
        return sh.builder(tmp, cmd).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("stderr.log").toFile())).start();
    }

    /** As git-annex runs it over ssh. */
    private static String shellCommand(Path gateway, String uuid) {
        return "git-annex-shell 'p2pstdio' '" + gateway + "' 'client-uuid' --uuid " + uuid;
    }

    /** One p2pstdio conversation: sends the lines, returns the replies after AUTH-SUCCESS and VERSION. */
    private List<String> converse(Path gateway, String remoteUuid, byte[] input, int replies) throws Exception {
        Process p = start(launcher, "shell", "-c", shellCommand(gateway, remoteUuid));
        try (OutputStream in = p.getOutputStream()) {
            in.write(input);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < replies + 2; i++) {
            lines.add(out.readLine());
        }
        p.waitFor(30, TimeUnit.SECONDS);
        return lines.subList(2, lines.size());
    }

    @Test
    void aLockHeldByAKilledHostStillRefusesRemoveUntilItExpires() throws Exception {
        Path gateway = tmp.resolve("gateway.git");
        Path store = Files.createDirectories(tmp.resolve("store"));
        run(launcher, "init", gateway.toString());
        String made = String.join("\n", run(launcher, "initremote", "--repo", gateway.toString(), "store",
                "type=directory", "directory=" + store, "encryption=none"));
        String uuid = made.replaceAll("(?s).*uuid ([0-9a-f-]+),.*", "$1");

        byte[] content = "locked content\n".getBytes(StandardCharsets.UTF_8);
        String key = "SHA256E-s" + content.length + "--"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)) + ".txt";
        java.io.ByteArrayOutputStream put = new java.io.ByteArrayOutputStream();
        put.write(("VERSION 4\nPUT f.txt " + key + "\nDATA " + content.length + "\n").getBytes(StandardCharsets.UTF_8));
        put.write(content);
        put.write("VALID\n".getBytes(StandardCharsets.UTF_8));
        assertThat(converse(gateway, uuid, put.toByteArray(), 2)).containsExactly("PUT-FROM 0", "SUCCESS");

        // Lock in a process that then dies without a word.
        Process holder = start(launcher, "shell", "-c", shellCommand(gateway, uuid));
        long lockedAt = System.nanoTime();
        OutputStream holderIn = holder.getOutputStream();
        holderIn.write(("VERSION 4\nLOCKCONTENT " + key + "\n").getBytes(StandardCharsets.UTF_8));
        holderIn.flush();
        BufferedReader holderOut = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertThat(List.of(holderOut.readLine(), holderOut.readLine(), holderOut.readLine()))
                .containsExactly("AUTH-SUCCESS " + uuid, "VERSION 4", "SUCCESS");
        holder.destroyForcibly(); // SIGKILL: no UNLOCKCONTENT, no cleanup
        assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();

        byte[] remove = ("VERSION 4\nREMOVE " + key + "\n").getBytes(StandardCharsets.UTF_8);
        assertThat(converse(gateway, uuid, remove, 1)).as("remove while the dead holder's lock holds").containsExactly("FAILURE");
        assertThat(Files.walk(store).anyMatch(p -> p.getFileName().toString().equals(key))).isTrue();

        long waitMillis = RETENTION * 1000 - (System.nanoTime() - lockedAt) / 1_000_000 + 1500;
        if (waitMillis > 0) {
            Thread.sleep(waitMillis);
        }
        assertThat(converse(gateway, uuid, remove, 1)).as("remove after the retention period").containsExactly("SUCCESS");
        assertThat(Files.walk(store).anyMatch(p -> p.getFileName().toString().equals(key))).isFalse();
    }
}
