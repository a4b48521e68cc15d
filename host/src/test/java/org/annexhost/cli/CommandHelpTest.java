package org.annexhost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command answers {@code --help} with its usage and {@code --version} with the build, exit 0. */
class CommandHelpTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new Main());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        CommandLine root = new CommandLine(new Main());
        assertThat(root.getSubcommands()).as("the commands").containsKeys("init", "serve", "shell", "initremote", "testremote");
        for (String name : root.getSubcommands().keySet()) {
            Run help = run(name, "--help");
            assertThat(help.code()).as("%s --help exit code; stderr: %s", name, help.err()).isZero();
            assertThat(help.out()).as("%s --help", name).startsWith("Usage: annexhost " + name).contains("--help");
            assertThat(help.err()).as("%s --help wrote to stderr", name).isEmpty();
        }
    }

    @Test
    void everyCommandNamesTheBuildWithVersion() {
        for (String name : new CommandLine(new Main()).getSubcommands().keySet()) {
            Run version = run(name, "--version");
            assertThat(version.code()).as("%s --version", name).isZero();
            assertThat(version.out().strip()).as("%s --version", name).isEqualTo(run("--version").out().strip());
        }
        // The build writes the commit it was made from (this is a checkout, so there is one).
        assertThat(run("--version").out().strip())
                .matches("annexhost \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{12}(-dirty)?, Java \\d+\\)");
    }
}
