package com.example.annexhost;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.contract.StorageContract;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** What a plugin author writes to run annexhost's contract kit: three lines. */
class FlatFolderContractTest {
    @TempDir
    static Path folder;

    @TestFactory
    Stream<DynamicTest> contract() {
        StorageBackend backend = new FlatFolderBackend(folder);
        return StorageContract.standard(16L << 20).checks().stream()
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> c.run(backend, org.junit.jupiter.api.Assumptions::abort)));
    }
}
