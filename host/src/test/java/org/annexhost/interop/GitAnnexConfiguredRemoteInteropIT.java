package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Special remotes that git-annex itself configured in the host's repository (its remote.log and
 * git config) are used by annexhost with the same uuid and configuration, and git-annex still
 * reads what annexhost stored through them.
 */
@Timeout(600)
class GitAnnexConfiguredRemoteInteropIT {
    @TempDir
    Path tmp;

    @Test
    void directoryAndExternalRemotesMadeByGitAnnex() throws Exception {
        AnnexWorld world = new AnnexWorld(tmp);
        String launcher = System.getProperty("annexhost.launcher", "../annexhost");
        Path program = tmp.resolve("bin").resolve("git-annex-remote-pydir");
        try (var in = getClass().getResourceAsStream("/interop/git-annex-remote-pydir")) {
            Files.copy(in, program);
        }
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
        Path dirStore = Files.createDirectories(tmp.resolve("dir-store"));
        world.ok(gateway, "git", "annex", "initremote", "nas", "type=directory", "directory=" + dirStore, "encryption=none");
        world.ok(gateway, "git", "annex", "initremote", "py", "type=external", "externaltype=pydir",
                "directory=" + tmp.resolve("py-store"), "encryption=none");
        String nasUuid = world.ok(gateway, "git", "config", "remote.nas.annex-uuid").out().trim();
        String listed = world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out();
        assertThat(listed).contains("nas\t" + nasUuid + "\tdirectory").contains("\texternal\t");
        world.ok(tmp, launcher, "proxy", "--repo", gateway.toString(), "nas");
        world.ok(tmp, launcher, "proxy", "--repo", gateway.toString(), "py");

        Path client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "client");
        String hash = AnnexWorld.writeRandom(client.resolve("notes.txt"), 4096, 3);
        world.ok(client, "git", "annex", "add", "notes.txt");
        world.ok(client, "git", "commit", "-q", "-m", "notes");
        String key = world.ok(client, "git", "annex", "lookupkey", "notes.txt").out().trim();
        world.ok(client, "git", "annex", "copy", "--to", "origin-nas", "notes.txt");
        world.ok(client, "git", "annex", "copy", "--to", "origin-py", "notes.txt");
        // git-annex, in the gateway, finds what annexhost stored through its own remotes.
        world.ok(gateway, "git", "annex", "checkpresentkey", key, "nas");
        world.ok(gateway, "git", "annex", "checkpresentkey", key, "py");
        world.ok(client, "git", "annex", "drop", "notes.txt");
        world.ok(client, "git", "annex", "get", "--from", "origin-py", "notes.txt");
        assertThat(AnnexWorld.sha256(client.resolve("notes.txt"))).isEqualTo(hash);
        assertThat(Map.of("uuid", nasUuid)).isNotEmpty();
    }
}
