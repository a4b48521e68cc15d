package org.annexhost.shell;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shell's side of a hand-over: when a host serving the repository listens on its
 * {@link ShellSocket}, the shell sends it the command and its restrictions and then only copies
 * bytes (stdin to the host, the host's stdout and stderr frames to its own), so the conversation
 * runs on the host's warm code. When no host listens, nothing is sent and the shell serves the
 * command itself. One per shell process.
 */
public final class ShellRelay {
    private ShellRelay() {
    }

    /** The commands worth handing over: those that hold a conversation. */
    public static boolean handsOver(ShellCommandLine line) {
        return line.command().equals("p2pstdio") || line.command().equals("notifychanges");
    }

    /**
     * @param repository the repository directory the command names, resolved
     * @param args the shell's arguments, as it got them
     * @param env the shell's environment
     * @return the exit code if a running host served the command; empty if none listens
     */
    public static Optional<Integer> tryHost(Path repository, List<String> args, Map<String, String> env,
                                            InputStream stdin, OutputStream stdout, OutputStream stderr) {
        SocketChannel ch;
        try {
            Path socket = ShellSocket.forRepository(repository, env);
            if (!Files.exists(socket)) {
                return Optional.empty();
            }
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            // The host must be this account too: a socket someone else made could serve anything.
            String host = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
            if (!host.equals(System.getProperty("user.name"))) {
                ch.close();
                return Optional.empty();
            }
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        try (ch) {
            Map<String, String> passed = new LinkedHashMap<>();
            for (String k : ShellSocket.PASSED_ON) {
                if (env.get(k) != null) {
                    passed.put(k, env.get(k));
                }
            }
            OutputStream toHost = ShellSocket.output(ch);
            ShellSocket.writeHeader(toHost, new ShellSocket.Header(args, passed));
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
                    return Optional.of(1);
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
                        return Optional.of(new DataInputStream(new java.io.ByteArrayInputStream(f.bytes())).readInt());
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
            return Optional.of(1);
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
