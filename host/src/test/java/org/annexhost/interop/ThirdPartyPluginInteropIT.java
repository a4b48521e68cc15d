package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin built as a third party builds it (plugins/example: its own namespace, plugin-api only),
 * dropped into a repository's plugins folder and loaded at run time; and the same plugin with an
 * incompatible API requirement, refused with a message that names it.
 */
@Timeout(600)
class ThirdPartyPluginInteropIT {
    @TempDir
    Path tmp;
    AnnexWorld world;
    Path gateway;
    String launcher = System.getProperty("annexhost.launcher", "../annexhost");
    Map<String, String> noShipped = Map.of("ANNEXHOST_SHIPPED_PLUGINS", "/nonexistent");

    static Path exampleJar() throws Exception {
        Path dir = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().getParent()
                .resolve("plugins/example/target/thirdparty");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).findFirst()
                    .orElseThrow(() -> new AssertionError("the example plugin was not built in " + dir));
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        world = new AnnexWorld(tmp);
        gateway = tmp.resolve("gateway.git");
        world.ok(tmp, launcher, "init", gateway.toString());
    }

    @Test
    void loadedFromTheRepositorysPluginsFolderAndUsedByClients() throws Exception {
        Path plugins = Files.createDirectories(gateway.resolve("annex/annexhost/plugins"));
        Files.copy(exampleJar(), plugins.resolve("flatfolder.jar"));
        world.ok(tmp, Duration.ofMinutes(2), noShipped, launcher, "initremote", "--repo", gateway.toString(),
                "flat", "type=flatfolder", "folder=" + tmp.resolve("flat"));
        Sh.Result test = world.ok(tmp, Duration.ofMinutes(3), noShipped, launcher, "testremote",
                "--repo", gateway.toString(), "flat", "--size", "3000000");
        assertThat(test.out()).contains(" passed, 0 failed, ");

        Path client = tmp.resolve("client");
        world.ok(tmp, "git", "clone", "-q", "localhost:" + gateway, client.toString());
        world.ok(client, "git", "config", "annex.sshcaching", "false");
        world.ok(client, "git", "annex", "init", "laptop");
        String hash = AnnexWorld.writeRandom(client.resolve("a report.txt"), 12345, 1);
        world.ok(client, "git", "annex", "add", ".");
        world.ok(client, "git", "commit", "-q", "-m", "x");
        world.ok(client, "git", "annex", "copy", "--to", "origin-flat", "a report.txt");
        world.ok(client, "git", "annex", "drop", "a report.txt");
        world.ok(client, "git", "annex", "get", "a report.txt");
        assertThat(AnnexWorld.sha256(client.resolve("a report.txt"))).isEqualTo(hash);
        try (Stream<Path> s = Files.list(tmp.resolve("flat"))) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("SHA256E-s12345--"));
        }
    }

    @Test
    void aPluginForAnotherApiVersionIsRefusedByName() throws Exception {
        Path plugins = Files.createDirectories(gateway.resolve("annex/annexhost/plugins"));
        Path jar = plugins.resolve("future.jar");
        try (JarInputStream in = new JarInputStream(Files.newInputStream(exampleJar()))) {
            Manifest m = in.getManifest();
            m.getMainAttributes().put(new Attributes.Name("Plugin-Requires"), ">=9.0.0");
            try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, m)) {
                JarEntry e;
                while ((e = in.getNextJarEntry()) != null) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        Sh.Result r = world.run(tmp, Duration.ofMinutes(2), noShipped, launcher, "remotes", "--repo", gateway.toString());
        assertThat(r.err()).contains("plugin flatfolder").contains("future.jar").contains(">=9.0.0").contains(org.annexhost.api.ApiVersion.CURRENT);
        Sh.Result init = world.run(tmp, Duration.ofMinutes(2), noShipped, launcher, "initremote", "--repo",
                gateway.toString(), "flat", "type=flatfolder", "folder=" + tmp.resolve("flat"));
        assertThat(init.code()).isNotZero();
        assertThat(init.err()).contains("unknown remote type flatfolder");
    }

}
