package org.annexhost.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.annexhost.api.key.Key;

/**
 * Fuzzes p2pstdio: one long-lived conversation with a real {@code annexhost shell} process (a new
 * one only when the input was meant to end it), fed well-formed requests whose outcome is known
 * (PUT, GET, CHECKPRESENT, REMOVE, LOCKCONTENT of keys with known content) between random and
 * mutated lines: every verb with the wrong number of parameters, hostile keys, NUL and bytes that
 * are not UTF-8, huge lines, bad DATA lengths, truncated and over-long DATA, offsets past the end,
 * clients that hang up mid-PUT. After each input a probe ({@code VERSION 4}, {@code GETTIMESTAMP})
 * must be answered within a deadline. Invariants: no crash, no hang, no stack trace to the client,
 * replies to known requests as a model of the store predicts, and at the end every object on
 * disk complete and verified, CHECKPRESENT agreeing with the model, partial uploads invisible and
 * resumed, no file outside the repository. Not thread-safe.
 */
public final class P2pFuzzer {
    private static final Duration REPLY = Duration.ofSeconds(15);
    private static final String CLIENT = "33333333-4444-5555-6666-777777777777";
    private static final String[] VERBS = {"AUTH", "AUTH-SUCCESS", "AUTH-FAILURE", "VERSION", "BYPASS", "CONNECT",
        "CONNECTDONE", "NOTIFYCHANGE", "CHANGED", "CHECKPRESENT", "LOCKCONTENT", "UNLOCKCONTENT", "REMOVE",
        "REMOVE-BEFORE", "GETTIMESTAMP", "TIMESTAMP", "GET", "PUT", "PUT-FROM", "ALREADY-HAVE", "ALREADY-HAVE-PLUS",
        "SUCCESS", "SUCCESS-PLUS", "FAILURE", "FAILURE-PLUS", "DATA-PRESENT", "VALID", "INVALID"};

    private final String launcher;
    private final Path repo;
    private final Path sandbox;
    private final Map<String, String> env;
    private final SplittableRandom random;
    private final FuzzFindings findings;
    private final String marker;
    private final List<FuzzKey> keys = new ArrayList<>();
    private final Map<Key, Boolean> present = new HashMap<>();
    private final Map<Key, Long> partial = new HashMap<>();
    /**
     * Stored keys a fuzzed line may have removed (a mutated REMOVE-BEFORE can be valid): for these
     * the server may say absent, and is believed. It may never say present for what is not stored.
     */
    private final java.util.Set<Key> uncertain = new java.util.HashSet<>();
    private ShellConversation c;

    /** A key whose content the fuzzer knows. */
    record FuzzKey(Key key, byte[] content, boolean hashing) {
    }

    /**
     * @param launcher the annexhost launcher
     * @param repo a repository made by {@code annexhost init}, empty
     * @param sandbox the directory the repository is in, watched for files that escape it
     */
    public P2pFuzzer(String launcher, Path repo, Path sandbox, Map<String, String> env, long seed, FuzzFindings findings) {
        this.launcher = launcher;
        this.repo = repo;
        this.sandbox = sandbox;
        this.env = env;
        this.random = new SplittableRandom(seed);
        this.findings = findings;
        this.marker = "fuzzescape" + Long.toHexString(seed & 0xffffff);
        for (int i = 0; i < 24; i++) {
            byte[] content = new byte[i == 0 ? 0 : random.nextInt(i < 20 ? 4096 : 300_000)];
            random.nextBytes(content);
            keys.add(new FuzzKey(sha256Key(content, i % 3 == 0 ? ".bin" : ""), content, true));
        }
        for (int i = 0; i < 6; i++) {
            byte[] content = ("worm content " + i).getBytes(StandardCharsets.UTF_8);
            keys.add(new FuzzKey(Key.parse("WORM-s" + content.length + "-m1700000000--fuzz " + i + ".txt"), content, false));
        }
    }

    /** Runs until the deadline (the long form), then checks the invariants on what is stored. */
    public void run(Duration budget) throws Exception {
        long end = System.nanoTime() + budget.toNanos();
        run(done -> System.nanoTime() < end);
    }

    /**
     * Runs exactly this many episodes, then checks the invariants: the bounded form in the suite,
     * the same lines for the same seed however fast the machine is.
     */
    public void runEpisodes(int episodes) throws Exception {
        run(done -> done < episodes);
    }

    private void run(IntPredicate more) throws Exception {
        open();
        try {
            for (int done = 0; more.test(done); done++) {
                episode();
                findings.count("p2p episodes", 1);
            }
        } finally {
            if (c != null) {
                c.close();
            }
        }
        finalCheck();
    }

    private void open() throws Exception {
        c = ShellConversation.start(launcher, repo, CLIENT, env, Duration.ofSeconds(60));
        findings.count("p2p conversations", 1);
        line("VERSION 4");
        expect("VERSION 4", "VERSION 4");
    }

    /** Ends the conversation as the episode meant to, and opens the next. */
    private void reopen(boolean expected) throws Exception {
        if (!expected) {
            findings.violation("conversation ended unexpectedly", "stderr: " + FuzzFindings.abbreviate(tail(c.stderr())));
        }
        checkStderr();
        c.hangUp();
        if (!c.awaitExit(Duration.ofSeconds(20))) {
            findings.violation("hang", "the shell did not exit after its client left");
            c.kill();
        }
        open();
    }

    private void checkStderr() {
        findings.checkClientText("shell stderr", c.stderr());
    }

    private void episode() throws Exception {
        // Inputs that end the conversation are rare: each costs a new process, as it would over ssh.
        int ending = random.nextInt(4000);
        if (ending < 4) {
            switch (ending) {
                case 0 -> shortPutThenHangUp(anyHashingKey());
                case 1 -> hugeLine();
                case 2 -> lone("DATA " + (1 + random.nextInt(10)));
                default -> lone("ERROR fuzz ends the conversation");
            }
            return;
        }
        int pick = random.nextInt(96);
        if (pick < 14) {
            validPut(anyKey());
        } else if (pick < 20) {
            corruptPut(anyHashingKey());
        } else if (pick < 30) {
            get(anyKey());
        } else if (pick < 40) {
            checkPresent(anyKey());
        } else if (pick < 45) {
            remove(anyKey());
        } else if (pick < 49) {
            lock(anyKey());
        } else if (pick < 75) {
            randomLines(1 + random.nextInt(8));
        } else if (pick < 83) {
            wrongArity();
        } else if (pick < 90) {
            hostileKeys();
        } else if (pick < 94) {
            overlongData(anyHashingKey());
        } else {
            offsetPastEnd(anyKey());
        }
    }

    // --- requests whose outcome the model knows

    private void validPut(FuzzKey k) throws Exception {
        line("PUT " + fileName() + " " + k.key());
        ShellConversation.Reply r = reply("PUT " + k.key());
        if (r == null) {
            return;
        }
        if (r.line().equals("ALREADY-HAVE")) {
            if (!isPresent(k)) {
                findings.violation("model", "ALREADY-HAVE for " + k.key() + ", which is not stored");
            }
            return;
        }
        if (!r.line().startsWith("PUT-FROM ")) {
            findings.violation("model", "PUT " + k.key() + " answered " + r.line());
            probe();
            return;
        }
        if (isPresent(k) && !believeAbsent(k)) {
            findings.violation("model", "PUT-FROM for " + k.key() + ", which is stored");
        }
        long from = Long.parseLong(r.line().substring(9));
        if (from > 0) {
            findings.count("p2p resumed uploads", 1);
            if (from != partial.getOrDefault(k.key(), -1L)) {
                findings.violation("resume", "PUT-FROM " + from + " for " + k.key() + ", partial was " + partial.get(k.key()));
            }
        }
        if (from < 0 || from > k.content().length) {
            findings.violation("model", "PUT-FROM " + from + " past the end of " + k.key());
            probe();
            return;
        }
        data(k.content(), (int) from, k.content().length - (int) from);
        line("VALID");
        expect("PUT " + k.key(), "SUCCESS");
        present.put(k.key(), true);
        partial.remove(k.key());
    }

    private void corruptPut(FuzzKey k) throws Exception {
        if (isPresent(k) || k.content().length == 0) {
            checkPresent(k);
            return;
        }
        line("PUT " + fileName() + " " + k.key());
        ShellConversation.Reply r = reply("PUT " + k.key());
        if (r == null || !r.line().startsWith("PUT-FROM ")) {
            probe();
            return;
        }
        long from = Long.parseLong(r.line().substring(9));
        byte[] wrong = k.content().clone();
        wrong[wrong.length - 1] ^= 0x5a;
        data(wrong, (int) from, wrong.length - (int) from);
        line("VALID");
        expect("PUT of bad content " + k.key(), "FAILURE");
        partial.remove(k.key());
    }

    private void get(FuzzKey k) throws Exception {
        int offset = k.content().length == 0 ? 0 : random.nextInt(k.content().length + 1);
        line("GET " + offset + " " + fileName() + " " + k.key());
        ShellConversation.Reply d = reply("GET " + k.key());
        ShellConversation.Reply v = d == null ? null : reply("GET " + k.key());
        if (d == null || v == null) {
            return;
        }
        if (isPresent(k) && d.line().equals("DATA 0") && v.line().equals("INVALID") && believeAbsent(k)) {
            line("SUCCESS");
            return;
        }
        if (isPresent(k)) {
            byte[] want = java.util.Arrays.copyOfRange(k.content(), offset, k.content().length);
            if (!d.line().equals("DATA " + want.length) || !java.util.Arrays.equals(d.payload(), want) || !v.line().equals("VALID")) {
                findings.violation("model", "GET " + offset + " " + k.key() + " answered " + d.line() + " / " + v.line()
                        + (d.payload() != null && !java.util.Arrays.equals(d.payload(), want) ? " with other bytes" : ""));
            }
        } else if (!d.line().equals("DATA 0") || !v.line().equals("INVALID")) {
            findings.violation("model", "GET of absent " + k.key() + " answered " + d.line() + " / " + v.line());
        }
        line("SUCCESS");
    }

    private void checkPresent(FuzzKey k) throws Exception {
        line("CHECKPRESENT " + k.key());
        ShellConversation.Reply r = reply("CHECKPRESENT " + k.key());
        if (r == null) {
            return;
        }
        if (r.line().equals("FAILURE") && isPresent(k) && believeAbsent(k)) {
            return;
        }
        if (!r.line().equals(isPresent(k) ? "SUCCESS" : "FAILURE")) {
            findings.violation("model", "CHECKPRESENT " + k.key() + ": expected " + (isPresent(k) ? "SUCCESS" : "FAILURE")
                    + ", got " + FuzzFindings.abbreviate(r.line()));
            probe();
        }
        uncertain.remove(k.key());
    }

    /** The server says a stored key is absent: true (and the model follows) if a fuzzed line may have removed it. */
    private boolean believeAbsent(FuzzKey k) {
        if (!uncertain.remove(k.key())) {
            return false;
        }
        present.put(k.key(), false);
        findings.count("p2p keys removed by fuzzed lines", 1);
        return true;
    }

    /** After fuzzed lines: any stored key may have been removed by one. */
    private void shaken() {
        present.forEach((k, v) -> {
            if (v) {
                uncertain.add(k);
            }
        });
    }

    private void remove(FuzzKey k) throws Exception {
        line("REMOVE " + k.key());
        expect("REMOVE " + k.key(), "SUCCESS");
        present.put(k.key(), false);
    }

    private void lock(FuzzKey k) throws Exception {
        line("LOCKCONTENT " + k.key());
        ShellConversation.Reply r = reply("LOCKCONTENT " + k.key());
        if (r == null) {
            return;
        }
        boolean locked = r.line().equals("SUCCESS");
        if (!locked && isPresent(k) && r.line().equals("FAILURE") && believeAbsent(k)) {
            probe();
            return;
        }
        if (locked != isPresent(k)) {
            findings.violation("model", "LOCKCONTENT " + k.key() + " answered " + r.line());
        }
        if (locked) {
            line("UNLOCKCONTENT");
        }
        probe();
    }

    // --- hostile and malformed input, answered or refused, never crashing

    private void randomLines(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] l = mutate(validLine());
            if (startsWith(l, "DATA") || startsWith(l, "ERROR") || startsWith(l, "CONNECT") || l.length > 30_000
                    || isProbe(l)) {
                continue;
            }
            send(l);
        }
        shaken();
        probe();
    }

    private void wrongArity() throws Exception {
        String verb = VERBS[random.nextInt(VERBS.length)];
        int params = random.nextInt(5);
        if (verb.startsWith("CONNECT") || verb.equals("GETTIMESTAMP") && params == 0) {
            return;
        }
        StringBuilder b = new StringBuilder(verb);
        for (int i = 0; i < params; i++) {
            b.append(' ').append(random.nextBoolean() ? anyKey().key().toString() : Integer.toString(random.nextInt(10)));
        }
        line(b.toString());
        shaken();
        probe();
    }

    private void hostileKeys() throws Exception {
        String[] hostile = {
            "SHA256E-s1--../../" + marker, "WORM--../" + marker, "WORM--/tmp/" + marker, "WORM--..%2f" + marker,
            "WORM-s1--" + "x".repeat(300), "SHA256E-s5--\u0000" + marker, "WORM--a\u001b[31m", "WORM-s1--%", "WORM--.",
            "WORM--..", "SHA256E-s-1--" + marker, "SHA256E-s99999999999999999999--" + marker, "WORM-s\u0663--" + marker,
            "--" + marker, "WORM-S5--" + marker, "WORM-s03-m1--" + marker,
        };
        String key = hostile[random.nextInt(hostile.length)];
        String[] forms = {"PUT f " + key, "CHECKPRESENT " + key, "GET 0 f " + key, "REMOVE " + key,
            "LOCKCONTENT " + key, "REMOVE-BEFORE 9999 " + key, "PUT ../../" + marker + " " + key};
        String line = forms[random.nextInt(forms.length)];
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(4) == 0) {
            bytes = withInvalidUtf8(bytes);
        }
        send(bytes);
        send(new byte[] {'\n'});
        probe();
    }

    private void overlongData(FuzzKey k) throws Exception {
        if (isPresent(k)) {
            return;
        }
        line("PUT " + fileName() + " " + k.key());
        ShellConversation.Reply r = reply("PUT " + k.key());
        if (r == null || !r.line().startsWith("PUT-FROM ")) {
            probe();
            return;
        }
        int from = Integer.parseInt(r.line().substring(9));
        byte[] rest = java.util.Arrays.copyOfRange(k.content(), from, k.content().length);
        send(("DATA " + rest.length + "\n").getBytes(StandardCharsets.UTF_8));
        send(rest);
        send("JUNK AFTER DATA\n".getBytes(StandardCharsets.UTF_8));
        line("VALID");
        // The content was complete and verifies: stored, whatever the junk after it got.
        findings.count("p2p lines", 2);
        probe();
        present.put(k.key(), true);
        partial.remove(k.key());
        checkPresent(k);
    }

    private void offsetPastEnd(FuzzKey k) throws Exception {
        long offset = k.content().length + 1 + random.nextInt(1000);
        line("GET " + offset + " f " + k.key());
        probe();
        line("SUCCESS");
        probe();
    }

    private void shortPutThenHangUp(FuzzKey k) throws Exception {
        if (isPresent(k) || k.content().length < 10) {
            return;
        }
        line("PUT " + fileName() + " " + k.key());
        ShellConversation.Reply r = reply("PUT " + k.key());
        if (r == null || !r.line().startsWith("PUT-FROM ")) {
            probe();
            return;
        }
        int from = Integer.parseInt(r.line().substring(9));
        int rest = k.content().length - from;
        int sent = rest / 2;
        send(("DATA " + rest + "\n").getBytes(StandardCharsets.UTF_8));
        send(java.util.Arrays.copyOfRange(k.content(), from, from + sent));
        findings.count("p2p truncated uploads", 1);
        c.hangUp();
        reopen(true);
        partial.put(k.key(), (long) from + sent);
        // Invisible until complete.
        checkPresent(k);
    }

    private void hugeLine() throws Exception {
        byte[] huge = new byte[40_000];
        java.util.Arrays.fill(huge, (byte) 'A');
        send(huge);
        send(new byte[] {'\n'});
        endedAsMeant("a 40000-byte line");
    }

    private void lone(String line) throws Exception {
        line(line);
        endedAsMeant(line);
    }

    /** After input that ends the conversation (git-annex ends it too): it must end, not hang. */
    private void endedAsMeant(String what) throws Exception {
        for (int i = 0; i < 4; i++) {
            ShellConversation.Reply r = c.next(REPLY);
            if (r == null) {
                findings.violation("hang", "no end after " + what);
                break;
            }
            if (r.line() == null) {
                break;
            }
            findings.checkClientText("reply to " + what, r.line());
        }
        reopen(true);
    }

    // --- the wire

    private void line(String line) throws IOException {
        send((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void send(byte[] bytes) throws IOException {
        try {
            c.send(bytes);
        } catch (IOException e) {
            // the process is gone; the next read tells whether that was meant
        }
        for (byte b : bytes) {
            if (b == '\n') {
                findings.count("p2p lines", 1);
            }
        }
    }

    private void data(byte[] content, int from, int length) throws IOException {
        send(("DATA " + length + "\n").getBytes(StandardCharsets.UTF_8));
        send(java.util.Arrays.copyOfRange(content, from, from + length));
        findings.count("p2p DATA bytes", length);
    }

    /** @return the next reply; null (and a violation) on timeout or an unexpected end */
    private ShellConversation.Reply reply(String to) throws Exception {
        ShellConversation.Reply r = c.next(REPLY);
        if (r == null) {
            findings.violation("hang", "no reply to " + to + " within " + REPLY.toSeconds() + "s");
            c.kill();
            reopen(true);
            return null;
        }
        if (r.line() == null) {
            reopen(false);
            return null;
        }
        findings.checkClientText("reply to " + to, r.line());
        return r;
    }

    private void expect(String to, String want) throws Exception {
        ShellConversation.Reply r = reply(to);
        if (r != null && !r.line().equals(want)) {
            findings.violation("model", to + ": expected " + want + ", got " + FuzzFindings.abbreviate(r.line()));
            probe();
        }
    }

    /** Puts the conversation back at a request boundary: every reply up to the probe's. */
    private void probe() throws Exception {
        line("VERSION 4");
        line("GETTIMESTAMP");
        for (int i = 0; i < 10_000; i++) {
            ShellConversation.Reply r = reply("probe");
            if (r == null) {
                return;
            }
            if (r.line().startsWith("TIMESTAMP ")) {
                return;
            }
        }
        findings.violation("probe", "10000 replies and no TIMESTAMP");
    }

    // --- inputs

    private String validLine() {
        FuzzKey k = anyKey();
        return switch (random.nextInt(12)) {
            case 0 -> "CHECKPRESENT " + k.key();
            case 1 -> "GET " + random.nextInt(5000) + " " + fileName() + " " + k.key();
            case 2 -> "REMOVE-BEFORE " + random.nextInt(5) + " " + k.key();
            case 3 -> "LOCKCONTENT " + k.key();
            case 4 -> "VERSION " + random.nextInt(6);
            case 5 -> "BYPASS " + CLIENT;
            case 6 -> "GETTIMESTAMP";
            case 7 -> "AUTH " + CLIENT + " token";
            case 8 -> "UNLOCKCONTENT";
            case 9 -> "PUT " + fileName() + " " + k.key();
            case 10 -> "NOTIFYCHANGE";
            default -> "TIMESTAMP " + random.nextInt(100);
        };
    }

    private byte[] mutate(String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b = insert(b, at, new byte[] {(byte) new int[] {0, 0xff, 0x80, '\r', ' ', '%', 0xc3, 0xed}[random.nextInt(8)]});
                case 2 -> b = java.util.Arrays.copyOfRange(b, 0, at);
                case 3 -> b = insert(b, at, (" " + new String[] {"-1", "9223372036854775808", "99999999999999999999",
                    "\u0663", "0x10", "+5", "", "../"}[random.nextInt(8)]).getBytes(StandardCharsets.UTF_8));
                case 4 -> b = insert(b, at, b.clone());
                default -> b = withInvalidUtf8(b);
            }
        }
        byte[] out = new byte[b.length + 1];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] == '\n' ? (byte) ' ' : b[i];
        }
        out[b.length] = '\n';
        return out;
    }

    private byte[] withInvalidUtf8(byte[] b) {
        return insert(b, random.nextInt(b.length + 1), new byte[] {(byte) 0xe9});
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    /** The probe's own request: its TIMESTAMP reply is how the probe knows it is answered. */
    private static boolean isProbe(byte[] line) {
        return new String(line, StandardCharsets.ISO_8859_1).equals("GETTIMESTAMP\n");
    }

    private static boolean startsWith(byte[] b, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        if (b.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (b[i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    private String fileName() {
        return new String[] {"f", "dir/file.txt", "Ünï%cödé", "../../" + marker, "%%", "a%b"}[random.nextInt(6)];
    }

    private FuzzKey anyKey() {
        return keys.get(random.nextInt(keys.size()));
    }

    private FuzzKey anyHashingKey() {
        FuzzKey k;
        do {
            k = anyKey();
        } while (!k.hashing());
        return k;
    }

    private boolean isPresent(FuzzKey k) {
        return present.getOrDefault(k.key(), false);
    }

    // --- the end: what is on disk and what the server says, against the model

    private void finalCheck() throws Exception {
        open();
        try {
            for (FuzzKey k : keys) {
                checkPresent(k);
                if (isPresent(k)) {
                    line("GET 0 f " + k.key());
                    ShellConversation.Reply d = reply("final GET");
                    ShellConversation.Reply v = reply("final GET");
                    if (d != null && v != null && (!java.util.Arrays.equals(d.payload(), k.content()) || !v.line().equals("VALID"))) {
                        findings.violation("final", "GET " + k.key() + " does not give back what was stored");
                    }
                    line("SUCCESS");
                }
            }
            probe();
        } finally {
            c.close();
        }
        checkStderr();
        checkObjects();
        checkNothingEscaped();
    }

    private void checkObjects() throws IOException {
        checkObjects(repo, keys, findings, k -> {
            if (!isPresent(k)) {
                findings.violation("object", "present on disk, absent in the model: " + k.key());
            }
        });
    }

    /**
     * Every object in the repository: named after a key the fuzzer knows, and holding exactly its
     * content (so complete, and verified for hashing keys); {@code each} then checks the key.
     */
    static void checkObjects(Path repo, List<FuzzKey> keys, FuzzFindings findings,
                             java.util.function.Consumer<FuzzKey> each) throws IOException {
        Path objects = repo.resolve("annex/objects");
        if (!Files.isDirectory(objects)) {
            return;
        }
        try (Stream<Path> files = Files.walk(objects)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                findings.count("objects verified", 1);
                String name = f.getFileName().toString();
                FuzzKey k = keys.stream().filter(x -> org.annexhost.api.key.KeyPaths.keyFile(x.key()).equals(name))
                        .findFirst().orElse(null);
                if (k == null) {
                    findings.violation("object", "stored without a verified PUT: " + name);
                } else if (!java.util.Arrays.equals(Files.readAllBytes(f), k.content())) {
                    findings.violation("object", "incomplete or wrong content: " + name);
                } else {
                    each.accept(k);
                }
            }
        }
    }

    private void checkNothingEscaped() throws IOException {
        for (Path root : new Path[] {sandbox, Path.of("/tmp")}) {
            try (Stream<Path> files = Files.walk(root, 6)) {
                files.filter(p -> !p.toAbsolutePath().startsWith(repo.toAbsolutePath()))
                        .filter(p -> p.getFileName() != null && p.getFileName().toString().contains(marker))
                        .forEach(p -> findings.violation("escape", "a file outside the object directory: " + p));
            } catch (java.io.UncheckedIOException e) {
                // a directory that vanished while walked
            }
        }
    }

    private static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    static Key sha256Key(byte[] content, String ext) {
        try {
            String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            return Key.parse((ext.isEmpty() ? "SHA256-s" : "SHA256E-s") + content.length + "--" + hex + ext);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
