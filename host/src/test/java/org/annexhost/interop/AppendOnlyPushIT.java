package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rule for git pushes under append-only, whichever way they arrive: over ssh as a plain
 * {@code git-receive-pack} (the way {@code CONNECT} inside p2pstdio and smart HTTP share), refs may
 * move forward, but a deletion or a forced, non-fast-forward update is refused and the ref stays.
 * Read-only refuses every push. Real git against the real launcher.
 */
@Timeout(240)
class AppendOnlyPushIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    final String launcher = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().toString();
    ServeProcess server;

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** A work repository with two commits on master, and the served repository. */
    private Path[] repositories() throws Exception {
        Path repo = tmp.resolve("served.git");
        world.ok(tmp, launcher, "init", repo.toString());
        Path work = tmp.resolve("work");
        world.ok(tmp, "git", "init", "-q", "-b", "master", work.toString());
        for (String f : new String[] {"one", "two"}) {
            Files.writeString(work.resolve(f), f);
            world.ok(work, "git", "add", f);
            world.ok(work, "git", "commit", "-q", "-m", f);
        }
        return new Path[] {repo, work};
    }

    private String head(Path repo, String ref) throws Exception {
        return world.ok(repo, "git", "rev-parse", ref).out().strip();
    }

    /** Rewrites master's last commit, so pushing it is not a fast-forward. */
    private void rewrite(Path work) throws Exception {
        world.ok(work, "git", "reset", "-q", "--hard", "HEAD~1");
        Files.writeString(work.resolve("three"), "three");
        world.ok(work, "git", "add", "three");
        world.ok(work, "git", "commit", "-q", "-m", "three instead of two");
    }

    @Test
    void overSshAppendOnlyPushesMoveForwardOnlyAndReadOnlyPushesNothing() throws Exception {
        Path[] r = repositories();
        Path repo = r[0];
        Path work = r[1];
        String shell = " ANNEXHOST_NO_BUILD=1 " + launcher + " shell git-receive-pack";
        String appendOnly = "--receive-pack=env GIT_ANNEX_SHELL_APPENDONLY=1" + shell;
        String readOnly = "--receive-pack=env GIT_ANNEX_SHELL_READONLY=1" + shell;
        String open = "--receive-pack=env" + shell;
        String target = repo.toString();

        world.ok(work, "git", "push", "-q", appendOnly, target, "master", "master:refs/heads/topic");
        String pushed = head(work, "master");
        assertThat(head(repo, "master")).isEqualTo(pushed);
        assertRefused(world.run(work, Duration.ofMinutes(1), Map.of(), "git", "push", appendOnly, target, ":topic"),
                repo, "topic", pushed);
        rewrite(work);
        assertRefused(world.run(work, Duration.ofMinutes(1), Map.of(), "git", "push", "--force", appendOnly, target, "master"),
                repo, "master", pushed);

        Sh.Result ro = world.run(work, Duration.ofMinutes(1), Map.of(), "git", "push", readOnly, target, "master:refs/heads/new");
        assertThat(ro.code()).as(ro.all()).isNotZero();
        assertThat(ro.err()).contains("Action blocked by GIT_ANNEX_SHELL_READONLY");
        assertThat(world.run(repo, Duration.ofMinutes(1), Map.of(), "git", "rev-parse", "--verify", "-q", "refs/heads/new").code())
                .isNotZero();

        // Without a limit the same forced push and deletion go through: the refusals were the rule's.
        world.ok(work, "git", "push", "-q", "--force", open, target, "master", ":topic");
        assertThat(head(repo, "master")).isEqualTo(head(work, "master"));
    }

    @Test
    void overHttpAnAppendOnlyPushMovesForwardOnly() throws Exception {
        Path[] r = repositories();
        Path repo = r[0];
        Path work = r[1];
        String url = serve(repo, "--unauth-appendonly");
        world.ok(work, "git", "push", "-q", url, "master", "master:refs/heads/topic");
        String pushed = head(work, "master");
        assertThat(head(repo, "master")).isEqualTo(pushed);
        assertRefused(world.run(work, Duration.ofMinutes(1), Map.of(), "git", "push", url, ":topic"), repo, "topic", pushed);
        rewrite(work);
        assertRefused(world.run(work, Duration.ofMinutes(1), Map.of(), "git", "push", "--force", url, "master"),
                repo, "master", pushed);
        world.ok(work, "git", "pull", "-q", "--rebase=false", "--no-edit", "-s", "ours", url, "master");
        world.ok(work, "git", "push", "-q", url, "master");
        assertThat(head(repo, "master")).as("a fast-forward still goes through").isEqualTo(head(work, "master"));
    }

    private void assertRefused(Sh.Result push, Path repo, String ref, String stillAt) throws Exception {
        assertThat(push.code()).as("push should have been refused:\n%s", push.all()).isNotZero();
        assertThat(push.all()).containsAnyOf("deny deleting", "non-fast-forward", "denyNonFastforwards", "rejected");
        assertThat(head(repo, ref)).as("%s unchanged", ref).isEqualTo(stillAt);
    }

    private String serve(Path repo, String... options) throws Exception {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--repo", repo.toString(), "--port", "0"));
        args.addAll(java.util.List.of(options));
        server = world.serve(tmp, launcher, args.toArray(String[]::new));
        return server.url();
    }
}
