package org.annexhost.shell;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.annexhost.access.Grants;
import org.annexhost.access.HostUsers;
import org.annexhost.access.Right;
import org.annexhost.p2p.server.ServerMode;

/**
 * The restrictions git-annex-shell reads from its environment, so that an authorized_keys forced
 * command written for git-annex-shell means the same here: {@code GIT_ANNEX_SHELL_READONLY},
 * {@code GIT_ANNEX_SHELL_APPENDONLY}, {@code GIT_ANNEX_SHELL_LIMITED} and
 * {@code GIT_ANNEX_SHELL_DIRECTORY}. A variable counts as set when it is non-empty, as in
 * git-annex's {@code checkEnvSet}.
 *
 * @param readOnly no action may change the repository
 * @param appendOnly content may be added but not removed
 * @param limited no passing of other commands to git
 * @param directory the only repository commands may operate on, if set
 * @param home the user's home, against which relative and {@code ~/} paths resolve
 * @param user the host's user the forced command names ({@code annexhost shell --user NAME}), whose
 *     grants apply, narrowed further by the variables above; empty for the account's full rights
 * @param users the host's users (those of the process that serves the command)
 */
public record ShellPolicy(boolean readOnly, boolean appendOnly, boolean limited,
                          Optional<String> directory, Path home, Optional<String> user, HostUsers users) {
    static final String READONLY = "GIT_ANNEX_SHELL_READONLY";
    static final String APPENDONLY = "GIT_ANNEX_SHELL_APPENDONLY";
    static final String LIMITED = "GIT_ANNEX_SHELL_LIMITED";
    static final String DIRECTORY = "GIT_ANNEX_SHELL_DIRECTORY";

    /** @return the policy described by these environment variables */
    public static ShellPolicy fromEnvironment(Map<String, String> env) {
        return new ShellPolicy(isSet(env, READONLY), isSet(env, APPENDONLY), isSet(env, LIMITED),
                Optional.ofNullable(env.get(DIRECTORY)).filter(s -> !s.isEmpty()),
                Path.of(env.getOrDefault("HOME", System.getProperty("user.home"))), Optional.empty(),
                HostUsers.at(System.getenv()));
    }

    /** @return this policy for a host user, whose grants in each repository apply */
    public ShellPolicy withUser(Optional<String> name, HostUsers hostUsers) {
        return new ShellPolicy(readOnly, appendOnly, limited, directory, home, name, hostUsers);
    }

    /**
     * What the command may do in a repository or a remote it proxies: everything, for the
     * account itself; for a host user, their grants there (the same rules as over HTTP). Either
     * way narrowed by the environment's limits, which can only take rights away.
     *
     * @param gitDir the repository's git directory
     * @param remote the proxied remote or cluster reached, by name, or empty for the repository
     * @throws ShellException if the user does not exist, or has no right there at all
     */
    public Right rightIn(Path gitDir, Optional<String> remote) throws ShellException, java.io.IOException {
        Right limit = Right.of(serverMode());
        if (user.isEmpty()) {
            return limit;
        }
        if (!users.exists(user.get())) {
            throw new ShellException("no such annexhost user: " + user.get());
        }
        Right r = Grants.of(gitDir).rightOf(user, remote).orNarrower(limit);
        if (r == Right.NONE) {
            throw new ShellException("Action blocked: " + user.get() + " has no access to "
                    + remote.map(n -> "remote " + n).orElse("this repository"));
        }
        return r;
    }

    /** @return the server mode p2pstdio runs in: read-only wins over append-only */
    public ServerMode serverMode() {
        return readOnly ? ServerMode.READ_ONLY : appendOnly ? ServerMode.APPEND_ONLY : ServerMode.READ_WRITE;
    }

    /**
     * Resolves a directory as given on the command line: {@code ~/x} and {@code /~/x} are in the
     * home directory, a relative path is relative to home (ssh starts commands there).
     */
    public Path resolve(String dir) {
        String d = dir.startsWith("/~/") ? dir.substring(1) : dir;
        if (d.equals("~")) {
            return home.normalize();
        }
        if (d.startsWith("~/")) {
            return home.resolve(d.substring(2)).normalize();
        }
        return home.resolve(d).toAbsolutePath().normalize();
    }

    /**
     * @throws ShellException if a directory limit is set and the command names another directory,
     *     with git-annex's wording
     */
    public void checkDirectory(Optional<String> dir) throws ShellException {
        if (directory.isEmpty()) {
            return;
        }
        Path allowed = resolve(directory.get());
        if (dir.isEmpty()) {
            throw new ShellException("Only allowed to access " + allowed
                    + " and could not determine directory from command line");
        }
        Path asked = resolve(dir.get());
        if (!stripSlash(allowed).equals(stripSlash(asked))) {
            throw new ShellException("Only allowed to access " + allowed + " not " + asked);
        }
    }

    /** @throws ShellException naming the variable, if it blocks the action */
    public void check(boolean blocked, String variable) throws ShellException {
        if (blocked) {
            throw new ShellException("Action blocked by " + variable);
        }
    }

    private static Path stripSlash(Path p) {
        return p.normalize();
    }

    private static boolean isSet(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isEmpty();
    }
}
