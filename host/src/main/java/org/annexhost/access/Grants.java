package org.annexhost.access;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who may do what in one repository and in each remote or cluster it proxies, as granted with
 * {@code annexhost grant}: a {@link Right} for a user or for {@code anonymous} (everyone), on the
 * repository or on one remote by name. Kept in the repository, {@code GITDIR/annex/annexhost-grants},
 * and read again when it changes, so a grant takes effect on a running host within
 * {@value #STALE_MILLIS} ms.
 *
 * <p>The rule, in one place ({@link #rightOf}): a principal's right on a remote is its grant on
 * that remote, else its grant on the repository; a user has the wider of their own right and
 * anonymous's (they could always come anonymously); no grant is no right. Thread-safe.
 */
public final class Grants {
    /** How long a running host may go on with grants that changed. */
    public static final long STALE_MILLIS = StateFile.RECHECK_MILLIS;
    private static final String HEADER = "annexhost grants, written by `annexhost grant`: WHO REMOTE|. RIGHT";
    private static final String REPOSITORY = ".";

    private final StateFile<Map<Scope, Right>> file;

    /** A principal and where its right applies. */
    private record Scope(String principal, Optional<String> remote) {
    }

    /**
     * One grant.
     *
     * @param principal a user's name, or {@code anonymous}
     * @param remote the remote or cluster it is on, or empty for the repository
     * @param right what it allows
     */
    public record Grant(String principal, Optional<String> remote, Right right) {
    }

    private Grants(Path path) {
        this.file = new StateFile<>(path, Grants::grants);
    }

    /** @return the grants of the repository with this git directory */
    public static Grants of(Path gitDir) {
        return new Grants(gitDir.resolve("annex").resolve("annexhost-grants"));
    }

    /** @return whether anything is granted (then nothing is open to anonymous by default) */
    public boolean any() throws IOException {
        return !file.current().isEmpty();
    }

    /**
     * @param user who logged in, or empty for anonymous
     * @param remote the remote or cluster reached, or empty for the repository itself
     * @return what they may do there
     */
    public Right rightOf(Optional<String> user, Optional<String> remote) throws IOException {
        Map<Scope, Right> g = file.current();
        if (g.isEmpty()) {
            return Right.NONE;
        }
        Right anonymous = of(g, HostUsers.ANONYMOUS, remote);
        return user.map(u -> of(g, u, remote).orWider(anonymous)).orElse(anonymous);
    }

    private static Right of(Map<Scope, Right> g, String principal, Optional<String> remote) {
        if (remote.isPresent()) {
            Right onRemote = g.get(new Scope(principal, remote));
            if (onRemote != null) {
                return onRemote;
            }
        }
        return g.getOrDefault(new Scope(principal, Optional.empty()), Right.NONE);
    }

    /**
     * Grants a right, replacing what the principal had there; {@code none} is kept as a grant,
     * so that it narrows a remote below the repository's right.
     */
    public void grant(String principal, Optional<String> remote, Right right) throws IOException {
        if (!principal.equals(HostUsers.ANONYMOUS)) {
            HostUsers.checkName(principal);
        }
        remote.ifPresent(r -> {
            if (r.isBlank() || r.equals(REPOSITORY)) {
                throw new IllegalArgumentException("bad remote name '" + r + "'");
            }
        });
        String where = remote.orElse(REPOSITORY);
        file.update(HEADER, rows -> {
            rows.removeIf(r -> r.length == 3 && r[0].equals(principal) && r[1].equals(where));
            rows.add(new String[] {principal, where, right.word()});
            return rows;
        });
    }

    /** Takes back what the principal was granted there (then the wider rule applies again). */
    public void revoke(String principal, Optional<String> remote) throws IOException {
        String where = remote.orElse(REPOSITORY);
        file.update(HEADER, rows -> {
            rows.removeIf(r -> r.length == 3 && r[0].equals(principal) && r[1].equals(where));
            return rows;
        });
    }

    /** @return every grant, by principal then place */
    public List<Grant> list() throws IOException {
        List<Grant> out = new ArrayList<>();
        file.current().forEach((s, r) -> out.add(new Grant(s.principal(), s.remote(), r)));
        return out;
    }

    private static Map<Scope, Right> grants(List<String[]> rows) {
        Map<Scope, Right> out = new TreeMap<>(java.util.Comparator.comparing(Scope::principal)
                .thenComparing(s -> s.remote().orElse("")));
        for (String[] r : rows) {
            if (r.length == 3) {
                try {
                    out.put(new Scope(r[0], r[1].equals(REPOSITORY) ? Optional.empty() : Optional.of(r[1])), Right.parse(r[2]));
                } catch (IllegalArgumentException unreadable) {
                    // a line this version cannot read grants nothing
                }
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
