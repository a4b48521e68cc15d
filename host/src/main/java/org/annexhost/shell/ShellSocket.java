package org.annexhost.shell;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local sockets over which {@code annexhost shell} hands a conversation to a running host, so
 * that ssh clients share its warm code, caches, locks and external-process pools. One socket per
 * running host ({@code host-PID.sock}), in a directory only the serving account may enter
 * ({@code $ANNEXHOST_RUNTIME_DIR}, else {@code $XDG_RUNTIME_DIR/annexhost}, else
 * {@code /tmp/annexhost-USER}); each side checks the other's credentials.
 *
 * <p>The exchange: the shell sends a header (its arguments and the git-annex-shell restrictions
 * of its environment); the host answers {@link #READY} if it serves the repository the command
 * names, else {@link #DECLINE} (the shell then asks the next host, or serves itself, its input
 * untouched). After READY the shell sends the client's bytes, and the host answers with frames,
 * each a type byte, a length and the bytes: stdout, stderr, and last the exit code. The shell's
 * side is written twice, here in Java and in C ({@code host/src/main/c/annexhost-relay.c}, which
 * starts in a millisecond where the JVM takes a tenth of a second); the host decides everything.
 * Stateless.
 */
public final class ShellSocket {
    static final String MAGIC = "annexhost-shell 2";
    static final byte STDOUT = 1;
    static final byte STDERR = 2;
    static final byte EXIT = 3;
    static final byte READY = 4;
    static final byte DECLINE = 5;
    /**
     * The variables the shell passes on: the restrictions, HOME that paths resolve against, and
     * the forced command's original command, and ssh's SSH_CONNECTION (the client, for the logs).
     */
    static final List<String> PASSED_ON = List.of(ShellPolicy.READONLY, ShellPolicy.APPENDONLY, ShellPolicy.LIMITED,
            ShellPolicy.DIRECTORY, "HOME", "SSH_ORIGINAL_COMMAND", "SSH_CONNECTION");
    private static final String PREFIX = "host-";
    private static final String SUFFIX = ".sock";
    private static final int MAX_HEADER_LINE = 64 * 1024;
    private static final int MAX_HEADER_LINES = 1000;

    private ShellSocket() {
    }

    /** @return where this host process listens */
    public static Path forThisHost(Map<String, String> env) {
        return runtimeDir(env).resolve(PREFIX + ProcessHandle.current().pid() + SUFFIX);
    }

    /**
     * @return the sockets of the running hosts of this account; none if the directory is not
     *     private to the account (a socket there could be someone else's)
     */
    static List<Path> hostSockets(Map<String, String> env) {
        Path dir = runtimeDir(env);
        List<Path> out = new ArrayList<>();
        try {
            if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    || !Files.getOwner(dir).getName().equals(System.getProperty("user.name"))
                    || !Files.getPosixFilePermissions(dir).equals(PosixFilePermissions.fromString("rwx------"))) {
                return out;
            }
            try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
                files.forEach(out::add);
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /** @return the directory of the account's sockets (not created) */
    static Path runtimeDir(Map<String, String> env) {
        String own = env.get("ANNEXHOST_RUNTIME_DIR");
        if (own != null && !own.isEmpty()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            return Path.of(xdg, "annexhost");
        }
        return Path.of("/tmp", "annexhost-" + System.getProperty("user.name"));
    }

    /**
     * Makes the directory, mode 0700, and refuses one that another account owns or may enter:
     * a socket there could be someone else's.
     */
    static Path privateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        String owner = Files.getOwner(dir).getName();
        if (!owner.equals(System.getProperty("user.name"))) {
            throw new IOException(dir + " belongs to " + owner + ", not to " + System.getProperty("user.name"));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** What the shell asked for: its arguments and the variables it passes on. */
    record Header(List<String> args, Map<String, String> env) {
    }

    static void writeHeader(OutputStream out, Header h) throws IOException {
        StringBuilder b = new StringBuilder(MAGIC).append('\n');
        for (String a : h.args()) {
            b.append("arg ").append(escape(a)).append('\n');
        }
        h.env().forEach((k, v) -> b.append("env ").append(escape(k)).append(' ').append(escape(v)).append('\n'));
        b.append("end\n");
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static Header readHeader(InputStream in) throws IOException {
        if (!MAGIC.equals(line(in))) {
            throw new IOException("not an annexhost shell");
        }
        List<String> args = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < MAX_HEADER_LINES; i++) {
            String l = line(in);
            if (l.equals("end")) {
                return new Header(args, env);
            } else if (l.startsWith("arg ")) {
                args.add(unescape(l.substring(4)));
            } else if (l.startsWith("env ") && l.indexOf(' ', 4) > 0) {
                String k = unescape(l.substring(4, l.indexOf(' ', 4)));
                if (PASSED_ON.contains(k)) {
                    env.put(k, unescape(l.substring(l.indexOf(' ', 4) + 1)));
                }
            } else {
                throw new IOException("malformed shell header line");
            }
        }
        throw new IOException("shell header too long");
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (b.length() >= MAX_HEADER_LINE) {
                throw new IOException("shell header line too long");
            }
            b.append((char) c);
        }
        if (c < 0) {
            throw new IOException("the shell went away in its header");
        }
        return new String(b.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("%", "%25").replace("\n", "%0A").replace(" ", "%20");
    }

    private static String unescape(String s) {
        return s.replace("%20", " ").replace("%0A", "\n").replace("%25", "%");
    }

    /**
     * The channel as a stream to read. Not {@code Channels.newInputStream}: its streams take the
     * channel's blocking lock, so a thread blocked reading would stop the other from writing.
     */
    static InputStream input(java.nio.channels.SocketChannel ch) {
        return new org.annexhost.api.content.SourceInputStream() {

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = ch.read(java.nio.ByteBuffer.wrap(b, off, len));
                return n;
            }
        };
    }

    /** The channel as a stream to write; see {@link #input}. */
    static OutputStream output(java.nio.channels.SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        };
    }

    static void frame(DataOutputStream out, byte type, byte[] b, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(len);
            out.write(b, off, len);
            out.flush();
        }
    }

    /** One frame from the host; null at the end of the stream. */
    record Frame(byte type, byte[] bytes) {
    }

    static Frame readFrame(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int len = in.readInt();
        if (len < 0 || len > (1 << 24)) {
            throw new IOException("malformed frame from the host");
        }
        return new Frame((byte) type, in.readNBytes(len));
    }
}
