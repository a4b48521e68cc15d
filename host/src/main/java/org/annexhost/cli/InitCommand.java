package org.annexhost.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.annexhost.repo.HostRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code annexhost init PATH}: makes a bare git repository that is a git-annex repository. */
@Command(name = "init", description = "Make PATH a bare git repository that is also a git-annex repository.")
final class InitCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "where to make the repository")
    private Path path;

    @Option(names = "--description", description = "how git-annex describes this repository to clients")
    private String description;

    @Override
    public Integer call() throws Exception {
        HostRepository repo = HostRepository.init(path, Optional.ofNullable(description));
        System.out.println("initialized " + repo.path() + " (uuid " + repo.uuid() + ")");
        return 0;
    }
}
