package org.annexhost.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.annexhost.access.Right;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.ServerMode;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.transport.StreamConnection;
import org.annexhost.peer.LocalPeer;

/**
 * The git-annex-shell drop-in: runs one command line, as ssh hands it over, against the
 * repositories the {@link ServedRepository.Opener} knows. Builtins are {@code configlist},
 * {@code p2pstdio} and {@code notifychanges}; {@code git-upload-pack}, {@code git-receive-pack}
 * and {@code git-upload-archive} go to git. Follows {@code CmdLine/GitAnnexShell.hs}.
 *
 * <p>One per process invocation; not thread-safe.
 */
public final class AnnexShell {
    private final ShellPolicy policy;
    private final ServedRepository.Opener opener;
    private final InputStream stdin;
    private final OutputStream stdout;
    private final org.annexhost.activity.Activity activity;
    private final ShellIdentity who;
    private final OutputStream stderr;

    /**
     * @param policy restrictions from the environment
     * @param opener finds repositories
     * @param stdin the client's bytes
     * @param stdout to the client; nothing else may write to it
     */
    public AnnexShell(ShellPolicy policy, ServedRepository.Opener opener, InputStream stdin, OutputStream stdout) {
        this(policy, opener, stdin, stdout, System.err, new org.annexhost.activity.Activity(java.time.Clock.systemUTC()),
                ShellIdentity.fromEnvironment(System.getenv()));
    }

    /**
     * @param policy restrictions from the environment
     * @param opener finds repositories
     * @param stdin the client's bytes
     * @param stdout to the client; nothing else may write to it
     * @param stderr the client's terminal: only a refusal's reason, in git-annex-shell's words
     * @param activity where conversations and content changes are recorded
     * @param who the client, as they are recorded
     */
    public AnnexShell(ShellPolicy policy, ServedRepository.Opener opener, InputStream stdin, OutputStream stdout,
                      OutputStream stderr, org.annexhost.activity.Activity activity, ShellIdentity who) {
        this.stderr = stderr;
        this.activity = activity;
        this.who = policy.user().map(u -> new ShellIdentity(u, who.client())).orElse(who);
        this.policy = policy;
        this.opener = opener;
        this.stdin = stdin;
        this.stdout = stdout;
    }

    /**
     * Runs the command.
     *
     * @return the exit code
     * @throws ShellException for a refused or malformed command, with the message to print
     */
    public int run(ShellCommandLine line) throws ShellException, IOException {
        if (line.isGit()) {
            return runGit(line);
        }
        if (line.isLegacy()) {
            throw new ShellException("git-annex-shell command " + line.command()
                    + " is not supported by annexhost; use a git-annex client newer than 6.20180312, which uses p2pstdio");
        }
        if (!line.isBuiltin()) {
            throw new ShellException("bad parameters: unknown command " + line.command()
                    + "; known: " + String.join(", ", ShellCommandLine.BUILTINS) + ", " + String.join(", ", ShellCommandLine.GIT_COMMANDS));
        }
        if (line.directory().isEmpty()) {
            throw new ShellException("bad parameters: " + line.command() + " needs a repository directory");
        }
        policy.checkDirectory(line.directory());
        try (ServedRepository repo = opener.open(policy.resolve(line.directory().get()))) {
            return switch (line.command()) {
                case "configlist" -> configList(repo);
                case "p2pstdio" -> {
                    try {
                        yield p2pStdio(repo, line);
                    } finally {
                        // One commit for the whole conversation, however many keys it stored or removed.
                        repo.commitBranch();
                    }
                }
                case "notifychanges" -> notifyChanges(repo);
                default -> throw new IllegalStateException("unhandled builtin " + line.command());
            };
        }
    }

    private int configList(ServedRepository repo) throws IOException, ShellException {
        rightIn(repo.gitDir(), Optional.empty(), org.annexhost.activity.Change.Operation.READ);
        stdout.write(repo.configList().getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        return 0;
    }

    private int p2pStdio(ServedRepository repo, ShellCommandLine line) throws ShellException, IOException {
        if (line.params().isEmpty()) {
            throw new ShellException("missing UUID parameter");
        }
        Uuid mine = requireAnnex(repo);
        // The repository itself, or a remote or cluster it proxies (git-annex-shell's --uuid):
        // anything not proxied is refused with git-annex's message, so clients cannot reach
        // unpublished remotes.
        Optional<Uuid> wanted = line.uuid().isPresent() ? parseUuid(line.uuid().get()) : Optional.of(mine);
        Optional<LocalPeer> peer = wanted.isPresent() ? repo.peers().resolve(wanted.get(), policy.serverMode()) : Optional.empty();
        if (peer.isEmpty()) {
            throw new ShellException("expected repository UUID " + line.uuid().orElse("") + " but found UUID " + mine);
        }
        // A host user's grants on the repository or on the remote reached, within the environment's limits.
        Optional<String> remoteName = wanted.get().equals(mine) ? Optional.empty() : Optional.of(peer.get().name());
        ServerMode mode = rightIn(repo.gitDir(), remoteName, org.annexhost.activity.Change.Operation.READ).serverMode();
        if (mode != policy.serverMode()) {
            peer = repo.peers().resolve(wanted.get(), mode);
            if (peer.isEmpty()) {
                throw new ShellException("expected repository UUID " + line.uuid().orElse("") + " but found UUID " + mine);
            }
        }
        String clientUuid = line.params().get(0);
        org.annexhost.activity.Place place = org.annexhost.activity.Place.repository(name(repo.gitDir()), repo.gitDir());
        if (!wanted.get().equals(mine)) {
            place = place.remote(peer.get().name());
        }
        org.annexhost.activity.RecordedConnection connection = new org.annexhost.activity.RecordedConnection(
                new StreamConnection("p2p-stdio[" + clientUuid + "]", stdin, stdout), activity, who.user(), who.client(),
                place, mode);
        String where = remoteName.map(n -> " (remote " + n + ")").orElse("");
        // A quota's refusal says whose limit and where itself; a right's says what was denied, here.
        connection.onRefusal(why -> tell(why.startsWith(org.annexhost.access.Quotas.EXCEEDED) ? why
                : why + where + policy.user().map(u -> " for " + u).orElse("")));
        org.annexhost.p2p.transport.P2PConnection served = new QuotaConnection(connection,
                org.annexhost.access.Quotas.of(repo.gitDir()), policy.user(), remoteName);
        // git-annex-shell p2pstdio speaks first; authentication happened in ssh.
        connection.send(new Message.AuthSuccess(peer.get().uuid()));
        try {
            peer.get().serve(served);
        } catch (IOException | RuntimeException e) {
            connection.broke(e.getMessage() == null ? e.toString() : e.getMessage());
            throw e;
        } finally {
            served.close();
        }
        return 0;
    }

    /** @return the policy's right there; a refusal is recorded in the repository's audit log as well as thrown */
    private Right rightIn(Path gitDir, Optional<String> remote, org.annexhost.activity.Change.Operation op)
            throws ShellException, IOException {
        try {
            return policy.rightIn(gitDir, remote);
        } catch (ShellException e) {
            refused(gitDir, remote, op, e.getMessage());
            throw e;
        }
    }

    private void refused(Path gitDir, Optional<String> remote, org.annexhost.activity.Change.Operation op, String why) {
        org.annexhost.activity.Place place = org.annexhost.activity.Place.repository(name(gitDir), gitDir);
        if (remote.isPresent()) {
            place = place.remote(remote.get());
        }
        activity.changed(new org.annexhost.activity.Change(activity.now(), org.annexhost.activity.Activity.newId(), "ssh",
                who.user(), who.client(), place, "", op, org.annexhost.activity.Change.Result.REFUSED, 0, why));
    }

    /** Prints one line for the user, as git-annex-shell prints what it refuses. */
    private void tell(String line) {
        try {
            stderr.write(("git-annex-shell: " + line + "\n").getBytes(StandardCharsets.UTF_8));
            stderr.flush();
        } catch (IOException gone) {
            // the client went away; the refusal is in the audit log
        }
    }

    /** @return the name clients know the repository by: its folder, or for {@code DIR/.git} the folder DIR */
    private static String name(java.nio.file.Path gitDir) {
        java.nio.file.Path p = gitDir.toAbsolutePath().normalize();
        java.nio.file.Path named = p.getFileName() != null && p.getFileName().toString().equals(".git") && p.getParent() != null
                ? p.getParent() : p;
        return named.getFileName() == null ? named.toString() : named.getFileName().toString();
    }

    private static Optional<Uuid> parseUuid(String s) {
        try {
            return Optional.of(new Uuid(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private int notifyChanges(ServedRepository repo) throws IOException, ShellException {
        requireAnnexQuietly(repo);
        rightIn(repo.gitDir(), Optional.empty(), org.annexhost.activity.Change.Operation.READ);
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        // The client sends nothing; the end of its input is it going away, and we go with it.
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watch = new Thread(() -> {
            try {
                while (stdin.read() >= 0) {
                    // anything the client sends is ignored
                }
            } catch (IOException e) {
                // a broken input is a gone client too
            }
            gone.set(true);
        }, "notifychanges-watch");
        watch.setDaemon(true);
        watch.start();
        try {
            while (!out.checkError() && !gone.get()) {
                for (String ref : repo.services().awaitRefChange(Duration.ofMinutes(10), gone::get)) {
                    out.println(ref);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private int runGit(ShellCommandLine line) throws ShellException, IOException {
        List<String> words = new ArrayList<>();
        line.directory().ifPresent(words::add);
        words.addAll(line.params());
        String dir = words.isEmpty() ? null : words.get(words.size() - 1);
        policy.checkDirectory(java.util.Optional.ofNullable(dir));
        policy.check(policy.limited(), ShellPolicy.LIMITED);
        if (line.command().equals("git-receive-pack")) {
            // Stricter than git-annex-shell, which leaves this to git: read-only means no push,
            // append-only means refs only move forward (the same rule as CONNECT and HTTP).
            policy.check(!policy.serverMode().mayPush(), ShellPolicy.READONLY);
        }
        if (dir == null || words.size() != 1) {
            throw new ShellException("bad parameters: " + line.command() + " takes exactly one repository directory");
        }
        Path path = policy.resolve(dir);
        ServerMode mode = policy.serverMode();
        if (policy.user().isPresent()) {
            boolean push = line.command().equals("git-receive-pack");
            org.annexhost.activity.Change.Operation op = push ? org.annexhost.activity.Change.Operation.PUSH
                    : org.annexhost.activity.Change.Operation.FETCH;
            mode = rightIn(gitDirOf(path), Optional.empty(), op).serverMode();
            if (push && !mode.mayPush()) {
                String why = "Action blocked: " + policy.user().get() + " may not push to this repository";
                refused(gitDirOf(path), Optional.empty(), op, why);
                throw new ShellException(why);
            }
        }
        if (line.command().equals("git-upload-pack")) {
            commitBranchOf(path);
        }
        List<String> cmd = new ArrayList<>(List.of("git"));
        if (line.command().equals("git-receive-pack")) {
            cmd.addAll(mode.receivePackSettings());
        }
        cmd.add(line.command().substring("git-".length()));
        cmd.add(path.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            return pb.start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** @return the git directory of the repository at this path, where its grants are */
    private static Path gitDirOf(Path path) {
        Path dotGit = path.resolve(".git");
        return java.nio.file.Files.isDirectory(dotGit) ? dotGit : path;
    }

    /** A fetch must see the branch with every journalled change; a plain git repository has none. */
    private void commitBranchOf(Path path) throws IOException {
        ServedRepository repo;
        try {
            repo = opener.open(path);
        } catch (IOException notARepository) {
            return;
        }
        try (repo) {
            if (repo.uuid() != null) {
                repo.commitBranch();
            }
        }
    }

    private static Uuid requireAnnex(ServedRepository repo) throws ShellException {
        if (repo.uuid() == null) {
            throw new ShellException("Not a git-annex or gcrypt repository.");
        }
        return repo.uuid();
    }

    private static void requireAnnexQuietly(ServedRepository repo) throws IOException {
        if (repo.uuid() == null) {
            throw new IOException("Not a git-annex or gcrypt repository.");
        }
    }
}
