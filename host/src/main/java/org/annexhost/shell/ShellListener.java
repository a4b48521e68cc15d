package org.annexhost.shell;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's side of a hand-over: listens on the host's {@link ShellSocket} and serves each shell
 * whose command names a repository it serves as that shell would have served itself, with the
 * same {@link AnnexShell}, on the host's warm repositories; any other command it declines, and
 * the shell serves that itself. Only the serving account may connect: the socket's directory is
 * private, and every peer's credentials are checked. What a shell declares can only narrow what
 * it may do: its restrictions are the ones its forced command set, and the host adds its own
 * (none) to them, never removes one.
 *
 * <p>Thread-safe; one per host process, closed by the composition root.
 */
public final class ShellListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShellListener.class);

    private final Path socket;
    private final ServerSocketChannel server;
    private final Served served;
    private final org.annexhost.activity.Activity activity;
    private final org.annexhost.access.HostUsers hostUsers = org.annexhost.access.HostUsers.at(System.getenv());
    private final ThreadPoolExecutor pool;
    private final Thread acceptor;
    private volatile boolean closed;

    /** The repositories this host serves, by the path a command names (resolved, not yet real). */
    @FunctionalInterface
    public interface Served {
        Optional<ServedRepository> at(Path dir) throws IOException;
    }

    /**
     * Starts listening, after removing the sockets of hosts that are gone.
     *
     * @param served the host's own, warm repositories
     * @param conversations how many shells may be served at once; more are declined (they then
     *     serve themselves)
     * @param activity where the shells' conversations and content changes are recorded
     */
    public static ShellListener start(Map<String, String> env, Served served, int conversations,
                                      org.annexhost.activity.Activity activity) throws IOException {
        Path socket = ShellSocket.forThisHost(env);
        ShellSocket.privateDir(socket.getParent());
        for (Path other : ShellSocket.hostSockets(env)) {
            removeIfDead(other);
        }
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        return new ShellListener(socket, server, served, conversations, activity);
    }

    private static void removeIfDead(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
        } catch (java.net.ConnectException | java.nio.file.NoSuchFileException refused) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // someone else's to clean up
            }
        } catch (IOException e) {
            // alive, or not ours to judge
        }
    }

    private ShellListener(Path socket, ServerSocketChannel server, Served served, int conversations,
                          org.annexhost.activity.Activity activity) {
        this.activity = activity;
        this.socket = socket;
        this.server = server;
        this.served = served;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(0, conversations, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "shell-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::accept, "shell-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return where it listens */
    public Path socket() {
        return socket;
    }

    private void accept() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("shell socket {} stopped accepting: {}", socket, e.getMessage());
                }
                return;
            }
            try {
                pool.execute(() -> serve(ch));
            } catch (RejectedExecutionException full) {
                // The shell serves itself instead: it sees the connection end before any frame.
                close(ch);
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String me = System.getProperty("user.name");
            if (!peer.user().getName().equals(me)) {
                LOG.warn("refused a shell of {} on {}: only {} may use it", peer.user().getName(), socket, me);
                return;
            }
            InputStream in = ShellSocket.input(ch);
            ShellSocket.Header h = ShellSocket.readHeader(in);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ShellSocket.output(ch), 64 * 1024));
            ShellCommandLine.Arguments given;
            try {
                given = ShellCommandLine.Arguments.of(h.args());
            } catch (ShellException malformed) {
                ShellSocket.frame(out, ShellSocket.DECLINE, new byte[0], 0, 0);
                return;
            }
            // The user the forced command named; this host's own users and grants decide for them.
            ShellPolicy policy = ShellPolicy.fromEnvironment(h.env()).withUser(given.user(), hostUsers);
            Optional<ShellCommandLine> taken = take(given.rest(), h.env(), policy);
            if (taken.isEmpty()) {
                ShellSocket.frame(out, ShellSocket.DECLINE, new byte[0], 0, 0);
                return;
            }
            ShellCommandLine line = taken.get();
            ShellSocket.frame(out, ShellSocket.READY, new byte[0], 0, 0);
            OutputStream stdout = ShellRelay.framed(out, ShellSocket.STDOUT);
            int code;
            try {
                LOG.debug("serving a handed-over shell: {} {}", line.command(), line.directory().orElse(""));
                ServedRepository.Opener opener = dir -> served.at(dir)
                        .orElseThrow(() -> new IOException("not a repository this host serves: " + dir));
                code = new AnnexShell(policy, opener, in, stdout, ShellRelay.framed(out, ShellSocket.STDERR), activity,
                        ShellIdentity.fromEnvironment(h.env())).run(line);
            } catch (ShellException e) {
                byte[] msg = ("git-annex-shell: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
                ShellSocket.frame(out, ShellSocket.STDERR, msg, 0, msg.length);
                code = 1;
            } catch (IOException e) {
                byte[] msg = ("git-annex-shell: " + (e.getMessage() == null ? "failed" : e.getMessage()) + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                ShellSocket.frame(out, ShellSocket.STDERR, msg, 0, msg.length);
                code = 1;
            }
            byte[] exit = java.nio.ByteBuffer.allocate(4).putInt(code).array();
            ShellSocket.frame(out, ShellSocket.EXIT, exit, 0, exit.length);
        } catch (IOException e) {
            LOG.debug("a handed-over shell ended: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("a handed-over shell failed", e);
        }
    }

    /**
     * @return the command, if this host serves it: a git-annex-shell builtin naming one of its
     *     repositories, or a command refused anyway. git's commands (which need the shell's own
     *     stdio), a malformed line and another repository's commands the shell serves itself.
     */
    private Optional<ShellCommandLine> take(java.util.List<String> given, Map<String, String> env, ShellPolicy policy)
            throws IOException {
        java.util.List<String> args = ShellCommandLine.invocation(given, env);
        if (args.isEmpty()) {
            return Optional.empty();
        }
        ShellCommandLine line;
        try {
            line = ShellCommandLine.parse(args);
        } catch (ShellException malformed) {
            return Optional.empty();
        }
        if (line.isGit()) {
            return Optional.empty();
        }
        if (!line.isBuiltin() || line.directory().isEmpty()) {
            // Refused either way (ssh's "true", say): the refusal is the same from here.
            return Optional.of(line);
        }
        return served.at(policy.resolve(line.directory().get())).isPresent() ? Optional.of(line) : Optional.empty();
    }

    private static void close(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        pool.shutdownNow();
        Files.deleteIfExists(socket);
    }
}
