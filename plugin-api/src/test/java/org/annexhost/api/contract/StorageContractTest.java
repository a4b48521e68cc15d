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
                    c.run(backend, org.junit.jupiter.api.Assumptions::abort);
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
        assertThat(blind.summary()).matches("\\d+ passed, \\d+ failed, \\d+ skipped");
        ContractReport good = ContractReport.run(StorageContract.standard(1 << 20).checks(), new InMemoryBackend(), quiet);
        assertThat(good.ok()).isTrue();
        assertThat(good.summary()).contains(", 0 failed, ");
    }

    /** Forgets every store half-way through, and resumes nothing. */
    static final class AbortingBackend extends InMemoryBackendWrapper {
        @Override
        public Set<Capability> capabilities() {
            return Set.of();
        }

        @Override
        public Content retrieve(Key key, long offset) throws IOException {
            throw new IOException("injected: retrieve always fails");
        }
    }

    @Test
    void aCheckThatCannotRunIsSkippedNeverPassedAndNoTestKeyStays() {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        AbortingBackend b = new AbortingBackend();
        ContractReport r = ContractReport.run(StorageContract.standard(1 << 20).checks(), b, quiet);
        assertThat(r.skips()).singleElement().asString().startsWith("resume an interrupted store: ")
                .contains("does not resume");
        assertThat(r.passes()).doesNotContain("resume an interrupted store");
        assertThat(r.failures()).isNotEmpty();
        assertThat(r.summary()).endsWith(", 1 skipped");
        assertThat(r.leftBehind()).isEmpty();
        assertThat(b.inner.keys()).as("test keys left in the remote after checks aborted").isEmpty();

        AbortingBackend kept = new AbortingBackend();
        ContractReport k = ContractReport.run(StorageContract.standard(1 << 20).checks(), kept, quiet, true);
        assertThat(kept.inner.keys()).as("--keep keeps them").isNotEmpty();
        assertThat(k.leftBehind()).containsExactlyInAnyOrderElementsOf(kept.inner.keys());
    }

    @Test
    void aRemoteThatFailsOnlyWhatGitAnnexNeverDoesIsToldSo() {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8);
        InMemoryBackendWrapper racy = new InMemoryBackendWrapper() {
            private final Set<Key> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();

            @Override
            public void store(Key key, Content content, long offset) throws IOException {
                if (!inFlight.add(key)) {
                    throw new IOException("injected: one key stored from two places at once");
                }
                try {
                    Thread.sleep(20);
                    super.store(key, content, offset);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                } finally {
                    inFlight.remove(key);
                }
            }
        };
        ContractReport r = ContractReport.run(StorageContract.standard(1 << 20).checks(), racy, out);
        assertThat(r.failures()).singleElement().asString().startsWith("concurrent stores of one key (git-annex never");
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("git-annex itself can use this remote");
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
