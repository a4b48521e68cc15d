package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal as clients and git-annex itself meet it: what one client copied at -J16 is on the
 * branch a second client fetches right after, over ssh and over HTTP (no entry lost between
 * concurrent conversations), and git-annex run inside the host's repository sees journalled
 * records and commits them the way it commits its own.
 */
@Timeout(400)
class JournalInteropIT {
    private static final int FILES = 120;

    @TempDir
    Path tmp;
    final List<ServeProcess> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ServeProcess p : servers) {
            p.close();
        }
    }

    private static void addFiles(SshSandbox box, Path client) throws Exception {
        for (int i = 0; i < FILES; i++) {
            Files.writeString(client.resolve("f" + i + ".txt"), "small file " + i + "\n");
        }
        box.ok(client, "git", "annex", "add", ".");
        box.ok(client, "git", "commit", "-q", "-m", "files");
        // The files reach the server's git first; what the copy records comes only from its journal.
        box.ok(client, "git", "annex", "sync", "--no-content", "--quiet");
    }

    @Test
    void overSshASecondClientSeesEveryRecordRightAfterACopyAtJ16() throws Exception {
        SshSandbox box = new SshSandbox(tmp, SshSandbox.ShellUnderTest.ANNEXHOST);
        Path server = box.createServer("server.git", "server");
        String serverUuid = box.uuidOf(server);
        Path a = box.cloneClient(server, "a");
        addFiles(box, a);
        box.ok(a, "git", "annex", "copy", "-J16", "--to", "origin", ".");
        Path b = box.cloneClient(server, "b");
        Map<String, Set<String>> where = box.whereis(b);
        assertThat(where).hasSize(FILES);
        assertThat(where).allSatisfy((file, uuids) -> assertThat(uuids).as(file).contains(serverUuid));
        assertThat(box.ok(server, "git", "show", "git-annex:uuid.log").out()).contains(serverUuid);
    }

    @Test
    void overHttpASecondClientSeesEveryRecordRightAfterACopyAtJ16() throws Exception {
        SshSandbox box = new SshSandbox(tmp, SshSandbox.ShellUnderTest.ANNEXHOST);
        Path server = tmp.resolve("served.git");
        box.ok(tmp, box.launcher.toString(), "init", server.toString());
        String serverUuid = box.uuidOf(server);
        String url = serve(box, server);
        Path a = httpClient(box, url, "a");
        addFiles(box, a);
        box.ok(a, "git", "annex", "copy", "-J16", "--to", "origin", ".");
        // No wait: the fetch itself makes the server commit what the copy journalled.
        Path b = httpClient(box, url, "b");
        Map<String, Set<String>> where = box.whereis(b);
        assertThat(where).hasSize(FILES);
        assertThat(where).allSatisfy((file, uuids) -> assertThat(uuids).as(file).contains(serverUuid));
    }

    @Test
    void gitAnnexInsideTheRepositoryReadsAndCommitsTheJournal() throws Exception {
        SshSandbox box = new SshSandbox(tmp, SshSandbox.ShellUnderTest.ANNEXHOST);
        Path server = box.createServer("server.git", "server");
        String serverUuid = box.uuidOf(server);
        Path a = box.cloneClient(server, "a");
        addFiles(box, a);
        box.ok(a, "git", "annex", "copy", "-J4", "--to", "origin", ".");
        String key = box.keys(a).get("f7.txt");
        // A record journalled and not committed (as a killed host leaves it): the client's
        // drop --from writes it, and the conversation's end would commit it; write one by hand.
        Path journal = Files.createDirectories(server.resolve("annex/journal"));
        String line = "1700000000.000000000s 1 " + box.uuidOf(a) + "\n";
        String log = box.ok(server, "git", "show", "git-annex:" + branchLog(box, server, key)).out();
        Files.writeString(journal.resolve(branchLog(box, server, key).replace("_", "__").replace('/', '_')), log + line);
        // git-annex reads our journal as its own...
        assertThat(box.ok(server, "git", "annex", "whereis", "--key=" + key).out()).contains(box.uuidOf(a)).contains(serverUuid);
        // ...and its fsck of the repository is content with what annexhost stored and logged.
        Sh.Result fsck = box.ok(server, "git", "annex", "fsck", "--fast", "--all", "--quiet");
        assertThat(fsck.err()).doesNotContain("failed");
        // git-annex commits journals, ours included, the way it commits its own.
        box.ok(server, "git", "annex", "merge");
        assertThat(box.ok(server, "git", "show", "git-annex:" + branchLog(box, server, key)).out()).contains(line.strip());
    }

    private static String branchLog(SshSandbox box, Path server, String key) throws Exception {
        for (String f : box.ok(server, "git", "ls-tree", "-r", "--name-only", "git-annex").out().split("\n")) {
            if (f.endsWith("/" + key + ".log")) {
                return f;
            }
        }
        throw new AssertionError("no location log for " + key);
    }

    private String serve(SshSandbox box, Path repo) throws Exception {
        ServeProcess p = ServeProcess.start(box.sh(), tmp, box.launcher.toString(), "--repo", repo.toString(), "--port", "0",
                "--jobs", "16");
        servers.add(p);
        return p.url();
    }

    private Path httpClient(SshSandbox box, String url, String name) throws Exception {
        Path c = tmp.resolve(name);
        box.ok(tmp, "git", "clone", "-q", url, c.toString());
        box.ok(c, "git", "config", "annex.security.allowed-ip-addresses", "all");
        box.ok(c, "git", "annex", "init", name);
        return c;
    }
}
