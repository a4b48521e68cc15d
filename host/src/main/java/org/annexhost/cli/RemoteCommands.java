package org.annexhost.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.annexhost.remote.RemoteDefinition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that configure special remotes on the host, as git-annex's own do. */
final class RemoteCommands {
    private RemoteCommands() {
    }

    static Map<String, String> keyValues(List<String> words) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got \"" + w + "\"");
            }
            out.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return out;
    }

    /** {@code annexhost initremote --repo PATH NAME type=TYPE key=value...}. */
    @Command(name = "initremote", description = "Create a special remote with a new uuid, served and published by the host.")
    static final class Init implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the host repository")
        Path repo;
        @Parameters(index = "0", description = "the remote's name")
        String name;
        @Parameters(index = "1..*", arity = "1..*", description = "type=TYPE and the type's key=value parameters")
        List<String> params;

        @Override
        public Integer call() throws Exception {
            try (HostSetup setup = HostSetup.open(repo)) {
                RemoteDefinition r = setup.remotes.initRemote(name, keyValues(params));
                System.out.println("initremote " + r.name() + " ok (uuid " + r.uuid() + ", type " + r.type() + ")");
            }
            return 0;
        }
    }

    /** {@code annexhost enableremote --repo PATH NAME key=value...}. */
    @Command(name = "enableremote", description = "Change a special remote's configuration.")
    static final class Enable implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the host repository")
        Path repo;
        @Parameters(index = "0", description = "the remote's name")
        String name;
        @Parameters(index = "1..*", arity = "0..*", description = "key=value parameters to change")
        List<String> params = List.of();

        @Override
        public Integer call() throws Exception {
            try (HostSetup setup = HostSetup.open(repo)) {
                RemoteDefinition r = setup.remotes.enableRemote(name, keyValues(params));
                System.out.println("enableremote " + r.name() + " ok");
            }
            return 0;
        }
    }

    /** {@code annexhost remotes --repo PATH}: one remote a line. */
    @Command(name = "remotes", description = "List the special remotes: name, uuid, type, published or not.")
    static final class ListRemotes implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the host repository")
        Path repo;

        @Override
        public Integer call() throws Exception {
            try (HostSetup setup = HostSetup.open(repo)) {
                for (RemoteDefinition r : setup.remotes.list()) {
                    System.out.println(r.name() + "\t" + r.uuid() + "\t" + r.type() + "\t"
                            + (r.proxied() ? "proxied" : "not proxied"));
                }
                setup.plugins.problems().forEach(p -> System.err.println("annexhost: " + p));
            }
            return 0;
        }
    }

    /** {@code annexhost proxy|unproxy --repo PATH NAME}. */
    @Command(name = "proxy", description = "Publish a remote to clients through the gateway (the default).")
    static class Proxy implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the host repository")
        Path repo;
        @Parameters(index = "0", description = "the remote's name")
        String name;

        boolean proxied() {
            return true;
        }

        @Override
        public Integer call() throws Exception {
            try (HostSetup setup = HostSetup.open(repo)) {
                setup.remotes.setProxied(name, proxied());
            }
            return 0;
        }
    }

    /** {@code annexhost unproxy --repo PATH NAME}. */
    @Command(name = "unproxy", description = "Hide a remote from clients.")
    static final class Unproxy extends Proxy {
        @Override
        boolean proxied() {
            return false;
        }
    }
}
