package org.annexhost.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.annexhost.access.Grants;
import org.annexhost.access.HostUsers;
import org.annexhost.access.Right;
import org.annexhost.remote.ServedRemotes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that keep the host's users and the rights granted to them: {@code user} (add,
 * token, remove, list) and {@code grant}, {@code grants}. They write the files a running host
 * reads again on its next request.
 */
final class AccessCommands {
    private AccessCommands() {
    }

    private static HostUsers users() {
        return HostUsers.at(System.getenv());
    }

    /**
     * @return the git directory of the host repository at this path, where its grants and quotas are
     * @throws IllegalArgumentException if a remote is named that the repository does not proxy
     */
    private static Path gitDir(Path repo, Optional<String> remote) throws java.io.IOException {
        try (HostSetup setup = HostSetup.open(repo)) {
            if (remote.isPresent() && setup.served.listing().stream().map(ServedRemotes.Listed::name).noneMatch(remote.get()::equals)) {
                throw new IllegalArgumentException(repo + " proxies no remote or cluster named " + remote.get());
            }
            return setup.repo.gitDir();
        }
    }

    /** {@code annexhost user add|token|remove|list}. */
    @Command(name = "user", description = {"Keep the host's users: passwords and tokens, stored as salted hashes",
            "in the host's state directory ($ANNEXHOST_STATE_DIR, else ~/.local/state/annexhost)."},
            subcommands = {User.Add.class, User.Token.class, User.Remove.class, User.ListUsers.class})
    static final class User implements Runnable {
        @Override
        public void run() {
            new picocli.CommandLine(this).usage(System.err);
        }

        /** {@code annexhost user add NAME}: the password is the first line of standard input. */
        @Command(name = "add", description = {"Add a user. The password is read from standard input (one line);",
                "with --no-password the user logs in with tokens only."})
        static final class Add implements Callable<Integer> {
            @Parameters(index = "0", description = "the user's name")
            String name;
            @Option(names = "--no-password", description = "no password: tokens only")
            boolean noPassword;

            @Override
            public Integer call() throws Exception {
                Optional<String> password = Optional.empty();
                if (!noPassword) {
                    String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    if (line == null || line.isEmpty()) {
                        throw new IllegalArgumentException("no password on standard input (or give --no-password)");
                    }
                    password = Optional.of(line);
                }
                users().add(name, password);
                System.out.println("user " + name + " added" + (noPassword ? " (tokens only)" : ""));
                return 0;
            }
        }

        /** {@code annexhost user token NAME}: prints a new token, once. */
        @Command(name = "token", description = {"Make a new token for a user and print it: it is shown this once.",
                "It is the user's password for HTTP Basic auth (git credential helpers keep it)."})
        static final class Token implements Callable<Integer> {
            @Parameters(index = "0", description = "the user's name")
            String name;

            @Override
            public Integer call() throws Exception {
                System.out.println(users().newToken(name));
                return 0;
            }
        }

        /** {@code annexhost user remove NAME}. */
        @Command(name = "remove", description = "Remove a user, their password and every token; running hosts refuse them within 50 ms.")
        static final class Remove implements Callable<Integer> {
            @Parameters(index = "0", description = "the user's name")
            String name;

            @Override
            public Integer call() throws Exception {
                users().remove(name);
                System.out.println("user " + name + " removed");
                return 0;
            }
        }

        /** {@code annexhost user list}. */
        @Command(name = "list", description = "List the users: name, whether they have a password, their tokens' ids.")
        static final class ListUsers implements Callable<Integer> {
            @Override
            public Integer call() throws Exception {
                for (HostUsers.Listed u : users().list()) {
                    System.out.println(u.name() + "\t" + (u.hasPassword() ? "password" : "no-password") + "\t"
                            + (u.tokenIds().isEmpty() ? "no-tokens" : "tokens " + String.join(",", u.tokenIds())));
                }
                return 0;
            }
        }
    }

    /** {@code annexhost grant NAME|anonymous RIGHT --repo PATH [--remote NAME]}. */
    @Command(name = "grant", description = {"Grant a user (or anonymous: everyone) a right in a repository, or on one",
            "remote or cluster it proxies: none, read, append or full. It replaces what they had there."})
    static final class Grant implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME|anonymous", description = "a user, or anonymous")
        String principal;
        @Parameters(index = "1", paramLabel = "RIGHT", description = "none, read, append or full")
        String right;
        @Option(names = "--repo", required = true, description = "the host repository")
        Path repo;
        @Option(names = "--remote", description = "a remote or cluster the repository proxies, by name")
        String remote;

        @Override
        public Integer call() throws Exception {
            Right r = Right.parse(right);
            if (!principal.equals(HostUsers.ANONYMOUS) && !users().exists(principal)) {
                throw new IllegalArgumentException("no user " + principal + " (annexhost user add " + principal + ")");
            }
            Path gitDir = gitDir(repo, Optional.ofNullable(remote));
            Grants.of(gitDir).grant(principal, Optional.ofNullable(remote), r);
            System.out.println("grant " + principal + " " + r.word() + " in " + repo + (remote == null ? "" : " on " + remote) + " ok");
            return 0;
        }
    }

    /** {@code annexhost grants --repo PATH}. */
    @Command(name = "grants", description = "List what is granted in a repository: who, where (. for the repository), the right.")
    static final class ListGrants implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the host repository")
        Path repo;

        @Override
        public Integer call() throws Exception {
            Path gitDir = gitDir(repo, Optional.empty());
            for (Grants.Grant g : Grants.of(gitDir).list()) {
                System.out.println(g.principal() + "\t" + g.remote().orElse(".") + "\t" + g.right().word());
            }
            return 0;
        }
    }

    /** {@code annexhost quota --repo PATH [--user NAME] [--remote NAME] [--limit SIZE|none]}. */
    @Command(name = "quota", description = {"Limit what may be stored in a repository, or on a remote or cluster it proxies,",
            "in all or by one user (sizes as git-annex writes them: 10GB, 512MiB); --limit none removes a limit.",
            "Without --limit, shows what is counted against each limit."})
    static final class Quota implements Callable<Integer> {
        @Option(names = "--repo", required = true, description = "the host repository")
        Path repo;
        @Option(names = "--user", description = "the limit is this user's (default: everyone's together)")
        String user;
        @Option(names = "--remote", description = "a remote or cluster the repository proxies (default: the repository)")
        String remote;
        @Option(names = "--limit", paramLabel = "SIZE", description = "the limit, or none")
        String limit;

        @Override
        public Integer call() throws Exception {
            Path gitDir = gitDir(repo, Optional.ofNullable(remote));
            org.annexhost.access.Quotas quotas = org.annexhost.access.Quotas.of(gitDir);
            if (limit != null) {
                java.util.OptionalLong bytes = limit.equalsIgnoreCase("none") ? java.util.OptionalLong.empty()
                        : java.util.OptionalLong.of(org.annexhost.access.Sizes.parse(limit));
                quotas.limit(Optional.ofNullable(user), Optional.ofNullable(remote), bytes);
                System.out.println("quota " + (user == null ? "everyone" : user) + " on " + (remote == null ? repo : remote) + ": "
                        + (bytes.isPresent() ? org.annexhost.access.Sizes.format(bytes.getAsLong()) : "no limit") + " ok");
                return 0;
            }
            quotas.recount();
            for (org.annexhost.access.Quotas.Usage u : quotas.usage()) {
                if ((user != null && !u.user().equals(Optional.of(user))) || (remote != null && !u.remote().equals(Optional.of(remote)))) {
                    continue;
                }
                System.out.println(u.user().orElse("everyone") + "\t" + u.remote().orElse(".") + "\t"
                        + org.annexhost.access.Sizes.format(u.used()) + " used\t"
                        + (u.limit().isPresent() ? "limit " + org.annexhost.access.Sizes.format(u.limit().getAsLong()) : "no limit"));
            }
            return 0;
        }
    }
}
