package org.annexhost.shell;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shell's side of a hand-over, in Java (the launcher runs the C one, {@code annexhost-relay},
 * where it was built): the shell offers its command and restrictions to each running host of its
 * account in turn; the first that answers READY gets the conversation, and the shell then only
 * copies bytes (stdin to the host, the host's stdout and stderr frames to its own), so the
 * conversation runs on the host's warm code. When every host declines, or none runs, nothing of
 * the client's input has been read and the shell serves the command itself. One per shell process.
 */
public final class ShellRelay {
    private ShellRelay() {
    }

    /** The commands a host takes over: those it can answer from its warm repositories. */
    public static boolean handsOver(ShellCommandLine line) {
        return line.isBuiltin();
    }

    /**
     * @param args the shell's arguments, as it got them
     * @param env the shell's environment
     * @return the exit code if a running host served the command; empty if none took it
     */
    public static Optional<Integer> tryHost(List<String> args, Map<String, String> env,
                                            InputStream stdin, OutputStream stdout, OutputStream stderr) {
        Map<String, String> passed = new LinkedHashMap<>();
        for (String k : ShellSocket.PASSED_ON) {
            if (env.get(k) != null) {
                passed.put(k, env.get(k));
            }
        }
        for (Path socket : ShellSocket.hostSockets(env)) {
            Optional<SocketChannel> taken = offer(socket, new ShellSocket.Header(args, passed));
            if (taken.isPresent()) {
                return Optional.of(relay(taken.get(), stdin, stdout, stderr));
            }
        }
        return Optional.empty();
    }

    /** @return the connection, if the host there is this account's and took the command */
    private static Optional<SocketChannel> offer(Path socket, ShellSocket.Header header) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            // The host must be this account too: a socket someone else made could serve anything.
            String host = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
            if (!host.equals(System.getProperty("user.name"))) {
                ch.close();
                return Optional.empty();
            }
            ShellSocket.writeHeader(ShellSocket.output(ch), header);
            ShellSocket.Frame answer = ShellSocket.readFrame(new DataInputStream(ShellSocket.input(ch)));
            if (answer != null && answer.type() == ShellSocket.READY) {
                return Optional.of(ch);
            }
            ch.close();
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            return Optional.empty();
        }
    }

    private static int relay(SocketChannel ch, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        try (ch) {
            OutputStream toHost = ShellSocket.output(ch);
            Thread pump = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try {
                    int n;
                    while ((n = stdin.read(buf)) >= 0) {
                        toHost.write(buf, 0, n);
                        toHost.flush();
                    }
                    ch.shutdownOutput();
                } catch (IOException e) {
                    // the host ended the conversation, or the client went away
                }
            }, "shell-relay-in");
            pump.setDaemon(true);
            pump.start();
            DataInputStream fromHost = new DataInputStream(new java.io.BufferedInputStream(ShellSocket.input(ch), 64 * 1024));
            while (true) {
                ShellSocket.Frame f = ShellSocket.readFrame(fromHost);
                if (f == null) {
                    stderr.write("git-annex-shell: the host ended the conversation\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    return 1;
                }
                switch (f.type()) {
                    case ShellSocket.STDOUT -> {
                        stdout.write(f.bytes());
                        stdout.flush();
                    }
                    case ShellSocket.STDERR -> {
                        stderr.write(f.bytes());
                        stderr.flush();
                    }
                    case ShellSocket.EXIT -> {
                        return new DataInputStream(new java.io.ByteArrayInputStream(f.bytes())).readInt();
                    }
                    default -> throw new IOException("unknown frame from the host");
                }
            }
        } catch (IOException e) {
            try {
                stderr.write(("git-annex-shell: lost the host: " + e.getMessage() + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // nothing more to say
            }
            return 1;
        }
    }

    /** A stream that writes frames of one type. */
    static OutputStream framed(DataOutputStream out, byte type) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) {
                    ShellSocket.frame(out, type, b, off, len);
                }
            }
        };
    }
}
