package org.annexhost.shell;

import java.util.Map;

/**
 * Who an ssh client is, for the activity and audit logs: the account the forced command runs as,
 * and the client's address from ssh's {@code SSH_CONNECTION} ({@code -} when not under ssh).
 *
 * @param user the account
 * @param client the client's address
 */
public record ShellIdentity(String user, String client) {
    /** @return the identity this environment describes */
    public static ShellIdentity fromEnvironment(Map<String, String> env) {
        String connection = env.getOrDefault("SSH_CONNECTION", "").strip();
        String client = connection.isEmpty() ? "-" : connection.split("\\s+")[0];
        return new ShellIdentity(System.getProperty("user.name"), client);
    }
}
