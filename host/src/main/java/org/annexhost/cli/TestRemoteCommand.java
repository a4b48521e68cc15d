package org.annexhost.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.contract.ContractReport;
import org.annexhost.api.contract.StorageContract;
import org.annexhost.remote.RemoteDefinition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code annexhost testremote --repo PATH NAME}: runs the storage contract against a configured
 * remote, as {@code git annex testremote} does, ending with {@code N passed, N failed, N skipped}.
 * Every test key is removed at the end, unless {@code --keep}.
 */
@Command(name = "testremote", description = "Check a configured remote against the storage contract.")
final class TestRemoteCommand implements Callable<Integer> {
    @Option(names = "--repo", required = true, description = "the host repository")
    private Path repo;

    @Option(names = "--size", description = "size of the largest object to store, in bytes (default 64 MiB)")
    private long size = 64L << 20;

    @Option(names = "--keep", description = "leave the test keys in the remote (they are listed), for debugging")
    private boolean keep;

    @Parameters(index = "0", description = "the remote's name")
    private String name;

    @Override
    public Integer call() throws Exception {
        try (HostSetup setup = HostSetup.open(repo)) {
            RemoteDefinition r = setup.remotes.byName(name)
                    .orElseThrow(() -> new IllegalArgumentException("there is no remote named " + name));
            System.out.println("testremote " + r.name() + " (" + r.uuid() + ", type " + r.type() + ")");
            StorageBackend backend = setup.served.backend(r);
            ContractReport report = ContractReport.run(StorageContract.standard(size).checks(), backend, System.out, keep);
            return report.ok() ? 0 : 1;
        }
    }
}
