package org.annexhost.repo;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.repo.branch.AnnexBranch;

/**
 * A git repository that is also a git-annex repository, as the host serves it: bare (made by
 * {@link #init}) or non-bare (made by {@code git annex init}). Content lives in git-annex's own
 * layout, so git-annex can work on the same repository. Immutable and thread-safe.
 */
public final class HostRepository {
    private final Path path;
    private final Path gitDir;
    private final boolean bare;
    private final Uuid uuid;
    private final Git git;

    private HostRepository(Path path, Path gitDir, boolean bare, Uuid uuid) {
        this.path = path;
        this.gitDir = gitDir;
        this.bare = bare;
        this.uuid = uuid;
        this.git = new Git(gitDir);
    }

    /**
     * Makes a new bare repository that is a git-annex repository: annex.uuid, annex.version 10,
     * and a git-annex branch whose uuid.log describes it, written with git plumbing.
     *
     * @throws IOException if PATH already holds a git-annex repository, or git fails
     */
    public static HostRepository init(Path path, Optional<String> description) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        if (Files.exists(abs.resolve("config")) || Files.exists(abs.resolve(".git"))) {
            Optional<HostRepository> existing = tryOpen(abs);
            if (existing.isPresent() && existing.get().uuid != null) {
                throw new IOException("already a git-annex repository: " + abs + " (uuid " + existing.get().uuid + ")");
            }
        }
        Files.createDirectories(abs);
        Git git = new Git(abs);
        git.run("init", "--bare", "--quiet", abs.toString());
        Uuid uuid = Uuid.random();
        git.run("config", "annex.uuid", uuid.value());
        git.run("config", "annex.version", "10");
        HostRepository repo = new HostRepository(abs, abs, true, uuid);
        String desc = description.orElseGet(() -> defaultDescription(abs));
        repo.branch().changeAndCommit(Map.of("uuid.log", log -> log + uuid.value() + " " + desc + " timestamp="
                + Instant.now().getEpochSecond() + "s\n"), "branch created");
        Files.createDirectories(repo.annexDir().resolve("objects"));
        return repo;
    }

    /**
     * Opens a repository at PATH: a bare repository, or a work tree with a {@code .git} directory.
     *
     * @throws IOException naming PATH if it is not a git repository
     */
    public static HostRepository open(Path path) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        return tryOpen(abs).orElseThrow(() -> new IOException("not a git repository: " + abs));
    }

    private static Optional<HostRepository> tryOpen(Path abs) throws IOException {
        Path gitDir;
        boolean bare;
        if (Files.isDirectory(abs.resolve(".git"))) {
            gitDir = abs.resolve(".git");
            bare = false;
        } else if (Files.isRegularFile(abs.resolve("config")) && Files.isDirectory(abs.resolve("objects"))) {
            gitDir = abs;
            bare = true;
        } else {
            return Optional.empty();
        }
        Git git = new Git(gitDir);
        String u = git.config().get("annex.uuid").orElse("").strip();
        return Optional.of(new HostRepository(abs, gitDir, bare, u.isEmpty() ? null : new Uuid(u)));
    }

    private static String defaultDescription(Path abs) {
        String user = System.getProperty("user.name", "annexhost");
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return user + "@" + host + ":" + abs;
    }

    /** @return the repository's annex uuid, or null for a plain git repository */
    public Uuid uuid() {
        return uuid;
    }

    /** @return true if this is a git-annex repository */
    public boolean isAnnex() {
        return uuid != null;
    }

    /** @return the path given (the work tree of a non-bare repository) */
    public Path path() {
        return path;
    }

    /** @return the git directory */
    public Path gitDir() {
        return gitDir;
    }

    /** @return true for a bare repository */
    public boolean isBare() {
        return bare;
    }

    /** @return the git runner for this repository */
    public Git git() {
        return git;
    }

    /** @return GITDIR/annex */
    public Path annexDir() {
        return gitDir.resolve("annex");
    }

    /** @return the directory the host keeps its own state in, inside the annex directory */
    public Path hostDir() {
        return annexDir().resolve("annexhost");
    }

    /** @return the git-annex branch */
    public AnnexBranch branch() {
        return new AnnexBranch(git, annexDir(), hostDir());
    }

    /** @return what {@code git-annex-shell configlist} prints for this repository */
    public String configList() throws IOException {
        StringBuilder b = new StringBuilder("annex.uuid=").append(uuid == null ? "" : uuid.value()).append('\n');
        java.util.Optional<String> gcrypt = git.config().get("core.gcrypt-id");
        if (gcrypt.isPresent()) {
            b.append("core.gcrypt-id=").append(gcrypt.get().strip()).append('\n');
        }
        return b.toString();
    }

    /**
     * @return where the key's content is, if it is present in either of git-annex's layouts
     *     (lower-case hash first, as git-annex looks)
     */
    public Optional<Path> existingObject(Key key) {
        for (String hash : new String[] {KeyPaths.hashDirLower(key), KeyPaths.hashDirMixed(key)}) {
            Path p = objectPath(hash, key);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** @return where new content of the key goes: the lower-case layout when bare, mixed otherwise */
    public Path newObject(Key key) {
        return objectPath(bare ? KeyPaths.hashDirLower(key) : KeyPaths.hashDirMixed(key), key);
    }

    /** @return the temporary file an upload of the key writes, kept for resume as git-annex keeps it */
    public Path tmpObject(Key key) {
        return inside(annexDir().resolve("tmp").resolve(KeyPaths.keyFile(key)));
    }

    private Path objectPath(String hash, Key key) {
        String file = KeyPaths.keyFile(key);
        return inside(annexDir().resolve("objects").resolve(hash).resolve(file).resolve(file));
    }

    /** A last check that a path built from a key stays in the annex directory. */
    private Path inside(Path p) {
        Path n = p.normalize();
        if (!n.startsWith(annexDir())) {
            throw new IllegalStateException("path escapes the annex directory: " + p);
        }
        return n;
    }

    @Override
    public String toString() {
        return "HostRepository[" + path + " " + uuid + "]";
    }
}
