package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annexhost.testing.AuditRecords;
import org.annexhost.testing.Metrics;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real git-annex client against {@code annexhost serve}: it clones the http url, finds the
 * annex API through the served config by itself, and copies, gets, drops, moves and fscks; a
 * read-only server refuses writes; two jobs serve sixteen client jobs without hanging.
 */
@Timeout(600)
class HttpInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");
    final List<ServeProcess> servers = new ArrayList<>();

    @org.junit.jupiter.api.BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        for (ServeProcess p : servers) {
            p.close();
        }
    }

    /** Starts the server and returns the http url of the repository. */
    private String serve(Path repo, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--repo", repo.toString(), "--port", "0"));
        args.addAll(List.of(options));
        return start(args.toArray(String[]::new));
    }

    /** Starts {@code annexhost serve ARGS} and returns the http url of its first repository. */
    private String start(String... args) throws Exception {
        ServeProcess p = world.serve(tmp, launcher, args);
        servers.add(p);
        return p.url();
    }

    private Path cloneHttp(String url, String name) throws Exception {
        Path client = tmp.resolve(name);
        world.ok(tmp, "git", "clone", "-q", url, client.toString());
        world.ok(client, "git", "config", "annex.security.allowed-ip-addresses", "all");
        world.ok(client, "git", "annex", "init", name);
        return client;
    }

    private Map<String, String> addFiles(Path client, int n, long size) throws Exception {
        return addFiles(client, "file", n, size);
    }

    private Map<String, String> addFiles(Path client, String prefix, int n, long size) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            String name = prefix + " " + i + ".bin";
            hashes.put(name, AnnexWorld.writeRandom(client.resolve(name), size + i, i));
        }
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "files");
        return hashes;
    }

    @Test
    void cloneCopyGetDropMoveFsckOverHttp() throws Exception {
        Path repo = tmp.resolve("photos.git");
        world.ok(tmp, launcher, "init", repo.toString());
        String url = serve(repo);
        Path client = cloneHttp(url, "laptop");
        assertThat(world.ok(client, "git", "config", "remote.origin.annexurl").out()).startsWith("annex+http://");
        Map<String, String> hashes = addFiles(client, 10, 200_000);
        hashes.putAll(Map.of("empty.txt", AnnexWorld.writeRandom(client.resolve("empty.txt"), 0, 0)));
        world.ok(client, "git", "annex", "add", "empty.txt");
        world.ok(client, "git", "commit", "-q", "-m", "empty");

        world.ok(client, "git", "annex", "copy", "-J1", "--to", "origin", "file 1.bin", "empty.txt");
        world.ok(client, "git", "annex", "copy", "-J16", "--to", "origin", ".");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin").out()))
                .containsExactlyInAnyOrderElementsOf(hashes.keySet());
        world.ok(client, "git", "annex", "fsck", "-J16", "--from", "origin");
        world.ok(client, "git", "annex", "drop", "-J16", ".");
        world.ok(client, "git", "annex", "get", "-J16", ".");
        for (Map.Entry<String, String> e : hashes.entrySet()) {
            assertThat(AnnexWorld.sha256(client.resolve(e.getKey()))).isEqualTo(e.getValue());
        }
        world.ok(client, "git", "annex", "drop", "--from", "origin", "file 2.bin");
        world.ok(client, "git", "annex", "move", "--to", "origin", "file 3.bin");
        world.ok(client, "git", "annex", "move", "--from", "origin", "file 4.bin");
        List<String> there = AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin").out());
        assertThat(there).contains("file 3.bin").doesNotContain("file 2.bin", "file 4.bin");
        world.ok(client, "git", "annex", "sync", "--no-content");
        world.ok(repo, "git", "annex", "fsck");

        // What the operator's /metrics shows of it (loopback: no token needed).
        String m = Metrics.scrape(url);
        String p2p = "annexhost_p2p_requests_seconds_count";
        assertThat(Metrics.sum(m, p2p, "repository=\"photos.git\"", "verb=\"PUT\"", "reply=\"SUCCESS\""))
                .as("PUTs stored (11 files copied; the move found its file there)").isGreaterThanOrEqualTo(11);
        assertThat(Metrics.sum(m, p2p, "verb=\"GET\"", "reply=\"DATA\"")).as("GETs sent").isGreaterThanOrEqualTo(11);
        assertThat(Metrics.sum(m, p2p, "verb=\"REMOVE\"", "reply=\"SUCCESS\"")).as("removes").isGreaterThanOrEqualTo(2);
        assertThat(Metrics.sum(m, p2p, "verb=\"LOCKCONTENT\"")).as("drops lock first").isGreaterThanOrEqualTo(1);
        assertThat(Metrics.sum(m, "annexhost_http_requests_seconds_count", "endpoint=\"put\"", "status=\"200\""))
                .isGreaterThanOrEqualTo(11);
        assertThat(Metrics.sum(m, "annexhost_http_requests_seconds_count", "endpoint=\"git\"")).as("git over http")
                .isPositive();
        long stored = hashes.keySet().stream().mapToLong(f -> client.resolve(f).toFile().length()).sum();
        assertThat(Metrics.sum(m, "annexhost_content_bytes_total", "direction=\"in\"")).isGreaterThanOrEqualTo(stored);
        assertThat(Metrics.sum(m, "annexhost_content_bytes_total", "direction=\"out\"")).isGreaterThanOrEqualTo(stored);

        // What the operator's logs say of it: one line per request, each change audited with the request's id.
        List<com.fasterxml.jackson.databind.JsonNode> audit = AuditRecords.of(repo);
        assertThat(AuditRecords.count(audit, "operation", "store", "result", "done", "via", "http", "repository", "photos.git",
                "client", "127.0.0.1", "user", "anonymous")).as("stored (the move's file was there)").isGreaterThanOrEqualTo(11);
        assertThat(AuditRecords.count(audit, "operation", "remove", "result", "done")).isEqualTo(2);
        assertThat(AuditRecords.count(audit, "operation", "lock", "result", "done")).isGreaterThanOrEqualTo(1);
        // The log's own thread writes the lines: the last ones may come a moment after the answers.
        List<java.util.regex.Pattern> lines = audit.stream().map(r -> java.util.regex.Pattern.compile("http id=" + r.get("id").asText()
                + " user=anonymous client=127\\.0\\.0\\.1 method=\\S+ op=\\S+ repo=photos\\.git remote=- key="
                + java.util.regex.Pattern.quote(r.get("key").asText()) + " status=200 in=[0-9]+ out=[0-9]+ ms=[0-9]+")).toList();
        String log = java.nio.file.Files.readString(servers.get(0).logFile());
        for (long deadline = System.nanoTime() + 10_000_000_000L; System.nanoTime() < deadline; ) {
            String now = log;
            if (lines.stream().allMatch(p -> p.matcher(now).find())) {
                break;
            }
            Thread.sleep(100);
            log = java.nio.file.Files.readString(servers.get(0).logFile());
        }
        for (java.util.regex.Pattern line : lines) {
            assertThat(log).as("the request line of an audit record").containsPattern(line);
        }
        assertThat(log.lines().filter(l -> l.contains(" op=git ")).count()).as("git's requests are logged too").isPositive();
    }

    @Test
    void theAuditLogAndTheStatusSurviveARestart() throws Exception {
        Path repo = tmp.resolve("kept.git");
        world.ok(tmp, launcher, "init", repo.toString());
        String url = serve(repo);
        Path client = cloneHttp(url, "laptop");
        addFiles(client, 3, 1000);
        world.ok(client, "git", "annex", "copy", "--to", "origin", "file 1.bin", "file 2.bin");
        List<com.fasterxml.jackson.databind.JsonNode> before = AuditRecords.of(repo);
        assertThat(AuditRecords.count(before, "operation", "store", "result", "done")).isEqualTo(2);
        servers.remove(0).close();

        String again = serve(repo);
        world.ok(client, "git", "config", "remote.origin.url", again);
        world.ok(client, "git", "config", "remote.origin.annexurl", "annex+" + again.replaceAll("/[^/]*$", "") + "/git-annex/");
        world.ok(client, "git", "annex", "copy", "--to", "origin", "file 3.bin");
        world.ok(client, "git", "annex", "drop", "--from", "origin", "file 1.bin");
        List<com.fasterxml.jackson.databind.JsonNode> after = AuditRecords.of(repo);
        assertThat(after.subList(0, before.size())).as("the first run's records, kept").isEqualTo(before);
        assertThat(AuditRecords.count(after, "operation", "store", "result", "done")).isEqualTo(3);
        assertThat(AuditRecords.count(after, "operation", "remove", "result", "done", "key",
                world.ok(client, "git", "annex", "lookupkey", "file 1.bin").out().trim())).isEqualTo(1);
        // annexhost status reads the running host's status: the repository, its urls, nothing in flight.
        String base = again.replaceAll("/[^/]*$", "");
        String status = world.ok(tmp, launcher, "status", "--url", base, "--repo", repo.toString()).out();
        assertThat(status).contains("repository kept.git (" + world.ok(repo, "git", "config", "annex.uuid").out().trim() + ")",
                "clone " + again, "annex annex+" + base + "/git-annex/", "0 transfers in flight");
        assertThat(world.ok(tmp, launcher, "status", "--url", base, "--json").out()).contains("\"name\":\"kept.git\"");
    }

    @Test
    void readOnlyServerRefusesWritesButServesReads() throws Exception {
        Path repo = tmp.resolve("ro.git");
        world.ok(tmp, launcher, "init", repo.toString());
        String rw = serve(repo);
        Path writer = cloneHttp(rw, "writer");
        addFiles(writer, 2, 1000);
        world.ok(writer, "git", "annex", "copy", "--to", "origin", "file 1.bin");
        world.ok(writer, "git", "annex", "sync", "--no-content");
        stop();
        servers.clear();
        String ro = serve(repo, "--unauth-readonly");
        Path reader = cloneHttp(ro, "reader");
        world.ok(reader, "git", "annex", "get", "file 1.bin");
        addFiles(reader, "mine", 1, 5000);
        Sh.Result copy = world.run(reader, Duration.ofMinutes(2), Map.of(), "git", "annex", "copy", "--to", "origin", "mine 1.bin");
        assertThat(copy.code()).isNotZero();
        Sh.Result drop = world.run(reader, Duration.ofMinutes(2), Map.of(), "git", "annex", "drop", "--from", "origin", "--force", "file 1.bin");
        assertThat(drop.code()).isNotZero();
        assertThat(AnnexWorld.lines(world.ok(reader, "git", "annex", "find", "--in", "origin").out())).contains("file 1.bin");
    }

    @Test
    void perRepositoryRulesInOneProcessAndAppendOnly() throws Exception {
        Path open = tmp.resolve("open.git");
        Path locked = tmp.resolve("locked.git");
        world.ok(tmp, launcher, "init", open.toString());
        world.ok(tmp, launcher, "init", locked.toString());
        world.ok(locked, "git", "config", "annexhost.unauthenticated", "readonly");
        String first = start("--repo", open.toString(), "--repo", locked.toString(), "--port", "0",
                "--unauth-appendonly");
        String base = first.substring(0, first.lastIndexOf('/'));
        Path a = cloneHttp(base + "/open.git", "a");
        addFiles(a, "a", 1, 1000);
        world.ok(a, "git", "annex", "copy", "--to", "origin", "a 1.bin");
        Sh.Result drop = world.run(a, Duration.ofMinutes(2), Map.of(), "git", "annex", "drop", "--from", "origin", "--force", "a 1.bin");
        assertThat(drop.code()).as("append-only: no removal").isNotZero();
        Path b = cloneHttp(base + "/locked.git", "b");
        addFiles(b, "b", 1, 1000);
        Sh.Result copy = world.run(b, Duration.ofMinutes(2), Map.of(), "git", "annex", "copy", "--to", "origin", "b 1.bin");
        assertThat(copy.code()).as("this repository is read-only for anonymous users").isNotZero();
        assertThat(AnnexWorld.lines(world.ok(b, "git", "annex", "find", "--in", "origin").out())).isEmpty();
    }

    @Test
    void oneGibibyteOverHttp() throws Exception {
        Path repo = tmp.resolve("big.git");
        world.ok(tmp, launcher, "init", repo.toString());
        Path client = cloneHttp(serve(repo), "big");
        String hash = AnnexWorld.writeRandom(client.resolve("one gibibyte.bin"), 1L << 30, 9);
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "big");
        world.ok(client, Duration.ofMinutes(5), Map.of(), "git", "annex", "copy", "--to", "origin", "one gibibyte.bin");
        world.ok(client, "git", "annex", "drop", "one gibibyte.bin");
        world.ok(client, Duration.ofMinutes(5), Map.of(), "git", "annex", "get", "one gibibyte.bin");
        assertThat(AnnexWorld.sha256(client.resolve("one gibibyte.bin"))).isEqualTo(hash);
    }

    @Test
    void directoryServesRepositoriesAddedAfterStart() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("srv"));
        world.ok(tmp, launcher, "init", dir.resolve("first.git").toString());
        String first = start("--directory", dir.toString(), "--port", "0");
        String base = first.substring(0, first.lastIndexOf('/'));
        world.ok(tmp, launcher, "init", dir.resolve("team").resolve("second.git").toString());
        Path client = null;
        for (int i = 0; i < 40 && client == null; i++) {
            Thread.sleep(250);
            Sh.Result r = world.run(tmp, Duration.ofMinutes(1), Map.of(), "git", "ls-remote", base + "/second.git");
            if (r.code() == 0) {
                client = cloneHttp(base + "/second.git", "second");
            }
        }
        assertThat(client).as("second.git was not served within 10 s").isNotNull();
        addFiles(client, 1, 1000);
        world.ok(client, "git", "annex", "copy", "--to", "origin", "file 1.bin");
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin").out())).contains("file 1.bin");
    }

    @Test
    void twoJobsServeSixteenClientJobs() throws Exception {
        Path repo = tmp.resolve("busy.git");
        world.ok(tmp, launcher, "init", repo.toString());
        String url = serve(repo, "--jobs", "2");
        Path client = cloneHttp(url, "busy");
        Map<String, String> hashes = addFiles(client, 60, 10_000);
        long t0 = System.nanoTime();
        world.ok(client, Duration.ofMinutes(3), Map.of(), "git", "annex", "copy", "-J16", "--to", "origin", ".");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(AnnexWorld.lines(world.ok(client, "git", "annex", "find", "--in", "origin").out()))
                .hasSize(hashes.size());
        System.out.println("60 files at -J16 against --jobs 2: " + ms + " ms");
    }
}
