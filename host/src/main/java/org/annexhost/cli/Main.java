package org.annexhost.cli;

import org.annexhost.repo.Git;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code annexhost} command: the composition root, where every collaborator is built and
 * wired. Each subcommand is its own class.
 */
@Command(name = "annexhost", mixinStandardHelpOptions = true, versionProvider = BuildInfo.class,
        scope = CommandLine.ScopeType.INHERIT, // every command answers --help and --version
        description = "A pluggable git-annex P2P host and gateway.",
        subcommands = {InitCommand.class, ShellCommand.class, RemoteCommands.Init.class,
                RemoteCommands.Enable.class, RemoteCommands.ListRemotes.class, RemoteCommands.Proxy.class,
                RemoteCommands.Unproxy.class, TestRemoteCommand.class, ServeCommand.class, ClusterCommands.Init.class,
                ClusterCommands.Update.class, ClusterCommands.Extend.class, StatusCommand.class,
                AccessCommands.User.class, AccessCommands.Grant.class, AccessCommands.ListGrants.class,
                AccessCommands.Quota.class})
public final class Main implements Runnable {
    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("shell") && !java.util.Arrays.asList(args).contains("--help")) {
            // One of these per ssh connection: it starts without the command-line library, whose
            // set-up of every subcommand cost more than the rest of a small request.
            exit(ShellCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        int code = new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("annexhost: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    return 1;
                })
                .execute(args);
        exit(code);
    }

    /** Exits with the code once the helper processes are gone (else the JVM waits 300 ms for them). */
    private static void exit(int code) {
        Git.endReaders();
        System.exit(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }
}
