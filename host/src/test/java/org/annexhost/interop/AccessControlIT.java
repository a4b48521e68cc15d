package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.annexhost.access.Grants;
import org.annexhost.access.Right;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.transport.StreamConnection;
import org.annexhost.testing.AuditRecords;
import org.annexhost.testing.ServeProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control, tried as an attacker would: every operation a client can ask of a running
 * {@code annexhost serve} (the HTTP API's checkpresent, get, put, putoffset, lockcontent, remove,
 * remove-before and gettimestamp; git's fetch and push over smart HTTP; the same P2P verbs over
 * the ssh drop-in) by every kind of identity (anonymous, a host user's password, a host user's
 * token, an {@code --authenv} user, {@code annexhost shell --user}, a forge's headers from an
 * untrusted address and from the trusted socket) at every right (none, read, append, full), on the
 * repository and on a remote it proxies. Each is asserted allowed or refused, and a
 * refusal is asserted to have changed nothing (content absent or still there, no ref moved) and
 * to be in the audit log. The counts are written to {@code target/access-matrix.txt}.
 */
@Timeout(900)
class AccessControlIT {
    static final String ALICE_PASSWORD = "alice-Pw-7f3k-never-shown";
    @TempDir
    Path tmp;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Who asks: how they log in, and the right they hold in a cell of the matrix. */
    record Identity(String label, Optional<String> user, Optional<String> authorization, boolean ssh, Map<String, String> headers) {
        Identity(String label, Optional<String> user, Optional<String> authorization, boolean ssh) {
            this(label, user, authorization, ssh, Map.of());
        }

        /** @return the request headers that say who this is */
        Map<String, String> asHeaders() {
            Map<String, String> h = new LinkedHashMap<>(headers);
            authorization.ifPresent(a -> h.put("Authorization", a));
            return h;
        }
    }

    /** What an operation needs, by the same rule everywhere. */
    enum Op {
        CHECKPRESENT(Right.READ), GET(Right.READ), LOCKCONTENT(Right.READ), GETTIMESTAMP(Right.READ), PUT(Right.APPEND),
        PUTOFFSET(Right.APPEND), REMOVE(Right.FULL), REMOVE_BEFORE(Right.FULL), GIT_FETCH(Right.READ), GIT_PUSH(Right.APPEND);

        final Right needs;

        Op(Right needs) {
            this.needs = needs;
        }
    }

    Path gateway;
    Path nas;
    AnnexWorld world;
    Map<String, String> env;
    String repoUuid;
    String nasUuid;
    String api;
    String cloneUrl;
    String admin;
    int cell;
    int tried;
    int refusedAsExpected;
    int allowedAsExpected;
    final List<String> wrong = new ArrayList<>();

    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        env = Map.of("ANNEXHOST_STATE_DIR", tmp.resolve("state").toString(), "GIT_TERMINAL_PROMPT", "0");
        gateway = tmp.resolve("gateway.git");
        nas = Files.createDirectories(tmp.resolve("nas"));
        world.ok(tmp, launcher, "init", gateway.toString());
        world.ok(tmp, launcher, "initremote", "--repo", gateway.toString(), "nas", "type=directory",
                "directory=" + nas, "encryption=none");
        repoUuid = world.ok(gateway, "git", "config", "annex.uuid").out().trim();
        String remotes = world.ok(tmp, launcher, "remotes", "--repo", gateway.toString()).out();
        nasUuid = remotes.lines().filter(l -> l.startsWith("nas\t")).findFirst().orElseThrow().split("\t")[1];
    }

    Sh0 sh() {
        return new Sh0();
    }

    /** Runs through the sandbox with the host's state directory. */
    final class Sh0 {
        org.annexhost.testing.Sh.Result ok(Path dir, String... cmd) throws IOException {
            return world.ok(dir, Duration.ofMinutes(2), env, cmd);
        }

        org.annexhost.testing.Sh.Result run(Path dir, String... cmd) throws IOException {
            return world.run(dir, Duration.ofMinutes(2), env, cmd);
        }
    }

    static String basic(String user, String secret) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    static String key(byte[] content) throws Exception {
        return "SHA256E-s" + content.length + "--" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    /** An HTTP answer: its status and body. */
    record Answer(int status, byte[] bytes) {
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        int statusCode() {
            return status;
        }
    }

    /** The unix socket a forge reaches the host on, when the test serves on one (requests go by curl). */
    Path socket;

    Answer exchange(String method, String path, Map<String, String> headers, byte[] body) throws Exception {
        if (socket == null) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.replaceAll("/git-annex/$", "") + path))
                    .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(b::header);
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.body());
        }
        Path in = Files.write(tmp.resolve("curl.in"), body);
        Path out = tmp.resolve("curl.out");
        Files.deleteIfExists(out);
        List<String> curl = new ArrayList<>(List.of("curl", "-sS", "--unix-socket", socket.toString(), "-o", out.toString(),
                "-w", "%{http_code}", "-X", method));
        headers.forEach((k, v) -> curl.addAll(List.of("-H", k + ": " + v)));
        if (method.equals("POST")) {
            curl.addAll(List.of("--data-binary", "@" + in));
        }
        curl.add("http://localhost" + path);
        org.annexhost.testing.Sh.Result r = world.run(tmp, Duration.ofMinutes(1), Map.of(), curl.toArray(String[]::new));
        assertThat(r.code()).as(r.describe()).isZero();
        return new Answer(Integer.parseInt(r.out().trim()), Files.exists(out) ? Files.readAllBytes(out) : new byte[0]);
    }

    Answer post(String target, String op, String query, Map<String, String> who, byte[] body) throws Exception {
        Map<String, String> h = new LinkedHashMap<>(who);
        if (op.equals("put")) {
            h.put("X-git-annex-data-length", Integer.toString(body.length));
            h.put("Content-Type", "application/octet-stream");
        }
        return exchange("POST", "/git-annex/" + target + "/v4/" + op + "?clientuuid=" + java.util.UUID.randomUUID()
                + "&serveruuid=" + target + query, h, body);
    }

    Answer get(String target, String key, Map<String, String> who) throws Exception {
        return exchange("GET", "/git-annex/" + target + "/v4/key/" + key + "?clientuuid=" + java.util.UUID.randomUUID()
                + "&serveruuid=" + target, who, new byte[0]);
    }

    /** The administrator's headers: the authenv user root, or on the forge's socket the forge's word. */
    Map<String, String> admin() {
        return socket != null ? Map.of("X-Forwarded-User", "forge-admin", "X-Annexhost-Access", "full")
                : Map.of("Authorization", admin);
    }

    boolean present(String target, String key) throws Exception {
        Answer r = post(target, "checkpresent", "&key=" + key, admin(), new byte[0]);
        assertThat(r.statusCode()).as("the administrator's checkpresent: %s", r.body()).isEqualTo(200);
        return r.body().contains("true");
    }

    void store(String target, String key, byte[] content) throws Exception {
        Answer r = post(target, "put", "&key=" + key, admin(), content);
        assertThat(r.body()).as("the administrator's put").contains("\"stored\": true");
    }

    /** Grants exactly this right to the identity where the cell says, and nothing else. */
    void only(Identity who, Optional<String> remote, Right right) throws Exception {
        Files.deleteIfExists(gateway.resolve("annex/annexhost-grants"));
        if (!(who.user().isEmpty() && who.authorization().isPresent())) { // an --authenv user's right is the environment's
            Grants.of(gateway).grant(who.user().orElse("anonymous"), remote, right);
        }
        settle();
    }

    /** Waits as long as a running host may hold grants it read before they changed. */
    static void settle() throws InterruptedException {
        Thread.sleep(org.annexhost.access.Grants.STALE_MILLIS + 20);
    }

    void expect(String what, boolean allowed, boolean wasAllowed, boolean nothingChanged, boolean audited) {
        tried++;
        if (allowed && wasAllowed) {
            allowedAsExpected++;
        } else if (!allowed && !wasAllowed && nothingChanged && audited) {
            refusedAsExpected++;
        } else {
            wrong.add(what + ": expected " + (allowed ? "allowed" : "refused") + ", was " + (wasAllowed ? "allowed" : "refused")
                    + (wasAllowed || nothingChanged ? "" : ", and something changed") + (wasAllowed || audited ? "" : ", not audited"));
        }
    }

    long refusalsAudited() throws IOException {
        return AuditRecords.count(AuditRecords.of(gateway), "result", "refused");
    }

    @Test
    void everyOperationByEveryIdentityAtEveryRightOnTheRepositoryAndAProxiedRemote() throws Exception {
        setUp();
        sh().ok(tmp, "bash", "-c", "printf '%s\\n' '" + ALICE_PASSWORD + "' | " + launcher + " user add alice");
        sh().ok(tmp, launcher, "user", "add", "bob", "--no-password");
        String bobToken = sh().ok(tmp, launcher, "user", "token", "bob").out().trim();
        assertThat(bobToken).startsWith("aht_");
        sh().ok(tmp, launcher, "user", "add", "carol", "--no-password");
        Map<String, String> serveEnv = new LinkedHashMap<>(env);
        String rootPassword = "root-" + java.util.UUID.randomUUID();
        serveEnv.put("GIT_ANNEX_P2PHTTP_PASSWORD_root", rootPassword);
        for (String p : List.of("readonly", "appendonly", "full")) {
            serveEnv.put("GIT_ANNEX_P2PHTTP_PASSWORD_env" + p, "pw-" + p);
            if (!p.equals("full")) {
                serveEnv.put("GIT_ANNEX_P2PHTTP_PERMISSIONS_env" + p, p);
            }
        }
        admin = basic("root", rootPassword);
        // A commit to push, in a plain clone-to-be.
        Path work = Files.createDirectories(tmp.resolve("work"));
        world.ok(work, "git", "init", "-q");
        Files.writeString(work.resolve("a"), "a");
        world.ok(work, "git", "add", "a");
        world.ok(work, "git", "commit", "-q", "-m", "a");

        try (ServeProcess host = world.serve(tmp, serveEnv, launcher, "--repo", gateway.toString(), "--port", "0",
                "--authenv-http", "--auth-http", "--trusted-proxy=192.0.2.1")) {
            cloneUrl = host.url();
            api = cloneUrl.replaceAll("/[^/]*$", "") + "/git-annex/";
            Map<Right, Identity> authenv = Map.of(
                    Right.READ, new Identity("authenv readonly", Optional.empty(), Optional.of(basic("envreadonly", "pw-readonly")), false),
                    Right.APPEND, new Identity("authenv appendonly", Optional.empty(), Optional.of(basic("envappendonly", "pw-appendonly")), false),
                    Right.FULL, new Identity("authenv full", Optional.empty(), Optional.of(basic("envfull", "pw-full")), false));
            List<Identity> people = List.of(
                    new Identity("anonymous", Optional.empty(), Optional.empty(), false),
                    new Identity("alice by password", Optional.of("alice"), Optional.of(basic("alice", ALICE_PASSWORD)), false),
                    new Identity("bob by token", Optional.of("bob"), Optional.of(basic("bob", bobToken)), false),
                    new Identity("carol over ssh (--user)", Optional.of("carol"), Optional.empty(), true),
                    // A forge's headers from an address not trusted: believed, they would give full rights.
                    new Identity("forged proxy headers from an untrusted address", Optional.empty(), Optional.empty(), false,
                            Map.of("X-Forwarded-User", "alice", "X-Annexhost-Access", "full")));
            for (String target : List.of(repoUuid, nasUuid)) {
                Optional<String> remote = target.equals(nasUuid) ? Optional.of("nas") : Optional.empty();
                for (Right right : Right.values()) {
                    List<Identity> at = new ArrayList<>(people);
                    if (authenv.containsKey(right)) {
                        at.add(authenv.get(right));
                    }
                    for (Identity who : at) {
                        only(who, remote, right);
                        for (Op op : Op.values()) {
                            if ((op == Op.GIT_FETCH || op == Op.GIT_PUSH) && remote.isPresent()) {
                                continue; // git reaches the repository only
                            }
                            if (who.ssh() && op == Op.PUTOFFSET) {
                                continue; // an HTTP request with no P2P verb of its own
                            }
                            if (who.ssh() && (op == Op.GIT_FETCH || op == Op.GIT_PUSH)) {
                                sshGit(who, op, right);
                            } else if (who.ssh()) {
                                ssh(who, target, remote, op, right);
                            } else if (op == Op.GIT_FETCH || op == Op.GIT_PUSH) {
                                httpGit(who, op, right, work);
                            } else {
                                httpApi(who, target, remote, op, right);
                            }
                        }
                    }
                }
            }
            // Wrong credentials are no identity: a wrong password or a made-up token is asked to log in.
            Files.deleteIfExists(gateway.resolve("annex/annexhost-grants"));
            settle();
            for (String bad : List.of(basic("alice", "wrong"), basic("bob", bobToken + "x"), basic("bob", "aht_00000000_x"),
                    basic("nobody", "x"), "Bearer " + bobToken)) {
                Answer r = post(repoUuid, "checkpresent", "&key=SHA256E-s1--00", Map.of("Authorization", bad), new byte[0]);
                tried++;
                if (r.statusCode() == 401) {
                    refusedAsExpected++;
                } else {
                    wrong.add("bad credentials " + bad.substring(0, 10) + "...: " + r.statusCode());
                }
            }
            // Removing a user refuses them on the running host's next request.
            Grants.of(gateway).grant("bob", Optional.empty(), Right.FULL);
            settle();
            assertThat(post(repoUuid, "checkpresent", "&key=SHA256E-s1--00", Map.of("Authorization", basic("bob", bobToken)), new byte[0])
                    .statusCode()).isEqualTo(200);
            sh().ok(tmp, launcher, "user", "remove", "bob");
            settle();
            assertThat(post(repoUuid, "checkpresent", "&key=SHA256E-s1--00", Map.of("Authorization", basic("bob", bobToken)), new byte[0])
                    .statusCode()).isEqualTo(401);
        }
        String summary = "operations tried " + tried + ", allowed as expected " + allowedAsExpected + ", refused as expected "
                + refusedAsExpected + ", wrong " + wrong.size() + "\n" + String.join("\n", wrong) + "\n";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "access-matrix.txt"), summary);
        String log = Files.readString(tmp.resolve("gateway.git/annex/annexhost-audit.log"));
        assertThat(log).as("refusals are audited").contains("\"refused\"");
        assertThat(wrong).as(summary).isEmpty();
        assertThat(tried).isEqualTo(411);
        assertThat(refusedAsExpected).isEqualTo(169);
        assertThat(allowedAsExpected).isEqualTo(242);
    }

    /**
     * Trusted-proxy mode as a forge runs it: one host on a unix socket, believing every
     * connection there. The forge's {@code X-Annexhost-Access} decides each request's right; with
     * only {@code X-Forwarded-User}, the host's grants for that user do. Every API operation and
     * git's fetch and push advertisements, at every right, both ways, on the repository and the
     * proxied remote.
     */
    @Test
    void aForgeOnTheTrustedSocketDecidesWhoTheUserIsAndWhatTheyMayDo() throws Exception {
        setUp();
        socket = tmp.resolve("annexhost.sock");
        try (ServeProcess host = world.serve(tmp, env, launcher, "--repo", gateway.toString(), "--socket", socket.toString(),
                "--trusted-proxy", "--no-shell-socket")) {
            for (String target : List.of(repoUuid, nasUuid)) {
                Optional<String> remote = target.equals(nasUuid) ? Optional.of("nas") : Optional.empty();
                for (Right right : Right.values()) {
                    Identity byHeader = new Identity("the forge's " + right.word(), Optional.empty(), Optional.empty(), false,
                            Map.of("X-Forwarded-User", "erin", "X-Annexhost-Access", right.word()));
                    Identity byGrant = new Identity("the forge's user erin", Optional.of("erin"), Optional.empty(), false,
                            Map.of("X-Forwarded-User", "erin"));
                    for (Identity who : List.of(byHeader, byGrant)) {
                        Files.deleteIfExists(gateway.resolve("annex/annexhost-grants"));
                        if (who == byGrant) {
                            Grants.of(gateway).grant("erin", remote, right);
                        } else {
                            // A grant the forge's word overrides.
                            Grants.of(gateway).grant("erin", remote, Right.FULL);
                        }
                        settle();
                        for (Op op : Op.values()) {
                            if (op == Op.GIT_FETCH || op == Op.GIT_PUSH) {
                                if (remote.isEmpty()) {
                                    String service = op == Op.GIT_FETCH ? "git-upload-pack" : "git-receive-pack";
                                    long audited = refusalsAudited();
                                    Answer r = exchange("GET", "/gateway.git/info/refs?service=" + service, who.asHeaders(), new byte[0]);
                                    expect(who.label() + " git " + op, right.covers(op.needs), r.status() == 200, true,
                                            refusalsAudited() > audited);
                                }
                                continue;
                            }
                            httpApi(who, target, remote, op, right);
                        }
                    }
                }
            }
            // A forge's word that is no right is refused as a bad request, not taken as anything.
            assertThat(post(repoUuid, "checkpresent", "&key=SHA256E-s1--00", Map.of("X-Forwarded-User", "erin",
                    "X-Annexhost-Access", "everything"), new byte[0]).status()).isEqualTo(400);
        }
        String summary = "trusted socket: operations tried " + tried + ", allowed as expected " + allowedAsExpected
                + ", refused as expected " + refusedAsExpected + ", wrong " + wrong.size() + "\n" + String.join("\n", wrong) + "\n";
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "access-matrix-socket.txt"), summary);
        assertThat(wrong).as(summary).isEmpty();
        assertThat(tried).isEqualTo(2 * 4 * (8 + 8) + 2 * 4 * 2);
    }

    /**
     * The real git-annex client, as a user with a token: append in the repository and read on its
     * proxied remote. Copying to origin works; dropping from origin and copying to the remote are
     * refused with a clear message and change nothing; getting from the remote works. The same
     * user over ssh ({@code annexhost shell --user}) gets the same answers.
     */
    @Test
    void aTokenUserWithTheRealClientAndTheSameUserOverSshGetTheSameAnswers() throws Exception {
        setUp();
        world.ok(tmp, "git", "config", "--global", "annex.security.allowed-ip-addresses", "all");
        sh().ok(tmp, launcher, "user", "add", "dave", "--no-password");
        String token = sh().ok(tmp, launcher, "user", "token", "dave").out().trim();
        sh().ok(tmp, launcher, "grant", "dave", "append", "--repo", gateway.toString());
        sh().ok(tmp, launcher, "grant", "dave", "read", "--repo", gateway.toString(), "--remote", "nas");
        assertThat(sh().ok(tmp, launcher, "grants", "--repo", gateway.toString()).out())
                .contains("dave\t.\tappend", "dave\tnas\tread");
        assertThat(sh().run(tmp, launcher, "grant", "dave", "full", "--repo", gateway.toString(), "--remote", "nowhere").err())
                .contains("no remote or cluster named nowhere");
        Map<String, String> serveEnv = new LinkedHashMap<>(env);
        serveEnv.put("GIT_ANNEX_P2PHTTP_PASSWORD_root", "root-pw");
        admin = basic("root", "root-pw");
        Map<String, List<String>> answers = new LinkedHashMap<>();
        try (ServeProcess host = world.serve(tmp, serveEnv, launcher, "--repo", gateway.toString(), "--port", "0",
                "--authenv-http", "--auth-http")) {
            cloneUrl = host.url();
            api = cloneUrl.replaceAll("/[^/]*$", "") + "/git-annex/";
            URI url = URI.create(cloneUrl);
            Path creds = tmp.resolve("home/.git-credentials");
            Files.writeString(creds, "http://dave:" + token + "@" + url.getHost() + ":" + url.getPort() + "\n");
            world.ok(tmp, "git", "config", "--global", "credential.helper", "store --file=" + creds);
            answers.put("http", client("laptop", cloneUrl, Map.of()));
            Map<String, String> forced = new LinkedHashMap<>(env);
            forced.put("SSH_STANDIN_MODE", "forced");
            forced.put("ANNEXHOST_SHELL", Path.of(launcher).toAbsolutePath().normalize() + " shell --user dave");
            answers.put("ssh", client("desk", "localhost:" + gateway, forced));
        }
        assertThat(answers.get("ssh")).as("over ssh as over HTTP").isEqualTo(answers.get("http"));
        assertThat(answers.get("http")).containsExactly("copy --to origin: ok", "drop --from origin: refused",
                "copy --to origin-nas: refused", "get --from origin-nas: ok");
        assertThat(AuditRecords.count(AuditRecords.of(gateway), "user", "dave", "result", "refused"))
                .as("each refusal audited as dave's").isGreaterThanOrEqualTo(4);
    }

    /**
     * Quotas through a running host: concurrent PUTs that together pass a user's limit store only
     * what fits and the rest nothing; a removal frees room; the usage is the same after a
     * restart; the real git-annex client, over HTTP and over ssh, is told the quota is why.
     */
    @Test
    void concurrentPutsStoreOnlyWhatFitsTheQuotaAndTheCountSurvivesARestart() throws Exception {
        setUp();
        world.ok(tmp, "git", "config", "--global", "annex.security.allowed-ip-addresses", "all");
        sh().ok(tmp, "bash", "-c", "printf 'frank-pw\\n' | " + launcher + " user add frank");
        sh().ok(tmp, launcher, "grant", "frank", "full", "--repo", gateway.toString());
        sh().ok(tmp, launcher, "quota", "--repo", gateway.toString(), "--user", "frank", "--limit", "10kB");
        Map<String, String> frank = Map.of("Authorization", basic("frank", "frank-pw"));
        Map<String, String> serveEnv = new LinkedHashMap<>(env);
        serveEnv.put("GIT_ANNEX_P2PHTTP_PASSWORD_root", "root-pw");
        admin = basic("root", "root-pw");
        List<String> keys = new ArrayList<>();
        try (ServeProcess host = world.serve(tmp, serveEnv, launcher, "--repo", gateway.toString(), "--port", "0",
                "--authenv-http", "--auth-http")) {
            cloneUrl = host.url();
            api = cloneUrl.replaceAll("/[^/]*$", "") + "/git-annex/";
            int n = 8;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(n);
            List<java.util.concurrent.Future<Integer>> puts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] content = new byte[3000];
                new java.util.Random(i).nextBytes(content);
                String key = key(content);
                keys.add(key);
                puts.add(pool.submit(() -> {
                    together.await();
                    return post(repoUuid, "put", "&key=" + key, frank, content).status();
                }));
            }
            List<Integer> statuses = new ArrayList<>();
            for (java.util.concurrent.Future<Integer> f : puts) {
                statuses.add(f.get());
            }
            pool.shutdown();
            assertThat(statuses).as("3 of 3000 bytes fit in 10 kB").containsOnly(200, 413).filteredOn(s -> s == 200).hasSize(3);
            int stored = 0;
            for (int i = 0; i < n; i++) {
                boolean there = present(repoUuid, keys.get(i));
                assertThat(there).as("key %d stored exactly when its PUT succeeded", i).isEqualTo(statuses.get(i) == 200);
                stored += there ? 1 : 0;
            }
            assertThat(stored).isEqualTo(3);
            assertThat(AuditRecords.count(AuditRecords.of(gateway), "user", "frank", "result", "refused")).isEqualTo(5);
            String refusedKey = keys.get(statuses.indexOf(413));
            Answer again = post(repoUuid, "put", "&key=" + refusedKey, frank, new byte[3000]);
            assertThat(again.status()).isEqualTo(413);
            assertThat(again.body()).contains("quota exceeded: frank's limit on this repository is 10.0 kB, 9.00 kB used");
            // A removal frees what it counted.
            String storedKey = keys.get(statuses.indexOf(200));
            assertThat(post(repoUuid, "remove", "&key=" + storedKey, frank, new byte[0]).body()).contains("\"removed\": true");
        }
        assertThat(sh().ok(tmp, launcher, "quota", "--repo", gateway.toString(), "--user", "frank").out())
                .contains("frank\t.\t6.00 kB used\tlimit 10.0 kB");
        // A restart counts the same; the real client is told why its copy failed.
        try (ServeProcess host = world.serve(tmp, serveEnv, launcher, "--repo", gateway.toString(), "--port", "0",
                "--authenv-http", "--auth-http")) {
            cloneUrl = host.url();
            api = cloneUrl.replaceAll("/[^/]*$", "") + "/git-annex/";
            byte[] fits = new byte[3500];
            new java.util.Random(42).nextBytes(fits);
            assertThat(post(repoUuid, "put", "&key=" + key(fits), frank, fits).status()).isEqualTo(200);
            byte[] tooBig = new byte[1000];
            new java.util.Random(43).nextBytes(tooBig);
            assertThat(post(repoUuid, "put", "&key=" + key(tooBig), frank, tooBig).body()).contains("9.50 kB used");

            URI url = URI.create(cloneUrl);
            Path creds = tmp.resolve("home/.git-credentials");
            Files.writeString(creds, "http://frank:frank-pw@" + url.getHost() + ":" + url.getPort() + "\n");
            world.ok(tmp, "git", "config", "--global", "credential.helper", "store --file=" + creds);
            Path laptop = tmp.resolve("laptop");
            world.ok(tmp, Duration.ofMinutes(2), env, "git", "clone", "-q", cloneUrl, laptop.toString());
            world.ok(laptop, Duration.ofMinutes(2), env, "git", "annex", "init", "laptop");
            AnnexWorld.writeRandom(laptop.resolve("big"), 20_000, 5);
            world.ok(laptop, "git", "annex", "add", "big");
            world.ok(laptop, "git", "commit", "-q", "-m", "big");
            var http = world.run(laptop, Duration.ofMinutes(2), env, "git", "annex", "copy", "--to", "origin", "big");
            assertThat(http.code()).isNotZero();
            Map<String, String> forced = new LinkedHashMap<>(env);
            forced.put("SSH_STANDIN_MODE", "forced");
            forced.put("ANNEXHOST_SHELL", Path.of(launcher).toAbsolutePath().normalize() + " shell --user frank");
            Path desk = tmp.resolve("desk");
            world.ok(tmp, Duration.ofMinutes(2), forced, "git", "clone", "-q", "localhost:" + gateway, desk.toString());
            world.ok(desk, Duration.ofMinutes(2), forced, "git", "annex", "init", "desk");
            AnnexWorld.writeRandom(desk.resolve("big2"), 20_000, 6);
            world.ok(desk, "git", "annex", "add", "big2");
            world.ok(desk, "git", "commit", "-q", "-m", "big2");
            var ssh = world.run(desk, Duration.ofMinutes(2), forced, "git", "annex", "copy", "--to", "origin", "big2");
            assertThat(ssh.code()).isNotZero();
            assertThat(ssh.all()).contains("git-annex-shell: quota exceeded: frank's limit on this repository is 10.0 kB");
            Files.writeString(Path.of("target", "access-quota-client.txt"), "over HTTP:\n" + http.all() + "\nover ssh:\n" + ssh.all());
            String bigKey = world.ok(laptop, "git", "annex", "lookupkey", "big").out().trim();
            assertThat(present(repoUuid, bigKey)).isFalse();
        }
    }

    /**
     * One client's run: copy to origin, drop from origin, copy to origin-nas, and get from
     * origin-nas a file the administrator stored there. Refusals must say why, in one line.
     *
     * @return what each step did
     */
    List<String> client(String name, String url, Map<String, String> extra) throws Exception {
        Path c = tmp.resolve(name);
        String mine = name + "-mine";
        String theirs = name + "-theirs";
        Map<String, String> e = new LinkedHashMap<>(env);
        e.putAll(extra);
        world.ok(tmp, Duration.ofMinutes(2), e, "git", "clone", "-q", url, c.toString());
        world.ok(c, Duration.ofMinutes(2), e, "git", "annex", "init", name);
        AnnexWorld.writeRandom(c.resolve(mine), 10_000, name.hashCode());
        AnnexWorld.writeRandom(c.resolve(theirs), 12_000, name.hashCode() + 1);
        world.ok(c, "git", "annex", "add", mine, theirs);
        world.ok(c, "git", "commit", "-q", "-m", "files");
        world.ok(c, Duration.ofMinutes(2), e, "git", "annex", "sync", "-q", "--no-content");
        List<String> out = new ArrayList<>();
        var copy = world.run(c, Duration.ofMinutes(3), e, "git", "annex", "copy", "--to", "origin", mine);
        out.add("copy --to origin: " + (copy.code() == 0 ? "ok" : "failed " + copy.all()));
        var drop = world.run(c, Duration.ofMinutes(3), e, "git", "annex", "drop", "--from", "origin", mine);
        out.add("drop --from origin: " + (drop.code() != 0 ? "refused" : "ok"));
        assertThat(drop.all()).as("why the drop failed").containsPattern("(?i)(append-only|not allowed|denied|403)");
        var nasCopy = world.run(c, Duration.ofMinutes(3), e, "git", "annex", "copy", "--to", "origin-nas", mine);
        out.add("copy --to origin-nas: " + (nasCopy.code() != 0 ? "refused" : "ok"));
        assertThat(nasCopy.all()).as("why the copy failed").containsPattern("(?i)(read-only|not allowed|denied|403)");
        Files.writeString(Path.of("target", "access-client-" + name + ".txt"), "$ git annex drop --from origin " + mine + "\n"
                + drop.all() + "\n$ git annex copy --to origin-nas " + mine + "\n" + nasCopy.all());
        String mineKey = world.ok(c, "git", "annex", "lookupkey", mine).out().trim();
        assertThat(present(repoUuid, mineKey)).as("still on origin").isTrue();
        assertThat(present(nasUuid, mineKey)).as("not on nas").isFalse();
        // The administrator puts "theirs" on the remote; the client gets it from there.
        String theirsKey = world.ok(c, "git", "annex", "lookupkey", theirs).out().trim();
        store(nasUuid, theirsKey, Files.readAllBytes(c.resolve(theirs).toRealPath()));
        world.ok(c, Duration.ofMinutes(2), e, "git", "annex", "drop", "--force", theirs);
        world.ok(c, Duration.ofMinutes(2), e, "git", "annex", "sync", "-q", "--no-content");
        var get = world.run(c, Duration.ofMinutes(3), e, "git", "annex", "get", "--from", "origin-nas", theirs);
        out.add("get --from origin-nas: " + (get.code() == 0 && Files.exists(c.resolve(theirs).toRealPath()) ? "ok" : "failed " + get.all()));
        return out;
    }

    void httpApi(Identity who, String target, Optional<String> remote, Op op, Right right) throws Exception {
        byte[] content = ("cell " + (++cell) + " " + who.label() + " " + op).getBytes(StandardCharsets.UTF_8);
        String key = key(content);
        if (op != Op.PUT && op != Op.PUTOFFSET) {
            store(target, key, content);
        }
        long audited = refusalsAudited();
        boolean allowedNow;
        boolean unchanged = true;
        switch (op) {
            case CHECKPRESENT -> allowedNow = post(target, "checkpresent", "&key=" + key, who.asHeaders(), new byte[0]).statusCode() == 200;
            case GETTIMESTAMP -> allowedNow = post(target, "gettimestamp", "", who.asHeaders(), new byte[0]).statusCode() == 200;
            case GET -> {
                Answer r = get(target, key, who.asHeaders());
                allowedNow = r.statusCode() == 200 && java.util.Arrays.equals(r.bytes(), content);
            }
            case LOCKCONTENT -> {
                Answer r = post(target, "lockcontent", "&key=" + key, who.asHeaders(), new byte[0]);
                allowedNow = r.statusCode() == 200 && r.body().contains("\"locked\": true");
            }
            case PUT -> {
                Answer r = post(target, "put", "&key=" + key, who.asHeaders(), content);
                allowedNow = r.statusCode() == 200 && r.body().contains("\"stored\": true");
                unchanged = !present(target, key);
            }
            case PUTOFFSET -> {
                Answer r = post(target, "putoffset", "&key=" + key, who.asHeaders(), new byte[0]);
                allowedNow = r.statusCode() == 200 && r.body().contains("\"offset\": 0");
                unchanged = !present(target, key);
            }
            case REMOVE_BEFORE -> {
                Answer t = post(target, "gettimestamp", "", admin(), new byte[0]);
                long now = Long.parseLong(t.body().replaceAll("[^0-9]", ""));
                Answer r = post(target, "remove-before", "&key=" + key + "&timestamp=" + (now + 600), who.asHeaders(), new byte[0]);
                allowedNow = r.statusCode() == 200 && r.body().contains("\"removed\": true");
                unchanged = present(target, key);
            }
            case REMOVE -> {
                Answer r = post(target, "remove", "&key=" + key, who.asHeaders(), new byte[0]);
                allowedNow = r.statusCode() == 200 && r.body().contains("\"removed\": true");
                unchanged = present(target, key);
            }
            default -> throw new IllegalStateException(op.toString());
        }
        boolean auditedNow = refusalsAudited() > audited;
        expect(who.label() + " " + right.word() + " " + op + " on " + remote.orElse("the repository"),
                right.covers(op.needs), allowedNow, unchanged, auditedNow);
    }

    void httpGit(Identity who, Op op, Right right, Path work) throws Exception {
        List<String> git = new ArrayList<>(List.of("git", "-c", "credential.helper="));
        who.asHeaders().forEach((k, v) -> git.addAll(List.of("-c", "http.extraHeader=" + k + ": " + v)));
        String branch = "cell-" + (++cell);
        if (op == Op.GIT_FETCH) {
            git.addAll(List.of("ls-remote", cloneUrl));
        } else {
            git.addAll(List.of("push", "-q", cloneUrl, "HEAD:refs/heads/" + branch));
        }
        long audited = refusalsAudited();
        boolean allowedNow = sh().run(work, git.toArray(String[]::new)).code() == 0;
        boolean unchanged = op == Op.GIT_FETCH
                || world.run(gateway, Duration.ofSeconds(30), Map.of(), "git", "rev-parse", "-q", "--verify", "refs/heads/" + branch).code() != 0;
        expect(who.label() + " " + right.word() + " git " + op, right.covers(op.needs), allowedNow, unchanged,
                refusalsAudited() > audited);
    }

    void sshGit(Identity who, Op op, Right right) throws Exception {
        Path work = tmp.resolve("work");
        String branch = "cell-" + (++cell);
        Map<String, String> forced = new LinkedHashMap<>(env);
        forced.put("SSH_STANDIN_MODE", "forced");
        forced.put("ANNEXHOST_SHELL", Path.of(launcher).toAbsolutePath().normalize() + " shell --user " + who.user().orElseThrow());
        String url = "localhost:" + gateway;
        String[] git = op == Op.GIT_FETCH ? new String[] {"git", "ls-remote", url}
                : new String[] {"git", "push", "-q", url, "HEAD:refs/heads/" + branch};
        long audited = refusalsAudited();
        boolean allowedNow = world.run(work, Duration.ofMinutes(2), forced, git).code() == 0;
        boolean unchanged = op == Op.GIT_FETCH
                || world.run(gateway, Duration.ofSeconds(30), Map.of(), "git", "rev-parse", "-q", "--verify", "refs/heads/" + branch).code() != 0;
        expect(who.label() + " " + right.word() + " git " + op + " over ssh", right.covers(op.needs), allowedNow, unchanged,
                refusalsAudited() > audited);
    }

    /** One p2pstdio conversation through {@code annexhost shell --user NAME}, as ssh runs it. */
    void ssh(Identity who, String target, Optional<String> remote, Op op, Right right) throws Exception {
        byte[] content = ("ssh cell " + (++cell) + " " + op).getBytes(StandardCharsets.UTF_8);
        String keyText = key(content);
        if (op != Op.PUT) {
            store(target, keyText, content);
        }
        long audited = refusalsAudited();
        String command = "git-annex-shell 'p2pstdio' '" + gateway + "' '" + java.util.UUID.randomUUID() + "'"
                + (remote.isPresent() ? " --uuid " + target : "");
        Process p = world.start(tmp, env, launcher, "shell", "--user", who.user().orElseThrow(), "-c", command);
        boolean allowedNow = false;
        boolean unchanged = true;
        Key key = Key.parse(keyText);
        try {
            ProtocolClient client = new ProtocolClient(new StreamConnection("ssh-cell", p.getInputStream(), p.getOutputStream()));
            try {
                client.awaitAuthSuccess();
                client.negotiate(new ProtocolVersion(3));
                switch (op) {
                    case CHECKPRESENT -> allowedNow = client.checkPresent(key).kind() == ClientReply.Kind.SUCCESS;
                    case GETTIMESTAMP -> allowedNow = client.getTimestamp() > 0;
                    case LOCKCONTENT -> {
                        allowedNow = client.lockContent(key);
                        if (allowedNow) {
                            client.unlockContent();
                        }
                    }
                    case GET -> {
                        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                        Optional<org.annexhost.api.content.Content> c = client.openGet(key, AssociatedFile.NONE, 0);
                        if (c.isPresent()) {
                            try (java.io.InputStream in = c.get().stream()) {
                                in.transferTo(got);
                            }
                        }
                        allowedNow = java.util.Arrays.equals(got.toByteArray(), content);
                    }
                    case PUT -> allowedNow = client.put(key, AssociatedFile.NONE,
                            offset -> new org.annexhost.api.content.Content(content.length - offset,
                                    new java.io.ByteArrayInputStream(content, (int) offset, content.length - (int) offset))).kind() == ClientReply.Kind.SUCCESS;
                    case REMOVE -> allowedNow = client.remove(key).kind() == ClientReply.Kind.SUCCESS;
                    case REMOVE_BEFORE -> {
                        long now = client.getTimestamp();
                        allowedNow = client.removeBefore(now + 600, key).kind() == ClientReply.Kind.SUCCESS;
                    }
                    default -> throw new IllegalStateException(op.toString());
                }
            } catch (IOException refusedOrClosed) {
                allowedNow = false;
            }
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (op == Op.PUT) {
            unchanged = !present(target, keyText);
        } else if (op == Op.REMOVE || op == Op.REMOVE_BEFORE) {
            unchanged = present(target, keyText);
        }
        // A user with no right at all is refused before any verb: the refusal is the whole conversation.
        boolean auditedNow = refusalsAudited() > audited;
        expect(who.label() + " " + right.word() + " " + op + " on " + remote.orElse("the repository"),
                right.covers(op.needs), allowedNow, unchanged, auditedNow);
    }
}
