package org.annexhost.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What this build is: the version and the commit it was built from (with {@code -dirty} when the
 * tree had changes), written by the Maven build into {@code build.properties}. Answers
 * {@code --version} on every command.
 */
final class BuildInfo implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {describe()};
    }

    /** @return {@code annexhost VERSION (commit C)}, or with {@code unknown} parts when built otherwise */
    static String describe() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // reported as unknown below
        }
        return "annexhost " + p.getProperty("version", "unknown") + " (commit " + p.getProperty("commit", "unknown")
                + ", Java " + Runtime.version().feature() + ")";
    }
}
