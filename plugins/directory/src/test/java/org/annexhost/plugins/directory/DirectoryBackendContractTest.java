package org.annexhost.plugins.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.annexhost.api.BackendConfig;
import org.annexhost.api.BackendException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.contract.StorageContract;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class DirectoryBackendContractTest {
    @TempDir
    static Path dir;

    @TestFactory
    Stream<DynamicTest> passesTheStorageContract() {
        StorageBackend backend = new DirectoryBackend(dir);
        return StorageContract.standard(64L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(backend, org.junit.jupiter.api.Assumptions::abort)));
    }

    @TestFactory
    Stream<DynamicTest> passesTheStorageContractWithFsync(@TempDir Path d) {
        StorageBackend backend = new DirectoryBackend(d, true);
        return StorageContract.standard(4L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(backend, org.junit.jupiter.api.Assumptions::abort)));
    }

    @Test
    void usesGitAnnexsDirectoryLayout(@TempDir Path d) throws Exception {
        StorageBackend backend = new DirectoryBackend(d);
        GeneratedContent g = new GeneratedContent(10, 1);
        Key k = g.key();
        backend.store(k, g.content(0), 0);
        String kf = KeyPaths.keyFile(k);
        assertThat(d.resolve(KeyPaths.hashDirLower(k)).resolve(kf).resolve(kf)).isRegularFile();
        try (Stream<Path> tmp = Files.list(d.resolve("tmp"))) {
            assertThat(tmp).as("temporary directories left behind").isEmpty();
        }
    }

    /** Many rounds of racing stores: the loser of the final rename must see the winner's copy, not fail. */
    @Test
    void racingStoresOfOneKeyAllSucceed(@TempDir Path d) throws Exception {
        StorageBackend backend = new DirectoryBackend(d);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 150; round++) {
                GeneratedContent g = new GeneratedContent(1000, round);
                Key k = g.key();
                CyclicBarrier start = new CyclicBarrier(8);
                List<Future<?>> stores = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    stores.add(pool.submit(() -> {
                        start.await();
                        backend.store(k, g.content(0), 0);
                        return null;
                    }));
                }
                for (Future<?> f : stores) {
                    f.get();
                }
                assertThat(backend.checkPresent(k).state()).isEqualTo(Presence.State.PRESENT);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unmountedDirectoryIsUnknownNotAbsent(@TempDir Path d) {
        StorageBackend backend = new DirectoryBackend(d.resolve("not-mounted"));
        assertThat(backend.checkPresent(new GeneratedContent(1, 1).key()).state()).isEqualTo(Presence.State.UNKNOWN);
    }

    @Test
    void refusesWhatItCannotDo(@TempDir Path d) {
        DirectoryBackendFactory f = new DirectoryBackendFactory();
        assertThatThrownBy(() -> f.open(new BackendConfig("r", Map.of("directory", d.toString(), "encryption", "shared"),
                Set.of()), null)).isInstanceOf(BackendException.class).hasMessageContaining("encryption=shared");
        assertThatThrownBy(() -> f.open(new BackendConfig("r", Map.of(), Set.of()), null))
                .hasMessageContaining("missing parameter directory=");
    }
}
