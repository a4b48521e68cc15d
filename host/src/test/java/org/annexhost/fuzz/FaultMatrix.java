package org.annexhost.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.testing.Sh;

/**
 * Faults a real host meets, each ending with the same invariants as the fuzzers: the host killed
 * with SIGKILL mid-PUT, after answering SUCCESS, and with a lock held; the client gone while a
 * lock is held; a full disk under the repository and under a directory remote. Each row reports
 * itself as ran (with what it found) or as skipped with the reason; none skips silently.
 */
public final class FaultMatrix {
    private static final String CLIENT = "44444444-5555-6666-7777-888888888888";
    private static final Duration REPLY = Duration.ofSeconds(30);
    /** ANNEXHOST_LOCK_RETENTION for these rows, in seconds. */
    static final long RETENTION = 3;

    private final String launcher;
    private final Path dir;
    private final FuzzFindings findings;
    private final Map<String, String> env = Map.of("ANNEXHOST_LOCK_RETENTION", Long.toString(RETENTION));
    private final Map<String, String> rows = new LinkedHashMap<>();

    public FaultMatrix(String launcher, Path dir, FuzzFindings findings) {
        this.launcher = launcher;
        this.dir = dir;
        this.findings = findings;
    }

    /** Runs every row; returns each row's outcome ("ran" or "skipped: why"). */
    public Map<String, String> run() throws Exception {
        Files.createDirectories(dir);
        row("SIGKILL mid-PUT", this::killMidPut);
        row("SIGKILL after SUCCESS", this::killAfterSuccess);
        row("SIGKILL with a lock held", () -> lockThenLeave(true));
        row("client gone while locked", () -> lockThenLeave(false));
        row("full disk under the repository", this::fullDiskRepository);
        row("full disk under a directory remote", this::fullDiskDirectoryRemote);
        row("full disk over HTTP", this::fullDiskOverHttp);
        rows.forEach((k, v) -> findings.count("fault matrix: " + k + ": " + v, 1));
        return rows;
    }

    private interface Row {
        void run() throws Exception;
    }

    private void row(String name, Row row) {
        try {
            row.run();
            rows.put(name, "ran");
        } catch (Skip s) {
            rows.put(name, "skipped: " + s.getMessage());
        } catch (Exception | AssertionError e) {
            findings.violation("fault matrix", name + ": " + e);
            rows.put(name, "ran");
        }
    }

    /** A row that cannot run on this machine, and why. */
    static final class Skip extends Exception {
        private static final long serialVersionUID = 1L;

        Skip(String why) {
            super(why);
        }
    }

    // --- the rows

    private void killMidPut() throws Exception {
        Path repo = FuzzMain.init(launcher, dir.resolve("kill-mid-put"), "r.git");
        byte[] content = bytes(3 << 20, 1);
        Key key = P2pFuzzer.sha256Key(content, ".bin");
        ShellConversation c = open(repo);
        c.sendLine("PUT big.bin " + key);
        expect(c, "PUT-FROM 0", "PUT");
        c.send(("DATA " + content.length + "\n").getBytes(StandardCharsets.UTF_8));
        c.send(java.util.Arrays.copyOf(content, content.length / 2));
        Thread.sleep(500);
        c.kill();
        c.awaitExit(Duration.ofSeconds(10));
        ShellConversation next = open(repo);
        next.sendLine("CHECKPRESENT " + key);
        expect(next, "FAILURE", "CHECKPRESENT after the kill: a partial upload must be invisible");
        next.sendLine("PUT big.bin " + key);
        ShellConversation.Reply from = next.next(REPLY);
        long offset = Long.parseLong(from.line().substring("PUT-FROM ".length()));
        if (offset <= 0) {
            findings.violation("fault matrix", "SIGKILL mid-PUT: the next PUT did not resume (" + from.line() + ")");
        }
        next.send(("DATA " + (content.length - offset) + "\n").getBytes(StandardCharsets.UTF_8));
        next.send(java.util.Arrays.copyOfRange(content, (int) offset, content.length));
        next.sendLine("VALID");
        expect(next, "SUCCESS", "the resumed PUT");
        next.close();
        verifyObjects(repo, Map.of(key, content));
    }

    private void killAfterSuccess() throws Exception {
        Path repo = FuzzMain.init(launcher, dir.resolve("kill-after-success"), "r.git");
        byte[] content = bytes(1000, 2);
        Key key = P2pFuzzer.sha256Key(content, ".txt");
        ShellConversation c = open(repo);
        c.sendLine("PUT f.txt " + key);
        expect(c, "PUT-FROM 0", "PUT");
        c.send(("DATA " + content.length + "\n").getBytes(StandardCharsets.UTF_8));
        c.send(content);
        c.sendLine("VALID");
        expect(c, "SUCCESS", "PUT");
        // Killed before the conversation's end, where the journal is committed.
        c.kill();
        c.awaitExit(Duration.ofSeconds(10));
        String uuid = git(repo, "config", "annex.uuid").strip();
        String log = KeyPaths.hashDirLower(key) + key + ".log";
        Path journalled = repo.resolve("annex/journal").resolve(log.replace("_", "__").replace('/', '_'));
        if (!Files.isRegularFile(journalled) || !Files.readString(journalled).contains(" 1 " + uuid)) {
            findings.violation("fault matrix", "SIGKILL after SUCCESS: no journalled location record " + journalled);
        }
        // git-annex itself, in the repository, reads the journal.
        String whereis = run(repo, "git", "annex", "whereis", "--key=" + key);
        if (!whereis.contains(uuid)) {
            findings.violation("fault matrix", "SIGKILL after SUCCESS: git annex whereis does not see the record: " + whereis);
        }
        // The next conversation's end commits it.
        open(repo).close();
        String committed = git(repo, "show", "git-annex:" + log);
        if (!committed.contains(" 1 " + uuid)) {
            findings.violation("fault matrix", "SIGKILL after SUCCESS: the record never reached the branch: " + committed);
        }
    }

    private void lockThenLeave(boolean kill) throws Exception {
        Path repo = FuzzMain.init(launcher, dir.resolve(kill ? "kill-locked" : "gone-locked"), "r.git");
        byte[] content = bytes(500, 3);
        Key key = P2pFuzzer.sha256Key(content, ".txt");
        ShellConversation c = open(repo);
        put(c, key, content);
        c.close();
        ShellConversation holder = open(repo);
        holder.sendLine("LOCKCONTENT " + key);
        expect(holder, "SUCCESS", "LOCKCONTENT");
        long lockedAt = System.nanoTime();
        if (kill) {
            holder.kill();
        } else {
            holder.hangUp();
        }
        holder.awaitExit(Duration.ofSeconds(10));
        ShellConversation other = open(repo);
        other.sendLine("REMOVE " + key);
        ShellConversation.Reply early = other.next(REPLY);
        long held = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lockedAt);
        if (held < RETENTION - 1 && (early == null || !early.line().equals("FAILURE"))) {
            findings.violation("fault matrix", (kill ? "SIGKILL" : "hang-up") + " with a lock held: REMOVE within the"
                    + " retention answered " + (early == null ? "nothing" : early.line()));
        }
        other.close();
        Thread.sleep(Math.max(0, TimeUnit.SECONDS.toMillis(RETENTION + 1) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lockedAt)));
        ShellConversation later = open(repo);
        later.sendLine("REMOVE " + key);
        expect(later, "SUCCESS", "REMOVE once the retention has passed");
        later.close();
    }

    private void fullDiskRepository() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("small-disk"));
        String repo = mnt.resolve("r.git").toString();
        String script = "mount -t tmpfs -o size=6m tmpfs " + q(mnt) + " && " + q(launcher) + " init " + q(repo)
                + " >/dev/null && exec " + q(launcher) + " shell -c \"git-annex-shell 'p2pstdio' '" + repo + "' '" + CLIENT + "'\"";
        fullDisk(script, "the repository");
    }

    private void fullDiskDirectoryRemote() throws Exception {
        Path repo = FuzzMain.init(launcher, dir.resolve("full-remote"), "r.git");
        Path mnt = Files.createDirectories(dir.resolve("small-remote"));
        String script = "mount -t tmpfs -o size=6m tmpfs " + q(mnt) + " && " + q(launcher) + " initremote --repo " + q(repo)
                + " nas type=directory directory=" + q(mnt) + " encryption=none >/dev/null && u=$(git --git-dir=" + q(repo)
                + " config remote.nas.annex-uuid) && exec " + q(launcher) + " shell -c \"git-annex-shell 'p2pstdio' '" + repo
                + "' '" + CLIENT + "' --uuid $u\"";
        fullDisk(script, "a directory remote");
    }

    /** annexhost serve on a 6 MiB disk: an 8 MiB PUT is the server's problem, 507, and the server goes on. */
    private void fullDiskOverHttp() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("small-http"));
        String repo = mnt.resolve("r.git").toString();
        List<String> cmd = new ArrayList<>(mountNamespace());
        cmd.addAll(List.of("bash", "-c", "mount -t tmpfs -o size=6m tmpfs " + q(mnt) + " && " + q(launcher) + " init " + q(repo)
                + " >/dev/null && git --git-dir=" + q(repo) + " config annex.uuid && exec " + q(launcher) + " serve --repo "
                + q(repo) + " --port 0"));
        Map<String, String> serveEnv = new java.util.HashMap<>(env);
        serveEnv.put("ANNEXHOST_NO_BUILD", "1");
        Process serve = new Sh(serveEnv).builder(dir, cmd.toArray(String[]::new))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(serve.getInputStream(),
                    StandardCharsets.UTF_8));
            String uuid = java.util.concurrent.CompletableFuture.supplyAsync(() -> readLine(out)).get(120, TimeUnit.SECONDS);
            String serving = java.util.concurrent.CompletableFuture.supplyAsync(() -> readLine(out)).get(120, TimeUnit.SECONDS);
            if (uuid == null || serving == null || !serving.startsWith("serving http://")) {
                throw new AssertionError("serve on a small disk did not start: " + uuid + " / " + serving);
            }
            int port = Integer.parseInt(serving.replaceAll("serving http://[^:]+:(\\d+)/.*", "$1"));
            byte[] big = bytes(8 << 20, 5);
            Key key = P2pFuzzer.sha256Key(big, ".bin");
            String put = "/git-annex/" + uuid + "/v4/put?key=" + key + "&clientuuid=" + CLIENT;
            org.annexhost.testing.RawHttp.Reply r = org.annexhost.testing.RawHttp.send(port, "POST", put,
                    Map.of("Content-Length", Integer.toString(big.length), "X-git-annex-data-length", Integer.toString(big.length)), big);
            if (r.status() != 507 || !r.body().contains("disk is full")) {
                findings.violation("fault matrix", "full disk over HTTP: PUT answered " + r.status() + " " + FuzzFindings.abbreviate(r.body()));
            }
            findings.checkClientText("full disk over HTTP", r.body());
            org.annexhost.testing.RawHttp.Reply p = org.annexhost.testing.RawHttp.send(port, "POST",
                    "/git-annex/" + uuid + "/v4/checkpresent?key=" + key + "&clientuuid=" + CLIENT, Map.of("Content-Length", "0"), null);
            if (p.status() != 200 || !p.body().contains("\"present\": false")) {
                findings.violation("fault matrix", "full disk over HTTP: checkpresent answered " + p.status() + " " + p.body());
            }
        } finally {
            serve.destroy();
            serve.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String readLine(java.io.BufferedReader r) {
        try {
            return r.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** In a mount namespace of its own, the host's disk is a 6 MiB tmpfs: an 8 MiB PUT must fail clearly. */
    private void fullDisk(String script, String where) throws Exception {
        List<String> prefix = mountNamespace();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("bash", "-c", script));
        ShellConversation c = ShellConversation.startCommand(cmd, env, Duration.ofSeconds(120));
        c.sendLine("VERSION 4");
        expect(c, "VERSION 4", "VERSION");
        byte[] big = bytes(8 << 20, 4);
        Key key = P2pFuzzer.sha256Key(big, ".bin");
        c.sendLine("PUT big.bin " + key);
        expect(c, "PUT-FROM 0", "PUT on a full disk");
        c.send(("DATA " + big.length + "\n").getBytes(StandardCharsets.UTF_8));
        c.send(big);
        c.sendLine("VALID");
        ShellConversation.Reply r = c.next(REPLY);
        if (r == null || r.line() == null || !r.line().startsWith("ERROR not stored: the server's disk is full")) {
            findings.violation("fault matrix", "full disk under " + where + ": PUT answered "
                    + (r == null ? "nothing" : r.line()) + "; stderr: " + FuzzFindings.abbreviate(c.stderr()));
        }
        c.sendLine("CHECKPRESENT " + key);
        expect(c, "FAILURE", "CHECKPRESENT after a PUT the disk could not take");
        c.sendLine("GETTIMESTAMP");
        ShellConversation.Reply t = c.next(REPLY);
        if (t == null || t.line() == null || !t.line().startsWith("TIMESTAMP ")) {
            findings.violation("fault matrix", "full disk under " + where + ": the conversation did not go on");
        }
        findings.checkClientText("full disk stderr", c.stderr());
        c.close();
    }

    private static List<String> mountNamespace() throws Exception {
        for (List<String> prefix : List.of(List.of("unshare", "-m"), List.of("unshare", "-rm"))) {
            List<String> probe = new ArrayList<>(prefix);
            probe.addAll(List.of("bash", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt 2>/dev/null || mount -t tmpfs -o size=1m tmpfs /tmp"));
            try {
                if (new Sh(Map.of()).run(Path.of("/"), Duration.ofSeconds(30), probe.toArray(String[]::new)).code() == 0) {
                    return prefix;
                }
            } catch (IOException e) {
                // no unshare here
            }
        }
        throw new Skip("this machine lets no process mount a small filesystem (unshare -m, unshare -rm)");
    }

    // --- helpers

    private ShellConversation open(Path repo) throws Exception {
        ShellConversation c = ShellConversation.start(launcher, repo, CLIENT, env, Duration.ofSeconds(60));
        c.sendLine("VERSION 4");
        expect(c, "VERSION 4", "VERSION");
        return c;
    }

    private void put(ShellConversation c, Key key, byte[] content) throws Exception {
        c.sendLine("PUT f " + key);
        expect(c, "PUT-FROM 0", "PUT");
        c.send(("DATA " + content.length + "\n").getBytes(StandardCharsets.UTF_8));
        c.send(content);
        c.sendLine("VALID");
        expect(c, "SUCCESS", "PUT");
    }

    private void expect(ShellConversation c, String want, String what) throws Exception {
        ShellConversation.Reply r = c.next(REPLY);
        if (r == null || r.line() == null || !r.line().equals(want)) {
            throw new AssertionError(what + ": expected " + want + ", got " + (r == null ? "no reply" : r.line())
                    + "; stderr: " + FuzzFindings.abbreviate(c.stderr()));
        }
    }

    private void verifyObjects(Path repo, Map<Key, byte[]> expected) throws IOException {
        for (Map.Entry<Key, byte[]> e : expected.entrySet()) {
            Path p = repo.resolve("annex/objects").resolve(KeyPaths.hashDirLower(e.getKey()))
                    .resolve(KeyPaths.keyFile(e.getKey())).resolve(KeyPaths.keyFile(e.getKey()));
            if (!Files.isRegularFile(p) || !java.util.Arrays.equals(Files.readAllBytes(p), e.getValue())) {
                findings.violation("fault matrix", "object " + e.getKey() + " missing or not what was sent");
            }
            findings.count("objects verified", 1);
        }
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static String q(Object s) {
        return "'" + s.toString().replace("'", "'\\''") + "'";
    }

    private static String git(Path repo, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "--git-dir=" + repo));
        cmd.addAll(List.of(args));
        return run(repo, cmd.toArray(String[]::new));
    }

    private static String run(Path dir, String... cmd) throws Exception {
        return new Sh(Map.of()).run(dir, Duration.ofSeconds(60), cmd).all();
    }
}
