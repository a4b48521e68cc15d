package org.annexhost.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.annexhost.api.key.Key;
import org.annexhost.testing.ServeProcess;
import org.annexhost.testing.Sh;

/**
 * Fuzzes {@code annexhost serve}: a real server process, spoken to over raw sockets so nothing
 * cleans the requests up first. Well-formed API requests whose outcome a model knows (put,
 * checkpresent, key downloads, remove, lockcontent) go between malformed request lines and
 * headers, traversal in every path segment (raw, percent-encoded, double-encoded), wrong
 * data-length headers, bad chunking, mutated queries, slow clients, vanishing clients and many
 * idle connections. Invariants: the server never dies or stops answering (a probe after each
 * input), never answers 500 (that is our own fault) or shows a stack trace, never serves a byte
 * of a file outside the repository, and at the end every object is complete and verified and
 * checkpresent agrees with the model. Not thread-safe.
 */
public final class HttpFuzzer {
    private static final int TIMEOUT_MS = 15_000;

    private final String launcher;
    private final Path repo;
    private final Path sandbox;
    private final Map<String, String> env;
    private final SplittableRandom random;
    private final FuzzFindings findings;
    private final List<P2pFuzzer.FuzzKey> keys = new ArrayList<>();
    /** Keys a broken upload may have left wrong bytes for (resumed, then refused once by verification). */
    private final java.util.Set<Key> tainted = new java.util.HashSet<>();
    /** Keys a fuzzed lockcontent may hold, until when (nanoTime). */
    private final Map<Key, Long> mayBeLockedUntil = new HashMap<>();
    /** The lock retention the fuzzers run the host with (ANNEXHOST_LOCK_RETENTION). */
    static final long LOCK_RETENTION_SECONDS = 5;
    private final String secret;
    private final List<Socket> idle = new ArrayList<>();
    private ServeProcess server;
    private int port;
    private String uuid;

    public HttpFuzzer(String launcher, Path repo, Path sandbox, Map<String, String> env, long seed, FuzzFindings findings) {
        this.launcher = launcher;
        this.repo = repo;
        this.sandbox = sandbox;
        this.env = env;
        this.random = new SplittableRandom(seed ^ 0x5eed);
        this.findings = findings;
        this.secret = "secret-" + Long.toHexString(random.nextLong());
        // What one malformed request (both Content-Length and chunked, which HTTP resolves) stores:
        // a hashing key, so that a mutated body is refused rather than stored as something else.
        keys.add(new P2pFuzzer.FuzzKey(P2pFuzzer.sha256Key(new byte[] {'x'}, ""), new byte[] {'x'}, true));
        for (int i = 0; i < 16; i++) {
            byte[] content = new byte[i == 0 ? 0 : random.nextInt(i < 12 ? 3000 : 400_000)];
            random.nextBytes(content);
            keys.add(new P2pFuzzer.FuzzKey(P2pFuzzer.sha256Key(content, i % 2 == 0 ? ".bin" : ""), content, true));
        }
    }

    /** Runs until the deadline (the long form), then checks the invariants on what is stored. */
    public void run(Duration budget) throws Exception {
        long end = System.nanoTime() + budget.toNanos();
        run(done -> System.nanoTime() < end);
    }

    /**
     * Runs exactly this many episodes, then checks the invariants: the bounded form in the suite,
     * the same requests for the same seed however fast the machine is.
     */
    public void runEpisodes(int episodes) throws Exception {
        run(done -> done < episodes);
    }

    private void run(IntPredicate more) throws Exception {
        Files.writeString(sandbox.resolve("outside.txt"), secret);
        Files.writeString(repo.getParent().resolve("config"), secret);
        uuid = git("config", "annex.uuid").strip();
        start();
        try {
            for (int done = 0; more.test(done); done++) {
                episode();
                findings.count("http episodes", 1);
                if (!server.process().isAlive()) {
                    findings.violation("crash", "the server died (exit " + server.process().exitValue() + ")");
                    start();
                }
            }
            finalCheck();
        } finally {
            for (Socket s : idle) {
                s.close();
            }
            server.close();
        }
        checkObjects();
    }

    private void start() throws Exception {
        Map<String, String> serverEnv = new HashMap<>(env);
        serverEnv.put("ANNEXHOST_NO_BUILD", "1");
        server = ServeProcess.start(new Sh(serverEnv), sandbox, launcher, "--repo", repo.toString(), "--port", "0",
                "--jobs", "4", "--client-timeout", "5");
        String hostPort = server.url().substring("http://".length(), server.url().indexOf('/', "http://".length()));
        port = Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1));
        findings.count("http servers started", 1);
    }

    private void episode() throws Exception {
        int pick = random.nextInt(100);
        if (pick < 14) {
            put(anyKey());
        } else if (pick < 24) {
            checkPresent(anyKey());
        } else if (pick < 32) {
            download(anyKey());
        } else if (pick < 36) {
            remove(anyKey());
        } else if (pick < 39) {
            lock(anyKey());
        } else if (pick < 52) {
            traversal();
        } else if (pick < 64) {
            malformed();
        } else if (pick < 72) {
            wrongLength(anyKey());
        } else if (pick < 78) {
            badChunks(anyKey());
        } else if (pick < 90) {
            mutatedQuery();
        } else if (pick < 94) {
            vanish();
        } else if (pick < 97) {
            slowClient();
        } else {
            idleConnections();
        }
    }

    // --- requests whose outcome the model knows

    private String api(String op, Key k) {
        String key = random.nextBoolean() ? k.toString()
                : "[" + Base64.getUrlEncoder().encodeToString(k.toBytes()) + "]";
        return "/git-annex/" + uuid + "/v4/" + op + "?key=" + key + "&clientuuid=33333333-4444-5555-6666-777777777777";
    }

    /**
     * Where the key's object is, if stored. The disk is the truth the server's answers are held
     * to: a broken upload may have left a partial file that a later PUT completes, and a mutated
     * remove may be valid, so the fuzzer does not predict presence; it checks every answer about
     * presence against what is on disk, and every stored object against its known content.
     */
    private Path object(P2pFuzzer.FuzzKey k) {
        String f = org.annexhost.api.key.KeyPaths.keyFile(k.key());
        return repo.resolve("annex/objects").resolve(org.annexhost.api.key.KeyPaths.hashDirLower(k.key())).resolve(f).resolve(f);
    }

    private boolean onDisk(P2pFuzzer.FuzzKey k) throws IOException {
        Path p = object(k);
        if (!Files.isRegularFile(p)) {
            return false;
        }
        if (!java.util.Arrays.equals(Files.readAllBytes(p), k.content())) {
            findings.violation("object", "stored with other bytes than its key says: " + k.key());
        }
        return true;
    }

    private void put(P2pFuzzer.FuzzKey k) throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) {
            Reply r = send("POST", api("put", k.key()), Map.of("X-git-annex-data-length", Integer.toString(k.content().length),
                    "Content-Length", Integer.toString(k.content().length)), k.content());
            if (r.status == 200 && r.body.contains("\"stored\": true")) {
                if (!onDisk(k)) {
                    findings.violation("model", "put " + k.key() + " said stored, and nothing is on disk");
                }
                return;
            }
            if (!tainted.remove(k.key())) {
                findings.violation("model", "put " + k.key() + " answered " + r.status + " " + FuzzFindings.abbreviate(r.body));
                return;
            }
            // A broken upload left bytes the resumed PUT built on; verification refused them and
            // threw them away, so the next attempt starts over and must succeed.
            findings.count("http puts that met a broken partial", 1);
        }
    }

    private void checkPresent(P2pFuzzer.FuzzKey k) throws Exception {
        Reply r = send("POST", api("checkpresent", k.key()), Map.of("Content-Length", "0"), new byte[0]);
        boolean says = r.body.contains("\"present\": true");
        if (r.status != 200 || says != onDisk(k)) {
            findings.violation("model", "checkpresent " + k.key() + " answered " + r.status + " " + FuzzFindings.abbreviate(r.body)
                    + ", on disk: " + onDisk(k));
        }
    }

    private void download(P2pFuzzer.FuzzKey k) throws Exception {
        Reply r = send("GET", "/git-annex/" + uuid + "/v4/key/" + k.key() + "?clientuuid=33333333-4444-5555-6666-777777777777",
                Map.of(), null);
        boolean stored = onDisk(k);
        if (stored && (r.status != 200 || !java.util.Arrays.equals(r.raw, k.content()))) {
            findings.violation("model", "download of " + k.key() + " answered " + r.status + " with "
                    + (r.raw == null ? 0 : r.raw.length) + " bytes, stored " + k.content().length);
        } else if (!stored && r.status != 404) {
            findings.violation("model", "download of absent " + k.key() + " answered " + r.status);
        }
    }

    private void remove(P2pFuzzer.FuzzKey k) throws Exception {
        Reply r = send("POST", api("remove", k.key()), Map.of("Content-Length", "0"), new byte[0]);
        if (r.body.contains("\"removed\": false") && System.nanoTime() < mayBeLockedUntil.getOrDefault(k.key(), 0L)) {
            // A fuzzed lockcontent nobody kept holds the key for the retention period: refusing is right.
            findings.count("http removals refused by a held lock", 1);
            return;
        }
        if (r.status != 200 || !r.body.contains("\"removed\": true") || onDisk(k)) {
            findings.violation("model", "remove " + k.key() + " answered " + r.status + " " + FuzzFindings.abbreviate(r.body)
                    + ", on disk after: " + onDisk(k));
        }
    }

    private void lock(P2pFuzzer.FuzzKey k) throws Exception {
        boolean stored = onDisk(k);
        Reply r = send("POST", api("lockcontent", k.key()), Map.of("Content-Length", "0"), new byte[0]);
        if (r.body.contains("\"locked\": true") != stored) {
            findings.violation("model", "lockcontent " + k.key() + " answered " + r.status + " " + FuzzFindings.abbreviate(r.body));
        }
        if (r.body.contains("\"lockid\"")) {
            String id = r.body.replaceAll("(?s).*\"lockid\": \"([^\"]+)\".*", "$1");
            byte[] unlock = "{\"unlock\": true}\n".getBytes(StandardCharsets.UTF_8);
            send("POST", "/git-annex/" + uuid + "/v4/keeplocked?lockid=" + id + "&clientuuid=c",
                    Map.of("Content-Length", Integer.toString(unlock.length)), unlock);
        }
    }

    // --- hostile and malformed requests

    private void traversal() throws Exception {
        String[] dots = {"..", "%2e%2e", "%2E%2E", "%252e%252e", ".%2e", "%2e.", "..%2f..", "..%5c..", "%c0%ae%c0%ae",
            "..;", "%00..", "...."};
        String d = dots[random.nextInt(dots.length)];
        String[] targets = {
            "/git-annex/" + d + "/" + d + "/outside.txt",
            "/git-annex/" + uuid + "/" + d + "/" + d + "/" + d + "/outside.txt",
            "/git-annex/" + uuid + "/v4/key/" + d + "%2F" + d + "%2Fconfig",
            "/git-annex/" + uuid + "/key/" + d + "/" + d + "/config",
            "/git-annex/" + uuid + "/v4/key/SHA256E-s1--" + d + "%2F" + d + "%2F" + d + "%2Foutside.txt",
            "/" + repo.getFileName() + "/" + d + "/" + d + "/outside.txt",
            "/" + d + "/" + d + "/" + d + "/outside.txt",
            "/" + repo.getFileName() + "/" + d + "/config",
            "/" + repo.getFileName() + "/objects/" + d + "/" + d + "/" + d + "/outside.txt",
            "/git-annex/" + uuid + "/v4/checkpresent?key=SHA256E-s1--" + d + "%2F" + d + "%2Foutside.txt&clientuuid=c",
        };
        String target = targets[random.nextInt(targets.length)];
        Reply r = send(random.nextBoolean() ? "GET" : "POST", target, Map.of("Content-Length", "0"), new byte[0]);
        findings.count("http traversal requests", 1);
        if (r.raw != null && new String(r.raw, StandardCharsets.ISO_8859_1).contains(secret)) {
            findings.violation("leak", target + " served a file outside the repository");
        }
    }

    private void malformed() throws Exception {
        String[] lines = {
            "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /git-annex HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /git-annex/" + uuid + "/v4/checkpresent HTTP/1.1\r\nHost: x\r\nX-Broken\r\n\r\n",
            "POST /git-annex/" + uuid + "/v4/checkpresent HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            "POST /git-annex/" + uuid + "/v4/checkpresent HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
            "GET /git-annex/" + uuid + "/v4/key/x HTTP/1.1\r\nHost: x\r\nRange: bytes=99999999999999999999-\r\n\r\n",
            "GET /git-annex/" + uuid + "/v4/key/x HTTP/1.1\r\nHost: x\r\nRange: bytes=5-1\r\n\r\n",
            "GET /git-annex/" + uuid + " HTTP/1.1\r\nHost: x\r\nX-Huge: " + "h".repeat(70_000) + "\r\n\r\n",
            "\u0000\u0001\u0002\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            "POST /git-annex/" + uuid + "/v4/put?key=" + keys.get(0).key() + "&clientuuid=c HTTP/1.1\r\nHost: x\r\nX-git-annex-data-length: 1\r\n"
                + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
            "GET /git-annex/\u00e9\u00ff/v4/checkpresent HTTP/1.1\r\nHost: x\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n",
        };
        byte[] req = lines[random.nextInt(lines.length)].getBytes(StandardCharsets.ISO_8859_1);
        if (random.nextInt(3) == 0) {
            req = req.clone();
            req[random.nextInt(req.length)] = (byte) random.nextInt(256);
        }
        raw(req, "malformed request");
    }

    private void wrongLength(P2pFuzzer.FuzzKey k) throws Exception {
        if (onDisk(k) || k.content().length < 2) {
            return;
        }
        tainted.add(k.key());
        String[] declared = {"-1", "abc", "99999999999999999999", Integer.toString(k.content().length + 7),
            Integer.toString(k.content().length / 2), "", "0x10", " 5"};
        String d = declared[random.nextInt(declared.length)];
        Reply r = send("POST", api("put", k.key()), Map.of("X-git-annex-data-length", d,
                "Content-Length", Integer.toString(k.content().length)), k.content());
        // Stored only if an earlier broken upload left the rest: then it must be whole and verified.
        if (r.body.contains("\"stored\": true") && !onDisk(k)) {
            findings.violation("model", "stored " + k.key() + " with X-git-annex-data-length " + d + ", nothing on disk");
        }
        if (r.status == 200 && !r.body.contains("\"stored\"") || r.status != 200 && r.status != 400) {
            findings.violation("model", "put with X-git-annex-data-length " + d + " answered " + r.status + " "
                    + FuzzFindings.abbreviate(r.body));
        }
    }

    private void badChunks(P2pFuzzer.FuzzKey k) throws Exception {
        if (onDisk(k)) {
            return;
        }
        tainted.add(k.key());
        String[] bodies = {"zz\r\nabc\r\n0\r\n\r\n", "ffffffffffffffffffff\r\nx\r\n0\r\n\r\n", "5\r\nab", "0\r\nX: y\r\n\r\n",
            "3\r\nabcdef\r\n0\r\n\r\n", "-1\r\n\r\n"};
        String head = "POST " + api("put", k.key()) + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "X-git-annex-data-length: " + k.content().length + "\r\n\r\n";
        raw((head + bodies[random.nextInt(bodies.length)]).getBytes(StandardCharsets.ISO_8859_1), "bad chunking");
    }

    private void mutatedQuery() throws Exception {
        P2pFuzzer.FuzzKey k = anyKey();
        String[] ops = {"checkpresent", "remove-before", "gettimestamp", "putoffset", "lockcontent", "keeplocked", "remove"};
        String op = ops[random.nextInt(ops.length)];
        StringBuilder q = new StringBuilder("key=" + k.key() + "&clientuuid=c");
        String[] junk = {"%", "%zz", "%ff%fe", "%C3%28", "%00", "&&&", "=", "key=", "timestamp=-1", "lockid=%E8",
            "bypass=x", "associatedfile=..%2F..%2Fx", "offset=99999999999999999999", "[", "]", "[%%%]", "key=[!!!]"};
        for (int i = random.nextInt(4); i >= 0; i--) {
            q.insert(random.nextInt(q.length() + 1), junk[random.nextInt(junk.length)]);
        }
        if (op.equals("lockcontent")) {
            mayBeLockedUntil.put(k.key(), System.nanoTime() + TimeUnit.SECONDS.toNanos(LOCK_RETENTION_SECONDS + 2));
        }
        send("POST", "/git-annex/" + uuid + "/v4/" + op + "?" + q, Map.of("Content-Length", "0"), new byte[0]);
        checkPresent(k);
    }

    private void vanish() throws Exception {
        P2pFuzzer.FuzzKey k = anyKey();
        if (k.content().length == 0) {
            // Half of nothing is the whole request: the server may rightly store it after the
            // client has gone, at a moment the model cannot know.
            return;
        }
        tainted.add(k.key());
        String head = "POST " + api("put", k.key()) + " HTTP/1.1\r\nHost: x\r\nX-git-annex-data-length: " + k.content().length
                + "\r\nContent-Length: " + k.content().length + "\r\n\r\n";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            s.setSoLinger(true, 0);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(k.content(), 0, k.content().length / 2);
        } catch (IOException refused) {
            // the server answered (or closed) before the client vanished: fine either way
        }
        findings.count("http requests", 1);
        findings.count("http vanished clients", 1);
        probe();
    }

    private void slowClient() throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
        idle.add(s);
        byte[] head = ("POST " + api("checkpresent", anyKey().key()) + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try {
            for (int i = 0; i < Math.min(head.length, 20); i++) {
                s.getOutputStream().write(head[i]);
                s.getOutputStream().flush();
                Thread.sleep(5);
            }
        } catch (IOException cutOff) {
            // the client deadline cut it off
        }
        findings.count("http slow clients", 1);
        probe();
    }

    private void idleConnections() throws Exception {
        for (int i = 0; i < 50 && idle.size() < 400; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            idle.add(s);
        }
        findings.count("http idle connections", 50);
        probe();
        if (idle.size() >= 400) {
            for (Socket s : idle) {
                s.close();
            }
            idle.clear();
        }
    }

    // --- the wire

    /** A reply: status (-1: none, the connection closed), body text and bytes. */
    record Reply(int status, String body, byte[] raw) {
    }

    private Reply send(String method, String target, Map<String, String> headers, byte[] body) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
                .getBytes(StandardCharsets.UTF_8));
        headers.forEach((k, v) -> b.writeBytes((k + ": " + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
        b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            b.writeBytes(body);
        }
        return raw(b.toByteArray(), method + " " + target);
    }

    private Reply raw(byte[] request, String what) throws Exception {
        findings.count("http requests", 1);
        Reply r;
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            try {
                s.getOutputStream().write(request);
                s.shutdownOutput();
            } catch (IOException reset) {
                // the server may close early on a bad request; its reply says why
            }
            r = read(s.getInputStream());
        } catch (java.net.SocketTimeoutException e) {
            findings.violation("hang", "no reply within " + TIMEOUT_MS + " ms to " + FuzzFindings.abbreviate(what));
            return new Reply(-1, "", null);
        } catch (IOException e) {
            r = new Reply(-1, "", null);
        }
        findings.count("http status " + (r.status < 0 ? "none (closed)" : r.status >= 500 ? r.status : r.status / 100 + "xx"), 1);
        // 503 (busy), 505 (HTTP version) and 507 (full disk) are honest answers; the rest is our fault.
        if (r.status >= 500 && r.status != 503 && r.status != 505 && r.status != 507) {
            findings.violation("500", what + " answered " + r.status + " " + FuzzFindings.abbreviate(r.body));
        }
        findings.checkClientText(what, r.body);
        if (System.nanoTime() - t0 > TIMEOUT_MS * 1_000_000L) {
            findings.violation("hang", "slow reply to " + what);
        }
        return r;
    }

    private static Reply read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null || !status.startsWith("HTTP/1.1 ")) {
            return new Reply(-1, status == null ? "" : status, null);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes((int) Math.min(Long.parseLong(length), 64 << 20));
        } else {
            body = in.readNBytes(64 << 20);
        }
        return new Reply(code, new String(body, StandardCharsets.UTF_8), body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private void probe() throws Exception {
        checkPresent(anyKey());
    }

    private P2pFuzzer.FuzzKey anyKey() {
        return keys.get(random.nextInt(keys.size()));
    }

    private String git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "--git-dir=" + repo));
        cmd.addAll(List.of(args));
        return new Sh(Map.of()).run(sandbox, Duration.ofSeconds(30), cmd.toArray(String[]::new)).out();
    }

    // --- the end

    private void finalCheck() throws Exception {
        for (P2pFuzzer.FuzzKey k : keys) {
            checkPresent(k);
            download(k);
        }
    }

    private void checkObjects() throws IOException {
        P2pFuzzer.checkObjects(repo, keys, findings, k -> { });
    }
}
