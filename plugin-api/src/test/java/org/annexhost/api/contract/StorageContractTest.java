package org.annexhost.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Stream;
import org.annexhost.api.Capability;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class StorageContractTest {
    @TestFactory
    Stream<DynamicTest> theReferenceBackendPassesEveryCheck() {
        InMemoryBackend backend = new InMemoryBackend();
        return StorageContract.standard(8 << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    c.run(backend);
                    backend.assertNoOpenStreams();
                }));
    }

    /** Makes content visible before its stream ended, and forgets to check lengths. */
    static final class EagerBackend implements StorageBackend {
        final InMemoryBackend inner = new InMemoryBackend();

        public Set<Capability> capabilities() {
            return Set.of();
        }

        public void store(Key key, Content content, long offset) throws IOException {
            inner.store(key, new Content(0, InputStream.nullInputStream()), 0);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            content.stream().transferTo(b);
            inner.store(key, new Content(b.size(), new java.io.ByteArrayInputStream(b.toByteArray())), 0);
        }

        public Content retrieve(Key key, long offset) throws IOException {
            return inner.retrieve(key, offset);
        }

        public Presence checkPresent(Key key) {
            return inner.checkPresent(key);
        }

        public void remove(Key key) {
            inner.remove(key);
        }
    }

    /** Says absent for everything. */
    static final class BlindBackend extends InMemoryBackendWrapper {
        @Override
        public Presence checkPresent(Key key) {
            return Presence.absent();
        }
    }

    static class InMemoryBackendWrapper implements StorageBackend {
        final InMemoryBackend inner = new InMemoryBackend();

        public Set<Capability> capabilities() {
            return inner.capabilities();
        }

        public void store(Key key, Content content, long offset) throws IOException {
            inner.store(key, content, offset);
        }

        public Content retrieve(Key key, long offset) throws IOException {
            return inner.retrieve(key, offset);
        }

        public Presence checkPresent(Key key) {
            return inner.checkPresent(key);
        }

        public void remove(Key key) {
            inner.remove(key);
        }
    }

    @Test
    void theKitCatchesBackendsThatBreakTheContract() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ContractReport eager = ContractReport.run(StorageContract.standard(1 << 20).checks(), new EagerBackend(), quiet);
        assertThat(eager.failures()).anyMatch(f -> f.startsWith("store failing mid-stream leaves nothing"));
        ContractReport blind = ContractReport.run(StorageContract.standard(1 << 20).checks(), new BlindBackend(), quiet);
        assertThat(blind.failures()).anyMatch(f -> f.startsWith("present after store"));
        assertThat(blind.summary()).matches("\\d+ passed, \\d+ failed");
        ContractReport good = ContractReport.run(StorageContract.standard(1 << 20).checks(), new InMemoryBackend(), quiet);
        assertThat(good.ok()).isTrue();
        assertThat(good.summary()).endsWith(", 0 failed");
    }

    @Test
    void generatedContentIsDeterministicAndSeekable() throws IOException {
        GeneratedContent g = new GeneratedContent(100_000, 3);
        assertThat(g.key()).isEqualTo(new GeneratedContent(100_000, 3).key());
        byte[] all = g.stream(0).readAllBytes();
        byte[] tail = g.stream(777).readAllBytes();
        assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(all, 777, all.length));
    }
}
