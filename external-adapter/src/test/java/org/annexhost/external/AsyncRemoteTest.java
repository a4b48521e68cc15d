package org.annexhost.external;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.contract.GeneratedContent;
import org.annexhost.api.contract.MemoryContext;
import org.annexhost.api.contract.StorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A remote that speaks ASYNC: one process, interleaved jobs, each job's questions answered to it. */
@Timeout(120)
class AsyncRemoteTest {
    @TempDir
    static Path tmp;
    static StorageBackend backend;

    static StorageBackend backend() throws Exception {
        if (backend == null) {
            Files.createDirectories(tmp.resolve("store"));
            Files.createDirectories(tmp.resolve("spool"));
            MemoryContext c = ExternalBackendTest.testContext("async", Map.of("externaltype", "asyncdir",
                    ExternalBackendFactory.PROGRAM, ExternalBackendTest.program("git-annex-remote-asyncdir").toString(),
                    "directory", tmp.resolve("store").toString(), "maxjobs", tmp.resolve("maxjobs").toString()),
                    tmp.resolve("spool"));
            backend = new ExternalBackendFactory().open(c.config(), c);
        }
        return backend;
    }

    @Test
    void interleavedJobsShareOneProcess() throws Exception {
        StorageBackend b = backend();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<GeneratedContent> contents = new ArrayList<>();
            List<Future<?>> stores = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                GeneratedContent g = new GeneratedContent(10_000 + i, 500 + i);
                contents.add(g);
                stores.add(pool.submit(() -> {
                    b.store(g.key(), g.content(0), 0);
                    return null;
                }));
            }
            for (Future<?> f : stores) {
                f.get();
            }
            List<Future<Presence>> checks = new ArrayList<>();
            for (GeneratedContent g : contents) {
                checks.add(pool.submit(() -> b.checkPresent(g.key())));
            }
            for (Future<Presence> f : checks) {
                assertThat(f.get()).isEqualTo(Presence.present());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Integer.parseInt(Files.readString(tmp.resolve("maxjobs")).trim()))
                .as("jobs running at once in the one process").isGreaterThan(1);
    }

    @TestFactory
    Stream<DynamicTest> passesTheContract() throws Exception {
        StorageBackend b = backend();
        return StorageContract.standard(4L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest("async: " + c.name(), () -> c.run(b, org.junit.jupiter.api.Assumptions::abort)));
    }

    @AfterAll
    static void close() throws Exception {
        if (backend != null) {
            backend.close();
        }
    }
}
