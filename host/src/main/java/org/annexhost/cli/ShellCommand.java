package org.annexhost.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.annexhost.shell.AnnexShell;
import org.annexhost.shell.ShellCommandLine;
import org.annexhost.shell.ShellException;
import org.annexhost.shell.ShellPolicy;
import org.annexhost.shell.ShellRelay;
import org.annexhost.time.MonotonicClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code annexhost shell}: the git-annex-shell drop-in for ssh forced commands. */
@Command(name = "shell", description = {
        "Serve one git-annex-shell command over stdio, as ssh runs it.",
        "With no -c and no command, runs SSH_ORIGINAL_COMMAND (for an authorized_keys forced command)."})
final class ShellCommand implements Callable<Integer> {
    @Option(names = "--user", description = {"apply this host user's grants (annexhost grant), as over HTTP;",
            "the GIT_ANNEX_SHELL_* limits narrow them further"})
    private String user;

    @Option(names = "-c", description = "the command string, as git-annex-shell -c takes it")
    private String commandString;

    @Parameters(arity = "0..*", description = "the command and its parameters, as separate words")
    private List<String> words = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        if (user != null) {
            args.add("--user");
            args.add(user);
        }
        if (commandString != null) {
            args.add("-c");
            args.add(commandString);
        }
        args.addAll(words);
        return run(args.toArray(String[]::new));
    }

    /**
     * Runs the shell with its own arguments ({@code -c STRING}, or command words), parsed by hand so
     * that an ssh connection does not pay for the command-line library.
     *
     * @return the exit code
     */
    static int run(String[] argv) {
        ShellCommandLine.Arguments given;
        try {
            given = ShellCommandLine.Arguments.of(List.of(argv));
        } catch (ShellException e) {
            System.err.println("git-annex-shell: " + e.getMessage());
            return 1;
        }
        String commandString = null;
        List<String> words = new ArrayList<>();
        List<String> rest = given.rest();
        for (int i = 0; i < rest.size(); i++) {
            if (rest.get(i).equals("-c") && i + 1 < rest.size() && commandString == null && words.isEmpty()) {
                commandString = rest.get(++i);
            } else {
                words.add(rest.get(i));
            }
        }
        try {
            return serve(given.user(), commandString, words);
        } catch (IOException e) {
            System.err.println("git-annex-shell: " + (e.getMessage() == null ? "failed" : e.getMessage()));
            return 1;
        }
    }

    private static int serve(Optional<String> user, String commandString, List<String> words) throws IOException {
        // The protocol owns the real stdout; anything printed by accident goes to stderr.
        OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        List<String> args = new ArrayList<>();
        if (commandString != null) {
            args.add(commandString);
        }
        args.addAll(words);
        // Handed over as the shell got them: the host reads SSH_ORIGINAL_COMMAND the same way.
        List<String> command = ShellCommandLine.invocation(args, System.getenv());
        if (command.isEmpty()) {
            System.err.println("annexhost shell: no command given (-c, arguments, or SSH_ORIGINAL_COMMAND)");
            return 1;
        }
        try {
            ShellCommandLine line = ShellCommandLine.parse(command);
            ShellPolicy policy = ShellPolicy.fromEnvironment(System.getenv())
                    .withUser(user, org.annexhost.access.HostUsers.at(System.getenv()));
            if (line.directory().isPresent()) {
                policy.checkDirectory(line.directory());
                // From here on the host's own log lines go to the repository's log, not the client's terminal.
                Path dir = policy.resolve(line.directory().get());
                LogSetup.toRepositoryLog(Files.isDirectory(dir.resolve(".git")) ? dir.resolve(".git") : dir);
            }
            if (ShellRelay.handsOver(line) && line.directory().isPresent() && System.getenv("ANNEXHOST_NO_HANDOVER") == null) {
                Optional<Integer> served = ShellRelay.tryHost(new ShellCommandLine.Arguments(user, args).all(), System.getenv(),
                        new FileInputStream(FileDescriptor.in), protocolOut, System.err);
                if (served.isPresent()) {
                    return served.get();
                }
            }
            AnnexShell shell = new AnnexShell(policy,
                    new RepositoryOpener(),
                    new FileInputStream(FileDescriptor.in), protocolOut);
            return shell.run(line);
        } catch (ShellException e) {
            System.err.println("git-annex-shell: " + e.getMessage());
            return 1;
        }
    }
}
