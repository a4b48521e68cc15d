package org.annexhost.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.annexhost.remote.ClusterConfig;
import org.annexhost.remote.ClusterSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that make and change clusters, as git-annex's initcluster/updatecluster/extendcluster. */
final class ClusterCommands {
    private ClusterCommands() {
    }

    private static void print(String verb, ClusterConfig.Definition d) {
        System.out.println(verb + " " + d.name() + " ok (uuid " + d.uuid() + ", nodes: "
                + (d.nodes().isEmpty() ? "none" : String.join(" ", d.nodes())) + ")");
    }

    /** {@code annexhost initcluster --repo PATH NAME NODE...}. */
    @Command(name = "initcluster", description = "Create a cluster of configured remotes; clients use it as GATEWAY-NAME.")
    static final class Init implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the gateway repository")
        Path repo;
        @Parameters(index = "0", description = "the cluster's name")
        String name;
        @Parameters(index = "1..*", arity = "0..*", description = "names of configured remotes to be its nodes")
        List<String> nodes = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            try (HostSetup setup = HostSetup.open(repo)) {
                print("initcluster", new ClusterSetup(setup.repo, setup.remotes, Clock.systemUTC()).init(name, nodes));
            }
            return 0;
        }
    }

    /** {@code annexhost updatecluster --repo PATH NAME --add NODE --remove NODE}. */
    @Command(name = "updatecluster", description = "Add or remove nodes of a cluster.")
    static final class Update implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the gateway repository")
        Path repo;
        @Parameters(index = "0", description = "the cluster's name")
        String name;
        @Option(names = "--add", description = "a remote to add as a node (repeatable)")
        List<String> add = new ArrayList<>();
        @Option(names = "--remove", description = "a node to remove (repeatable)")
        List<String> remove = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            try (HostSetup setup = HostSetup.open(repo)) {
                print("updatecluster", new ClusterSetup(setup.repo, setup.remotes, Clock.systemUTC()).update(name, add, remove));
            }
            return 0;
        }
    }

    /** {@code annexhost extendcluster --repo PATH NAME REMOTE}. */
    @Command(name = "extendcluster", description = "Record that a remote is another gateway of the same cluster.")
    static final class Extend implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the gateway repository")
        Path repo;
        @Parameters(index = "0", description = "the cluster's name")
        String name;
        @Parameters(index = "1", description = "the remote that is another gateway of the cluster")
        String remote;

        @Override
        public Integer call() throws Exception {
            try (HostSetup setup = HostSetup.open(repo)) {
                print("extendcluster", new ClusterSetup(setup.repo, setup.remotes, Clock.systemUTC()).extend(name, remote));
            }
            return 0;
        }
    }
}
