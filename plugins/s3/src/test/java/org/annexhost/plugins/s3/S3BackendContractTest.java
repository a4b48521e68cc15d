package org.annexhost.plugins.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.contract.MemoryContext;
import org.annexhost.api.contract.StorageContract;
import org.annexhost.api.key.Key;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The S3 backend against a real s3proxy process: the storage contract, git-annex's layout, credentials. */
class S3BackendContractTest {
    @TempDir
    static Path dir;
    static S3ProxyServer server;
    static final S3BackendFactory FACTORY = new S3BackendFactory(S3ProxyServer.credentials());

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start(dir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /** initremote, then open, as the host does: the bucket is created by the first. */
    static StorageBackend backend(S3BackendFactory factory, Map<String, String> params) throws BackendException {
        BackendConfig given = new BackendConfig("s3test", params, Set.of());
        MemoryContext context = context(given, dir);
        BackendConfig initialized = factory.initialize(given, context);
        return factory.open(initialized, context);
    }

    @TestFactory
    Stream<DynamicTest> passesTheStorageContract() throws Exception {
        StorageBackend backend = backend(FACTORY, server.config("contract"));
        return StorageContract.standard(64L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(backend, org.junit.jupiter.api.Assumptions::abort)));
    }

    @TestFactory
    Stream<DynamicTest> passesTheStorageContractWithMultipartUploads() throws Exception {
        StorageBackend backend = backend(FACTORY, server.config("multipart", "partsize", "5MiB", "fileprefix", "mp/"));
        return StorageContract.standard(12L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(backend, org.junit.jupiter.api.Assumptions::abort)));
    }

    @Test
    void objectsAreNamedFileprefixPlusTheKeyAsGitAnnexNamesThem() throws Exception {
        BackendConfig given = new BackendConfig("layout", server.config("layout", "fileprefix", "annex/"), Set.of());
        MemoryContext context = context(given, dir);
        BackendConfig initialized = FACTORY.initialize(given, context);
        try (StorageBackend backend = FACTORY.open(initialized, context)) {
            GeneratedContent g = new GeneratedContent(10_000, 5);
            Key k = g.key();
            Key chunk = Key.parse(k.toString().replace("--", "-S4096-C2--"));
            backend.store(k, g.content(0), 0);
            backend.store(chunk, new GeneratedContent(4096, 6).content(0), 0);
            Path prefix = server.basedir().resolve("layout").resolve("annex");
            assertThat(prefix.resolve(k.toString())).hasBinaryContent(readAll(g.stream(0)));
            assertThat(prefix.resolve(chunk.toString())).isRegularFile();
            // git-annex's initremote marks the bucket with the remote's uuid.
            assertThat(prefix.resolve("annex-uuid")).hasContent(context.uuid().value());
            try (Stream<Path> all = Files.list(prefix)) {
                assertThat(all.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder(k.toString(), chunk.toString(), "annex-uuid");
            }
        }
    }

    @Test
    void initializationRecordsGitAnnexsDefaultsAndKeepsTheKeyPairPrivate() throws Exception {
        Map<String, String> params = server.config("");
        params.remove("bucket");
        BackendConfig given = new BackendConfig("Photos", params, Set.of());
        MemoryContext context = context(given, dir);
        BackendConfig initialized = FACTORY.initialize(given, context);
        assertThat(initialized.values()).containsEntry("bucket", "photos-" + context.uuid().value())
                .containsEntry("datacenter", "US").containsEntry("storageclass", "STANDARD")
                .doesNotContainKey("s3creds");
        assertThat(initialized.values().values()).noneMatch(v -> v.contains(S3ProxyServer.SECRET));
        assertThat(context.credentials()).containsEntry("s3creds",
                S3ProxyServer.IDENTITY + "\n" + S3ProxyServer.SECRET + "\n");
        assertThat(server.basedir().resolve("photos-" + context.uuid().value())).isDirectory();
        // Later, without the environment: the stored pair is used.
        S3BackendFactory noEnv = new S3BackendFactory(Map.of());
        try (StorageBackend backend = noEnv.open(initialized, context)) {
            GeneratedContent g = new GeneratedContent(100, 1);
            backend.store(g.key(), g.content(0), 0);
            assertThat(backend.checkPresent(g.key())).isEqualTo(Presence.present());
        }
        assertThatThrownBy(() -> noEnv.open(initialized, context(initialized, dir)))
                .isInstanceOf(BackendException.class).hasMessageContaining("AWS_ACCESS_KEY_ID")
                .hasMessageNotContaining(S3ProxyServer.SECRET);
    }

    @Test
    void readsGitAnnexsCredentialCacheAndEmbeddedCreds(@TempDir Path git) throws Exception {
        BackendConfig config = new BackendConfig("cached", server.config("cached"), Set.of());
        MemoryContext context = context(config, dir).withGitDirectory(git);
        FACTORY.initialize(config, new MemoryContext(context.uuid(), config, dir).refusingState()); // creates the bucket
        Files.createDirectories(git.resolve("annex/creds"));
        Files.writeString(git.resolve("annex/creds").resolve(context.uuid().value()),
                S3ProxyServer.IDENTITY + "\n" + S3ProxyServer.SECRET + "\n");
        S3BackendFactory noEnv = new S3BackendFactory(Map.of());
        GeneratedContent g = new GeneratedContent(200, 2);
        try (StorageBackend backend = noEnv.open(config, context)) {
            backend.store(g.key(), g.content(0), 0);
        }
        // embedcreds=yes: git-annex's base64 of the two lines, in the configuration itself.
        Map<String, String> params = server.config("cached", "embedcreds", "yes");
        BackendConfig given = new BackendConfig("embedded", params, Set.of());
        MemoryContext ctx = context(given, dir);
        BackendConfig initialized = FACTORY.initialize(given, ctx);
        assertThat(ctx.credentials()).isEmpty();
        assertThat(new String(java.util.Base64.getDecoder().decode(initialized.get("s3creds").orElseThrow())))
                .isEqualTo(S3ProxyServer.IDENTITY + "\n" + S3ProxyServer.SECRET + "\n");
        try (StorageBackend backend = noEnv.open(initialized, context(initialized, dir))) {
            assertThat(backend.checkPresent(g.key())).isEqualTo(Presence.present());
        }
    }

    @Test
    void aStoppedServerIsUnknownNeverAbsent(@TempDir Path own) throws Exception {
        S3ProxyServer stopping = S3ProxyServer.start(own);
        StorageBackend backend = backend(FACTORY, stopping.config("stops"));
        GeneratedContent g = new GeneratedContent(1000, 3);
        backend.store(g.key(), g.content(0), 0);
        assertThat(backend.checkPresent(g.key())).isEqualTo(Presence.present());
        stopping.close();
        Presence p = backend.checkPresent(g.key());
        assertThat(p.state()).isEqualTo(Presence.State.UNKNOWN);
        assertThat(p.reason()).contains("cannot reach bucket stops");
        assertThatThrownBy(() -> backend.remove(g.key())).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> backend.retrieve(g.key(), 0)).isInstanceOf(IOException.class)
                .isNotInstanceOf(org.annexhost.api.ContentNotFoundException.class);
        backend.close();
    }

    @Test
    void wrongCredentialsAreUnknownNeverAbsent() throws Exception {
        S3BackendFactory wrong = new S3BackendFactory(Map.of("AWS_ACCESS_KEY_ID", S3ProxyServer.IDENTITY,
                "AWS_SECRET_ACCESS_KEY", "not-the-secret"));
        try (StorageBackend backend = wrong.open(new BackendConfig("wrong", server.config("contract"), Set.of()),
                context(new BackendConfig("wrong", Map.of(), Set.of()), dir))) {
            Presence p = backend.checkPresent(new GeneratedContent(1, 1).key());
            assertThat(p.state()).isEqualTo(Presence.State.UNKNOWN);
            assertThat(p.reason()).contains("HTTP 403").doesNotContain("not-the-secret");
        }
    }

    /** As the host's hash check does: all bytes arrive, then the stream's end throws. Nothing may be stored. */
    @Test
    void aStreamThatFailsAtItsEndStoresNothing() throws Exception {
        try (StorageBackend backend = backend(FACTORY, server.config("ends"))) {
            for (long size : new long[] {0, 70_000}) {
                GeneratedContent g = new GeneratedContent(size, 11);
                InputStream failingAtEnd = new java.io.SequenceInputStream(g.stream(0), new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("hash mismatch");
                    }
                });
                assertThatThrownBy(() -> backend.store(g.key(), new Content(size, failingAtEnd), 0))
                        .isInstanceOf(IOException.class).hasMessageContaining("hash mismatch");
                assertThat(backend.checkPresent(g.key())).isEqualTo(Presence.absent());
            }
        }
    }

    @Test
    void refusesWhatItCannotDo() {
        for (String enc : new String[] {"shared", "hybrid", "pubkey", "sharedpubkey"}) {
            assertThatThrownBy(() -> FACTORY.open(new BackendConfig("r", server.config("b", "encryption", enc), Set.of()), null))
                    .isInstanceOf(BackendException.class).hasMessageContaining("encryption=" + enc + " is not supported");
        }
        assertThatThrownBy(() -> FACTORY.initialize(new BackendConfig("r", server.config("refused", "encryption", "shared"),
                Set.of()), context(new BackendConfig("r", Map.of(), Set.of()), dir)))
                .hasMessageContaining("encryption=shared");
        assertThat(server.basedir().resolve("refused")).doesNotExist();
        assertThatThrownBy(() -> FACTORY.open(new BackendConfig("r", server.config("b", "protocol", "ftp"), Set.of()), null))
                .hasMessageContaining("bad S3 protocol value: ftp");
        assertThatThrownBy(() -> FACTORY.open(new BackendConfig("r", server.config("b", "versioning", "yes"), Set.of()), null))
                .hasMessageContaining("versioning=yes");
        assertThatThrownBy(() -> FACTORY.open(new BackendConfig("r", server.config("b", "partsize", "lots"), Set.of()), null))
                .hasMessageContaining("bad partsize value");
        Map<String, String> noBucket = server.config("b");
        noBucket.remove("bucket");
        assertThatThrownBy(() -> FACTORY.open(new BackendConfig("r", noBucket, Set.of()), null))
                .hasMessageContaining("missing parameter bucket=");
    }

    @Test
    void typeAndParametersAreGitAnnexs() {
        assertThat(FACTORY.type()).isEqualTo("S3");
        assertThat(FACTORY.parameters()).extracting(org.annexhost.api.ConfigParameter::name)
                .contains("bucket", "fileprefix", "host", "port", "protocol", "requeststyle", "datacenter", "region",
                        "signature", "storageclass", "public", "publicurl", "partsize", "encryption", "embedcreds", "chunk");
        assertThat(new S3Credentials("id", "topsecret", "").toString()).doesNotContain("topsecret");
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** A context for the S3 backend, which must keep no state (it lives in the bucket). */
    private static MemoryContext context(BackendConfig config, Path dir) {
        return new MemoryContext(Uuid.random(), config, dir).refusingState();
    }
}
