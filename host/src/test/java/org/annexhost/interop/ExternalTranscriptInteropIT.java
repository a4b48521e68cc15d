package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same external remote driven by git-annex and by annexhost, every line of both conversations
 * logged by a wrapper, compared request by request (initremote, store, checkpresent, retrieve,
 * remove). They differ only where documented here:
 * <ul>
 *   <li>git-annex asks LISTCONFIGS and EXPORTSUPPORTED during initremote, and GETCOST after its
 *       first PREPARE; annexhost checks parameters against its own remote type instead, does not
 *       export, and has no use for a cost; annexhost asks GETORDERED once (git-annex does so only
 *       when it proxies), to stream retrieved content while the remote writes it;</li>
 *   <li>file names in TRANSFER differ (each program's own temporary files) and are normalized;</li>
 *   <li>the order of requests differs (annexhost checks presence before every retrieve).</li>
 * </ul>
 */
@Timeout(600)
class ExternalTranscriptInteropIT {
    @TempDir
    Path tmp;

    private Path remoteBin() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String[] f : new String[][] {{"remote-logger", "git-annex-remote-pydir"}, {"git-annex-remote-pydir", "real-pydir"}}) {
            Path p = bin.resolve(f[1]);
            try (var in = getClass().getResourceAsStream("/interop/" + f[0])) {
                Files.copy(in, p);
            }
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    @Test
    void annexhostTalksToTheRemoteAsGitAnnexDoes() throws Exception {
        AnnexWorld world = new AnnexWorld(tmp);
        Path bin = remoteBin();
        String launcher = System.getProperty("annexhost.launcher", "../annexhost");
        Path gaLog = tmp.resolve("git-annex.log");
        Path ahLog = tmp.resolve("annexhost.log");
        Map<String, String> gaEnv = Map.of("REMOTE_LOG", gaLog.toString(), "PATH", bin + ":" + System.getenv("PATH"));

        // git-annex drives the remote itself.
        Path repo = tmp.resolve("plain");
        world.ok(tmp, "git", "init", "-q", repo.toString());
        world.ok(repo, "git", "annex", "init", "plain");
        world.ok(repo, java.time.Duration.ofMinutes(2), gaEnv, "git", "annex", "initremote", "py", "type=external",
                "externaltype=pydir", "directory=" + tmp.resolve("store-ga"), "encryption=none");
        Files.writeString(repo.resolve("a"), "hi\n");
        world.ok(repo, "git", "annex", "add", "a");
        String key = world.ok(repo, "git", "annex", "lookupkey", "a").out().trim();
        runAll(world, repo, gaEnv, "py", key);

        // annexhost drives it for a client, through the gateway.
        Path gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
        Map<String, String> ahEnv = Map.of("REMOTE_LOG", ahLog.toString());
        world.ok(tmp, java.time.Duration.ofMinutes(2), ahEnv, launcher, "initremote", "--repo", gateway.toString(), "py",
                "type=external", "externaltype=pydir", "annexhost-program=" + bin.resolve("git-annex-remote-pydir"),
                "directory=" + tmp.resolve("store-ah"), "encryption=none");
        Path client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "client");
        Files.writeString(client.resolve("a"), "hi\n");
        world.ok(client, "git", "annex", "add", "a");
        runAll(world, client, ahEnv, "origin-py", key);

        Set<List<String>> gitAnnex = conversations(Files.readAllLines(gaLog));
        Set<List<String>> annexhost = conversations(Files.readAllLines(ahLog));
        assertThat(annexhost).as("annexhost's conversations with the remote, request by request")
                .containsExactlyInAnyOrderElementsOf(gitAnnex);
        assertThat(gitAnnex).anyMatch(c -> c.get(0).startsWith("< TRANSFER STORE"))
                .anyMatch(c -> c.get(0).startsWith("< TRANSFER RETRIEVE"))
                .anyMatch(c -> c.get(0).startsWith("< REMOVE")).anyMatch(c -> c.get(0).equals("< INITREMOTE"));
    }

    private static void runAll(AnnexWorld world, Path repo, Map<String, String> env, String remote, String key) throws Exception {
        java.time.Duration t = java.time.Duration.ofMinutes(2);
        world.ok(repo, t, env, "git", "annex", "copy", "--to", remote, "a");
        world.ok(repo, t, env, "git", "annex", "checkpresentkey", key, remote);
        world.ok(repo, t, env, "git", "annex", "drop", "--force", "a");
        world.ok(repo, t, env, "git", "annex", "get", "--from", remote, "a");
        world.ok(repo, t, env, "git", "annex", "drop", "--from", remote, "a");
    }

    /** Splits a log into one list of normalized lines per request, leaving out what is documented above. */
    static Set<List<String>> conversations(List<String> log) {
        Set<List<String>> out = new LinkedHashSet<>();
        List<String> current = null;
        for (String raw : log) {
            String line = raw.replaceAll("/\\S*/store-(ga|ah)", "<store>")
                    .replaceAll("^(< TRANSFER (STORE|RETRIEVE) \\S+) .*$", "$1 <file>");
            if (line.startsWith("> VERSION") || line.startsWith("< EXTENSIONS") || line.startsWith("> EXTENSIONS")) {
                if (!line.equals("< EXTENSIONS INFO GETGITREMOTENAME UNAVAILABLERESPONSE ASYNC") && line.startsWith("< ")) {
                    out.add(List.of("unexpected extensions: " + line));
                }
                continue;
            }
            if (line.startsWith("< ") && !line.startsWith("< VALUE") && !line.startsWith("< CREDS") && !line.startsWith("< ERROR")) {
                current = new ArrayList<>();
                current.add(line);
            } else if (current != null) {
                current.add(line);
            }
            if (current != null && line.startsWith("> ") && isResponse(line.substring(2))) {
                String first = current.get(0);
                if (!first.equals("< LISTCONFIGS") && !first.equals("< EXPORTSUPPORTED") && !first.equals("< GETCOST")
                        && !first.equals("< GETORDERED")) {
                    out.add(List.copyOf(current));
                }
                current = null;
            }
        }
        return out;
    }

    private static boolean isResponse(String line) {
        String verb = line.split(" ", 2)[0];
        return verb.endsWith("-SUCCESS") || verb.endsWith("-FAILURE") || verb.endsWith("-UNKNOWN") || verb.equals("CONFIGEND")
                || verb.equals("UNSUPPORTED-REQUEST") || verb.equals("COST");
    }
}
