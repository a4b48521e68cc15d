package org.annexhost.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.repo.HostRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State, urls and credentials land where git-annex keeps them. */
class RemoteContextTest {
    @TempDir
    Path tmp;

    @Test
    void keepsStateUrlsAndCredentialsWhereGitAnnexDoes() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("r.git"), Optional.empty());
        Uuid uuid = new Uuid("aaaaaaaa-0000-0000-0000-000000000001");
        RemoteContext c = new RemoteContext(uuid, new BackendConfig("r", Map.of(), Set.of()),
                repo.hostDir().resolve("remotes").resolve(uuid.value()), repo, org.annexhost.api.BackendEvents.NONE);
        Key k = Key.parse("SHA1--abc");
        String base = KeyPaths.hashDirLower(k) + KeyPaths.keyFile(k);

        c.setState(k.toString(), "chunked=3");
        assertThat(repo.branch().read(base + ".log.rmt").orElseThrow()).matches("\\d+\\.\\d+s " + uuid + " chunked=3\n");
        assertThat(c.getState(k.toString())).contains("chunked=3");
        c.setState("not a key", "local");
        assertThat(c.getState("not a key")).contains("local");

        c.setUrl(k.toString(), "http://example.com/x", true);
        c.setUrl(k.toString(), "http://example.com/y", true);
        c.setUrl(k.toString(), "http://example.com/x", false);
        assertThat(c.urls(k.toString())).containsExactly("http://example.com/y");
        assertThat(repo.branch().read(base + ".log.web").orElseThrow()).contains(" 0 http://example.com/x");

        assertThat(c.credential("mycreds")).isEmpty();
        Files.createDirectories(repo.annexDir().resolve("creds"));
        Files.writeString(repo.annexDir().resolve("creds").resolve(uuid + "-mycreds"), "alice\nsecret\n");
        assertThat(c.credential("mycreds")).contains("alice\nsecret");
        c.setCredential("mycreds", "bob\npw");
        assertThat(c.credential("mycreds")).contains("bob\npw");
        assertThat(Files.getPosixFilePermissions(Files.list(c.tempDirectory().getParent().getParent().resolve("creds")).findFirst().orElseThrow()))
                .hasSize(2);
        assertThat(c.tempDirectory().getFileName().toString()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
}
