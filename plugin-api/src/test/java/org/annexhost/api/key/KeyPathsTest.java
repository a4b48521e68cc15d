package org.annexhost.api.key;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our hash directories and key file names against git-annex's own, computed by git-annex. */
class KeyPathsTest {
    static final List<String> KEYS = List.of(
            "SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt",
            "WORM-s5-m1--a&b%c:d",
            "SHA256E-s100-S10-C3--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "MD5-s0--d41d8cd98f00b204e9800998ecf8427e",
            "WORM-s9-m1700000000--héllo_wörld.txt",
            "URL--http&c%%example.com%file");

    @Test
    void knownValues() {
        Key k = Key.parse(KEYS.get(0));
        assertThat(KeyPaths.hashDirLower(k)).isEqualTo("091/de9/");
        assertThat(KeyPaths.hashDirMixed(k)).isEqualTo("f9/Mw/");
        assertThat(KeyPaths.keyFile(Key.parse("WORM-s5-m1--a&b%c:d"))).isEqualTo("WORM-s5-m1--a&ab&sc&cd");
    }

    @Test
    void matchesGitAnnexExaminekey(@TempDir Path repo) throws Exception {
        run(repo, "", "git", "init", "-q");
        // Keys go on stdin (--batch), as bytes we control: the JVM may mangle non-ASCII arguments.
        String[] outs = run(repo, String.join("\n", KEYS) + "\n", "git", "annex", "examinekey", "--batch",
                "--format=${hashdirmixed} ${hashdirlower} ${objectpath}\\n").split("\n");
        for (int i = 0; i < KEYS.size(); i++) {
            String text = KEYS.get(i);
            Key key = Key.parse(text);
            String[] f = outs[i].split(" ", 3);
            assertThat(KeyPaths.hashDirMixed(key)).as("mixed hash of %s", text).isEqualTo(f[0]);
            assertThat(KeyPaths.hashDirLower(key)).as("lower hash of %s", text).isEqualTo(f[1]);
            assertThat(f[2]).as("object path of %s", text)
                    .endsWith("/" + KeyPaths.keyFile(key) + "/" + KeyPaths.keyFile(key));
        }
    }

    static String run(Path dir, String stdin, String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd[0] + "; install git-annex with scripts/install-deps.sh", e);
        }
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
        return out;
    }

}
