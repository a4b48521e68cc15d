package org.annexhost.external;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.contract.MemoryContext;
import org.annexhost.api.contract.StorageContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The external adapter, driving a real remote program, passes the storage contract. */
class ExternalBackendContractTest {
    @TempDir
    static Path tmp;
    static StorageBackend backend;

    @TestFactory
    Stream<DynamicTest> passesTheStorageContract() throws Exception {
        Files.createDirectories(tmp.resolve("store"));
        Files.createDirectories(tmp.resolve("spool"));
        MemoryContext c = ExternalBackendTest.testContext("contract", Map.of("externaltype", "testdir",
                ExternalBackendFactory.PROGRAM, ExternalBackendTest.program("git-annex-remote-testdir").toString(),
                "directory", tmp.resolve("store").toString(), ExternalBackendFactory.PROCESSES, "3"), tmp.resolve("spool"));
        backend = new ExternalBackendFactory().open(c.config(), c);
        return StorageContract.standard(16L << 20).checks().stream()
                .map(check -> DynamicTest.dynamicTest(check.name(), () -> check.run(backend, org.junit.jupiter.api.Assumptions::abort)));
    }

    @AfterAll
    static void close() throws Exception {
        backend.close();
    }
}
