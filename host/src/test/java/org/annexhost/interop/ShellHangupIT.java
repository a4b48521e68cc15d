package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that goes away while the shell waits for ref changes takes the shell process with it,
 * as git-annex-shell does: over {@code notifychanges} and over p2pstdio's NOTIFYCHANGE. Before, the
 * process lived on, polling git, until some ref changed: one leaked process per vanished client.
 */
@Timeout(120)
class ShellHangupIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    Path repo;
    final String launcher = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().toString();

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        repo = tmp.resolve("served.git");
        world.ok(tmp, launcher, "init", repo.toString());
    }

    @Test
    void notifychangesReportsARefAndEndsWhenTheClientLeaves() throws Exception {
        Process shell = world.start(tmp, Map.of(), launcher, "shell", "-c", "git-annex-shell 'notifychanges' '" + repo + "'");
        BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
        Thread.sleep(3_000);
        String head = world.ok(repo, "git", "rev-parse", "refs/heads/git-annex").out().strip();
        world.ok(repo, "git", "update-ref", "refs/heads/moved", head);
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (Exception e) {
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(line).isEqualTo("refs/heads/moved");
        shell.getOutputStream().close();
        assertThat(shell.waitFor(10, TimeUnit.SECONDS)).as("notifychanges still running after the client left").isTrue();
        assertThat(shell.exitValue()).isZero();
    }

    @Test
    void p2pstdioWaitingForAChangeEndsWhenTheClientLeaves() throws Exception {
        String uuid = "22222222-3333-4444-5555-666666666666";
        Process shell = world.start(tmp, Map.of(), launcher, "shell", "-c", "git-annex-shell 'p2pstdio' '" + repo + "' '" + uuid + "'");
        BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
        OutputStream in = shell.getOutputStream();
        CompletableFuture<String> auth = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (Exception e) {
                return null;
            }
        });
        assertThat(auth.get(60, TimeUnit.SECONDS)).startsWith("AUTH-SUCCESS ");
        in.write("VERSION 4\nNOTIFYCHANGE\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        assertThat(out.readLine()).isEqualTo("VERSION 4");
        Thread.sleep(1_000);
        in.close();
        assertThat(shell.waitFor(10, TimeUnit.SECONDS)).as("p2pstdio still waiting after the client left").isTrue();
    }
}
