package org.annexhost.access;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The host's own users: names, each with an optional password and any number of tokens, kept in
 * the host's state directory ({@link #at}) as salted hashes and written only by
 * {@code annexhost user}. A token works wherever a password does (HTTP Basic auth's password), so
 * git's credential helpers and git-annex clients use it unchanged; it is shown once, when made.
 *
 * <p>Checking a secret costs an Argon2id hash, so a right one is remembered (by its SHA-256,
 * never itself) until the file changes: a client sends its credentials with every request.
 * Thread-safe.
 */
public final class HostUsers {
    /** The name that stands for everyone not logged in, in grants. */
    public static final String ANONYMOUS = "anonymous";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final String TOKEN_PREFIX = "aht_";
    private static final int REMEMBERED = 4096;
    private static final String HEADER = "annexhost users, written by `annexhost user`: NAME KIND ID HASH (salted Argon2id)";

    private final StateFile<Map<String, Account>> file;
    /** digest of name and secret, for the file version it was checked against, to the login */
    private final Map<String, Remembered> checked = new ConcurrentHashMap<>();

    private record Remembered(Map<String, Account> version, Login login) {
    }

    /** One user as the file holds them. */
    private record Account(String name, Optional<String> passwordHash, Map<String, String> tokenHashes) {
    }

    /**
     * A user who logged in, and how.
     *
     * @param user the name
     * @param via {@code password}, {@code token}, {@code authenv}, {@code ssh} or {@code proxy}
     */
    public record Login(String user, String via) {
    }

    /** What {@code user list} shows of a user: never a hash. */
    public record Listed(String name, boolean hasPassword, List<String> tokenIds) {
    }

    private HostUsers(Path path) {
        this.file = new StateFile<>(path, HostUsers::accounts);
    }

    /** @return the users kept in this file */
    public static HostUsers in(Path file) {
        return new HostUsers(file);
    }

    /**
     * @return the host's users: {@code users} in {@code $ANNEXHOST_STATE_DIR}, else in
     *     {@code $XDG_STATE_HOME/annexhost}, else in {@code ~/.local/state/annexhost}
     */
    public static HostUsers at(Map<String, String> env) {
        return in(stateDirectory(env).resolve("users"));
    }

    /** @return the host's state directory, as {@link #at} finds it */
    public static Path stateDirectory(Map<String, String> env) {
        String own = env.get("ANNEXHOST_STATE_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "annexhost");
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "state", "annexhost");
    }

    /** @return where the users are kept */
    public Path file() {
        return file.path();
    }

    /** @return whether there is any user (then nothing is open to anonymous by default) */
    public boolean any() throws IOException {
        return !file.current().isEmpty();
    }

    /** @return whether there is a user of this name */
    public boolean exists(String name) throws IOException {
        return file.current().containsKey(name);
    }

    /**
     * @return who these credentials log in, if the user exists and the password or one of its
     *     tokens is right
     */
    public Optional<Login> login(String name, String secret) throws IOException {
        Map<String, Account> accounts = file.current();
        Account a = accounts.get(name);
        if (a == null || secret.isEmpty()) {
            return Optional.empty();
        }
        String digest = Secrets.digest(name + '\0' + secret);
        Remembered r = checked.get(digest);
        if (r != null && r.version() == accounts) {
            return Optional.of(r.login());
        }
        Optional<Login> login = Optional.empty();
        Optional<String> tokenId = tokenId(secret);
        if (tokenId.isPresent()) {
            String h = a.tokenHashes().get(tokenId.get());
            if (h != null && Secrets.verify(secret, h)) {
                login = Optional.of(new Login(name, "token"));
            }
        } else if (a.passwordHash().isPresent() && Secrets.verify(secret, a.passwordHash().get())) {
            login = Optional.of(new Login(name, "password"));
        }
        if (login.isPresent()) {
            if (checked.size() >= REMEMBERED) {
                checked.clear();
            }
            checked.put(digest, new Remembered(accounts, login.get()));
        }
        return login;
    }

    /**
     * Adds a user.
     *
     * @param password the password, or empty for a user who logs in with tokens only
     * @throws IllegalArgumentException for a bad name, or one that exists
     */
    public void add(String name, Optional<String> password) throws IOException {
        checkName(name);
        Optional<String> hash = password.map(Secrets::hash);
        file.update(HEADER, rows -> {
            if (rows.stream().anyMatch(r -> r[0].equals(name))) {
                throw new IllegalArgumentException("user " + name + " exists");
            }
            rows.add(new String[] {name, "user", "-", "-"});
            hash.ifPresent(h -> rows.add(new String[] {name, "password", "-", h}));
            return rows;
        });
    }

    /**
     * Makes a new token for a user.
     *
     * @return the token, the only time it is known
     * @throws IllegalArgumentException if there is no such user
     */
    public String newToken(String name) throws IOException {
        String id = Secrets.randomHex(4);
        String token = TOKEN_PREFIX + id + "_" + Secrets.randomText(32);
        String hash = Secrets.hash(token);
        file.update(HEADER, rows -> {
            requireUser(rows, name);
            rows.add(new String[] {name, "token", id, hash});
            return rows;
        });
        return token;
    }

    /**
     * Removes a user with their password and tokens; a running host refuses them from its next request.
     *
     * @throws IllegalArgumentException if there is no such user
     */
    public void remove(String name) throws IOException {
        file.update(HEADER, rows -> {
            requireUser(rows, name);
            rows.removeIf(r -> r[0].equals(name));
            return rows;
        });
    }

    /** @return the users, by name */
    public List<Listed> list() throws IOException {
        List<Listed> out = new ArrayList<>();
        for (Account a : file.current().values()) {
            out.add(new Listed(a.name(), a.passwordHash().isPresent(), List.copyOf(a.tokenHashes().keySet())));
        }
        return out;
    }

    /** @throws IllegalArgumentException unless the name can be a user's */
    public static void checkName(String name) {
        if (!NAME.matcher(name).matches() || name.equals(ANONYMOUS)) {
            throw new IllegalArgumentException("bad user name '" + name + "': letters, digits and . _ @ - (up to 64), "
                    + "and not '" + ANONYMOUS + "'");
        }
    }

    private static Optional<String> tokenId(String secret) {
        if (!secret.startsWith(TOKEN_PREFIX) || secret.length() < TOKEN_PREFIX.length() + 10) {
            return Optional.empty();
        }
        String id = secret.substring(TOKEN_PREFIX.length(), TOKEN_PREFIX.length() + 8);
        return secret.charAt(TOKEN_PREFIX.length() + 8) == '_' ? Optional.of(id) : Optional.empty();
    }

    private static void requireUser(List<String[]> rows, String name) {
        if (rows.stream().noneMatch(r -> r[0].equals(name))) {
            throw new IllegalArgumentException("no user " + name);
        }
    }

    private static Map<String, Account> accounts(List<String[]> rows) {
        Map<String, Optional<String>> passwords = new TreeMap<>();
        Map<String, Map<String, String>> tokens = new TreeMap<>();
        for (String[] r : rows) {
            if (r.length != 4) {
                continue;
            }
            passwords.putIfAbsent(r[0], Optional.empty());
            tokens.putIfAbsent(r[0], new LinkedHashMap<>());
            switch (r[1]) {
                case "password" -> passwords.put(r[0], Optional.of(r[3]));
                case "token" -> tokens.get(r[0]).put(r[2], r[3]);
                default -> {
                }
            }
        }
        Map<String, Account> out = new TreeMap<>();
        passwords.forEach((n, p) -> out.put(n, new Account(n, p, Map.copyOf(tokens.get(n)))));
        return java.util.Collections.unmodifiableMap(out);
    }
}
