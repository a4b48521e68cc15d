package org.annexhost.remote.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.peer.Peer;

/**
 * A git-annex repository elsewhere, as a peer: each conversation runs {@code git-annex-shell
 * p2pstdio} there (through ssh, or locally for a path), which is how git-annex itself talks to
 * such a remote. Whatever serves the other end (git-annex, annexhost's drop-in, another gateway)
 * negotiates its own protocol version. Thread-safe: each conversation is its own process.
 */
public final class GitPeer implements Peer {
    private final String name;
    private final Uuid uuid;
    private final GitUrl url;
    private final Uuid self;
    private final Path errorLog;

    /**
     * @param name the remote's name, for messages
     * @param uuid the remote repository's uuid, checked on every connection
     * @param url where it is
     * @param self this repository's uuid, which git-annex-shell is told as the client's
     * @param errorLog where the processes' stderr goes
     */
    public GitPeer(String name, Uuid uuid, GitUrl url, Uuid self, Path errorLog) {
        this.name = name;
        this.uuid = uuid;
        this.url = url;
        this.self = self;
        this.errorLog = errorLog;
    }

    @Override
    public Uuid uuid() {
        return uuid;
    }

    @Override
    public String name() {
        return name;
    }

    /** @return the url it is reached at */
    public GitUrl url() {
        return url;
    }

    @Override
    public P2PConnection connect() throws IOException {
        return open(url, name, self, uuid, errorLog).connection();
    }

    /** A started conversation and the uuid the far side announced. */
    record Opened(P2PConnection connection, Uuid announced) {
    }

    /**
     * Starts {@code git-annex-shell p2pstdio} at the url and reads its AUTH-SUCCESS.
     *
     * @param expected the uuid the remote must have, or null to learn it
     */
    static Opened open(GitUrl url, String name, Uuid self, Uuid expected, Path errorLog) throws IOException {
        List<String> args = new ArrayList<>(List.of("p2pstdio", url.path(), self.value()));
        if (expected != null) {
            args.add("--uuid");
            args.add(expected.value());
        }
        ProcessBuilder pb = new ProcessBuilder(url.shellCommand(args));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(errorLog.toFile()));
        Process p = pb.start();
        ProcessConnection c = new ProcessConnection("git remote " + name, p);
        try {
            Uuid announced = new ProtocolClient(c).awaitAuthSuccess();
            if (expected != null && !announced.equals(expected)) {
                throw new IOException("remote " + name + " at " + url.path() + " has uuid " + announced + ", expected " + expected);
            }
            return new Opened(c, announced);
        } catch (IOException e) {
            c.close();
            throw new IOException("cannot reach git remote " + name + " (" + describe(url) + "): " + e.getMessage()
                    + lastError(errorLog), e);
        }
    }

    /** @return the uuid of the repository at the url, asked over p2pstdio */
    public static Uuid probe(GitUrl url, String name, Uuid self, Path errorLog) throws IOException {
        Opened o = open(url, name, self, null, errorLog);
        o.connection().close();
        return o.announced();
    }

    /**
     * Starts a raw conversation for relaying bytes unchanged: the process, with its AUTH-SUCCESS
     * line still unread.
     */
    public Process startRelay() throws IOException {
        List<String> args = List.of("p2pstdio", url.path(), self.value(), "--uuid", uuid.value());
        ProcessBuilder pb = new ProcessBuilder(url.shellCommand(args));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(errorLog.toFile()));
        return pb.start();
    }

    private static String describe(GitUrl url) {
        return url.host().map(h -> h + ":" + url.path()).orElse(url.path());
    }

    private static String lastError(Path errorLog) {
        try (InputStream in = java.nio.file.Files.newInputStream(errorLog)) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            int cut = Math.max(0, all.length() - 300);
            return all.isEmpty() ? "" : " (stderr: " + all.substring(cut) + ")";
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "GitPeer[" + name + " " + uuid + " " + describe(url) + "]";
    }
}
